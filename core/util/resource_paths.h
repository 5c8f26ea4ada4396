#pragma once
// Where Attention Scope's data (the built-in demo models, the demo corpus) lives at run time:
// $ASCOPE_DATA_DIR when set, else ../share/attention-scope beside the running executable. Both
// the installed tree (bin/ and share/attention-scope/ under one prefix, wherever it was moved)
// and the build tree (whose share/attention-scope links to the sources' resources/) look alike.
// No path is compiled in.
#include <string>

namespace ascope {

// The data folder, or "" when neither place exists.
std::string dataDir();
// The folder of a built-in model ("demo-bert", "demo-vit"), or "" when it is not there.
std::string builtinModelDir(const std::string& name);
// A file under the data folder ("corpus/demo-corpus-sample.txt"), or "" when it is not there.
std::string builtinDataFile(const std::string& relativePath);

}  // namespace ascope
