// Why C: Swift has no way to take a value from the build environment, and a generated Swift
// file would have to be committed (a plain `swift build` needs it). A header that may or may not
// exist costs one C file. The Makefile writes generated/version.h only when the version changes
// and touches this file when it does, so only this file recompiles and the binary relinks.
#include "build_info.h"

#if __has_include("generated/version.h")
#include "generated/version.h"
#endif

#ifndef LOGWATCH_VERSION
// Built without make (a plain `swift build`): the release series, and no commit to name.
#define LOGWATCH_VERSION "0.2.0+unknown"
#endif

const char *logwatch_build_version(void) { return LOGWATCH_VERSION; }
