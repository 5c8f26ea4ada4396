// Runner for tests that read ../shared/ (CTest label "model"). When the folder is missing (a
// user's fresh clone), every test exits with code 77, which CTest reports as skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "shared_data.h"

int main(int argc, char** argv) {
    bool listing = false;
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--list", 6) == 0) listing = true;
    if (!listing && !std::filesystem::exists(ascope::test::sharedDir())) {
        std::printf("SKIPPED: shared test data not found at %s (set ASCOPE_SHARED_DIR)\n",
                    ascope::test::sharedDir().c_str());
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
