// The decoders for logrotate's compressed generations (zlib1g-dev, libbz2-dev, liblzma-dev,
// libzstd-dev; the Makefile's DEB_PKGS installs them).
#include <zlib.h>
#include <bzlib.h>
#include <lzma.h>
#include <zstd.h>
