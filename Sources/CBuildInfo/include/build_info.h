#ifndef LOGWATCH_BUILD_INFO_H
#define LOGWATCH_BUILD_INFO_H

/// The version this binary was built as: `make` derives it from `git describe` and writes it to
/// generated/version.h (tools/version.sh); a plain `swift build` gets the fallback in build_info.c.
const char *logwatch_build_version(void);

#endif
