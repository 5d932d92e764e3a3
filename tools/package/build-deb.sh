#!/bin/bash
# Builds logwatch_<version>_<arch>.deb with dpkg-deb from a release binary, then runs lintian.
# Usage: tools/package/build-deb.sh --version V-R --arch A --bin .build/release/logwatch --out out/X.deb
# (V-R: the binary's own version V, which `logwatch --version` prints, and the Debian revision R.)
# The tree is staged by `make install` (one install layout for both paths), then moved where
# Debian policy wants it. Runs offline: everything comes from the checkout and the binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
version= arch= bin= out=
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2;; --arch) arch=$2; shift 2;;
    --bin) bin=$2; shift 2;; --out) out=$2; shift 2;;
    *) echo "build-deb.sh: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$version" ] && [ -n "$arch" ] && [ -x "$bin" ] && [ -n "$out" ] || {
  echo "build-deb.sh: need --version, --arch, --bin (an executable) and --out" >&2; exit 2; }

work=$(realpath -m "$(dirname "$out")")/deb-build
root=$work/root
rm -rf "$work" && mkdir -p "$root"

# Stripped: the symbols are ~85% of the release binary and nothing at run time reads them.
mkdir -p "$work/bin"
strip --strip-unneeded -o "$work/bin/logwatch" "$bin"
make -s install DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc UNITDIR=/lib/systemd/system \
  INSTALL_BIN="$work/bin/logwatch" INSTALL_DEPS= VERSION="${version%-*}" >/dev/null

share=$root/usr/share
doc=$share/doc/logwatch
# Debian's places: zsh's vendor completions; man pages compressed; examples under doc/.
mkdir -p "$share/zsh/vendor-completions"
mv "$share/zsh/site-functions/_logwatch" "$share/zsh/vendor-completions/_logwatch"
rmdir "$share/zsh/site-functions"
# generate-manual leaves blank lines (from the help's paragraphs), which groff warns about.
sed -i '/^$/d' "$share/man/man1/logwatch.1"
gzip -9n "$share/man/man1/logwatch.1"
mkdir -p "$doc/examples"
mv "$doc/config.example.yaml" "$doc/examples/config.example.yaml"
install -m 0644 Samples/litellm-proxy.log Samples/litellm-docker.log Samples/litellm-proxy-json.log "$doc/examples/"
cp -r examples/docker-compose examples/kubernetes "$doc/examples/"
# The unit's Documentation= names the page; a man page is always there.
sed -i 's|^Documentation=.*|Documentation=man:logwatch(1) file:/usr/share/doc/logwatch/configuration.md|' \
  "$root/lib/systemd/system/logwatch.service"

# The bash completion is sourced, not run: no #! line (lintian: bash-completion-with-hashbang).
sed -i '1{/^#!/d}' "$share/bash-completion/completions/logwatch"

# The maintainer: whoever started the repository (its first commit), else a placeholder.
root_commit=$(git rev-list --max-parents=0 HEAD 2>/dev/null | tail -1) || root_commit=
maintainer=$( [ -n "$root_commit" ] && git log -1 --format='%an <%ae>' "$root_commit" 2>/dev/null) || maintainer=
maintainer=${maintainer:-logwatch contributors <logwatch@localhost>}

# copyright and changelog.Debian.gz (dated by the commit, so a rebuild gives the same bytes).
date=$(git log -1 --format=%aD 2>/dev/null || date -R)
sed "s/@YEAR@/$(date -d "$date" +%Y)/" tools/package/copyright > "$doc/copyright"
{
  echo "logwatch ($version) unstable; urgency=medium"
  echo
  echo "  * Built from $(git rev-parse --short HEAD 2>/dev/null || echo 'a source tree without git')."
  echo "    Changes: git log, or the project's issue tracker."
  echo
  echo " -- $maintainer  $date"
} | gzip -9n > "$doc/changelog.Debian.gz"

# Modes dpkg installs as they are (files 0644, directories 0755, credentials root-only).
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/logwatch"
chmod 0700 "$root/etc/logwatch/credentials"

# Depends: what the binary links, as dpkg-shlibdeps reads it from the libraries' symbols files.
# libhs.so.5 comes from libhyperscan5 or libvectorscan5 (same ABI); apt picks the first.
mkdir -p "$work/src/debian"
printf 'Source: logwatch\n\nPackage: logwatch\nArchitecture: any\n' > "$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/logwatch" 2>"$work/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p') || true
[ -n "$shlibs" ] || { echo "build-deb.sh: dpkg-shlibdeps found no libraries:" >&2; cat "$work/shlibdeps.log" >&2; exit 1; }
depends=$(printf '%s' "$shlibs" | sed -E 's/(libhyperscan5( \([^)]*\))?)/\1 | libvectorscan5/; s/(libvectorscan5( \([^)]*\))?)( \| libvectorscan5)?/\1/')
case "$depends" in *libhyperscan5*|*libvectorscan5*) ;; *) echo "build-deb.sh: no Hyperscan in $depends" >&2; exit 1;; esac

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: logwatch
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Recommends: systemd
Section: admin
Priority: optional
Description: watch LiteLLM proxy logs and explain what broke
 logwatch follows the logs of a LiteLLM proxy (journald, files, docker or
 Kubernetes CRI logs), classifies failures with a compiled rule catalogue
 (auth, quota, model, runtime, deploy), groups them into incidents and sends
 each with a troubleshooting entry to stdout, Slack, Discord, Teams, a webhook
 or Alertmanager.
 .
 The systemd unit logwatch.service is installed but neither enabled nor
 started: check /etc/logwatch/config.yaml, then systemctl enable --now logwatch.
CONTROL
install -D -m 0644 tools/package/lintian-overrides "$root/usr/share/lintian/overrides/logwatch"
echo /etc/logwatch/config.yaml > "$root/DEBIAN/conffiles"
install -m 0755 tools/package/postrm tools/package/prerm "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$(dirname "$out")"
# DEB_COMPRESS=none makes a quick package for a trial run of the scripts.
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$root" "$out" >/dev/null
echo "Built $out: $(stat -c %s "$out") bytes; /usr/bin/logwatch $(stat -c %s "$root/usr/bin/logwatch") bytes (stripped, from $(stat -c %s "$bin"))."
echo "Depends: $depends"

# lintian: the package ships its overrides, each with the reason above it
# (tools/package/lintian-overrides); any other error, warning or info tag fails the build.
command -v lintian >/dev/null || { echo "build-deb.sh: lintian is not installed (make deb-deps installs it)" >&2; exit 1; }
report=$(lintian --info --show-overrides "$out" 2>&1 || true)
printf '%s\n' "$report" | grep -E '^[EWIO]: ' | sed 's/^/lintian: /' || true
if printf '%s\n' "$report" | grep -qE '^[EWI]: '; then
  echo "build-deb.sh: lintian reports tags that are neither fixed nor explained in tools/package/lintian-overrides" >&2
  exit 1
fi
echo "lintian: clean ($(printf '%s\n' "$report" | grep -c '^O: ' || true) overridden tag(s), each explained)."
