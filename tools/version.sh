#!/bin/sh
# Prints logwatch's version for this checkout, in a form dpkg orders correctly:
#   on a tag vX.Y.Z                 X.Y.Z
#   N commits after tag vX.Y.Z      X.Y.Z+N.gSHA
#   no tag yet                      BASE+gitN.gSHA   (N = commits on HEAD, so later builds sort higher)
#   uncommitted changes             ... with .dirty appended
#   not a git checkout              BASE+unknown
# BASE is the release series the untagged history belongs to.
BASE=0.2.0
cd "$(dirname "$0")/.." || exit 1
described=$(git describe --tags --always --dirty --match 'v[0-9]*' 2>/dev/null) || described=
if [ -z "$described" ]; then echo "$BASE+unknown"; exit 0; fi
dirty=
case "$described" in *-dirty) dirty=1; described=${described%-dirty};; esac
case "$described" in
  v[0-9]*)
    version=$(printf '%s\n' "$described" | sed -E 's/^v//; s/-([0-9]+)-g([0-9a-f]+)$/+\1.g\2/');;
  *)
    version="$BASE+git$(git rev-list --count HEAD 2>/dev/null || echo 0).g$described";;
esac
if [ -n "$dirty" ]; then
  case "$version" in *+*) version="$version.dirty";; *) version="$version+dirty";; esac
fi
echo "$version"
