#!/bin/bash
# CTest names each Catch2 test after its TEST_CASE, and CMake splits a name at every ';'. The pieces
# reach the test binary as filters that match nothing, and Catch2 exits 0: the test "passes" without
# running. So no TEST_CASE name may hold a ';'.
set -u
found=$(grep -rn --include='*.cpp' -E 'TEST_CASE\("[^"]*;' "$1")
if [ -n "$found" ]; then
    echo "TEST_CASE names CTest would split at ';' (they would never run):"
    echo "$found"
    exit 1
fi
count=$(grep -rn --include='*.cpp' -c 'TEST_CASE("' "$1" | awk -F: '{n += $2} END {print n}')
test "$count" -gt 100 || { echo "only $count TEST_CASEs found under $1"; exit 1; }
