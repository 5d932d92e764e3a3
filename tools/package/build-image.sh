#!/bin/bash
# Builds logwatch's OCI image into podman's local store, with no registry:
#   1. a Debian minbase root filesystem from debootstrap, of the host's own release, cached as a
#      tarball under ~/.cache/logwatch/image (rebuilt when missing or older than 30 days);
#   2. `podman import` of that tarball as the base image;
#   3. `podman build` of tools/package/Containerfile, which installs the .deb with apt.
# Usage: tools/package/build-image.sh --deb out/logwatch_V_A.deb --tag localhost/logwatch:V
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deb= tag=
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=$2; shift 2;; --tag) tag=$2; shift 2;;
    *) echo "build-image.sh: unknown argument $1" >&2; exit 2;;
  esac
done
[ -f "$deb" ] && [ -n "$tag" ] || { echo "build-image.sh: need --deb FILE.deb and --tag NAME" >&2; exit 2; }
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

. /etc/os-release
release=${VERSION_CODENAME:?the host names no Debian release in /etc/os-release}
arch=$(dpkg --print-architecture)
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-$(awk '$1 == "deb" && $3 == "'"$release"'" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)}
mirror=${mirror:-http://deb.debian.org/debian}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/logwatch/image
base_tar=$cache/debian-$release-minbase-$arch.tar
mkdir -p "$cache"
if [ -z "$(find "$base_tar" -mtime -30 2>/dev/null)" ]; then
  echo "== debootstrap --variant=minbase $release from $mirror (cached in $base_tar)"
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap '$SUDO rm -rf "$rootfs"' EXIT
  $SUDO debootstrap --variant=minbase --arch="$arch" "$release" "$rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1 || {
    tail -20 "$cache/debootstrap.log"; exit 1; }
  # The release's updates and security suites too, so the .deb's Depends resolve like the host's.
  security=${mirror%/debian}/debian-security
  printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
    "$mirror" "$release" "$mirror" "$release" "$security" "$release" | $SUDO tee "$rootfs/etc/apt/sources.list" >/dev/null
  $SUDO rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  $SUDO tar --numeric-owner -C "$rootfs" -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  $SUDO rm -rf "$rootfs"; trap - EXIT
fi
base=localhost/logwatch-base:$release-minbase
echo "== podman import $base_tar as $base"
$SUDO podman import --quiet "$base_tar" "$base" >/dev/null

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp "$deb" "$context/logwatch.deb"
cp "$here/container.yaml" "$here/Containerfile" "$context/"
echo "== podman build $tag"
# --network=host: apt inside the build reaches the mirror the way the host does.
# Also tagged :latest, the name the examples use.
$SUDO podman build --quiet --network=host --build-arg BASE="$base" -f "$context/Containerfile" \
  -t "$tag" -t "${tag%:*}:latest" "$context" >/dev/null
size=$($SUDO podman image inspect --format '{{.Size}}' "$tag")
echo "Built $tag: $size bytes ($((size / 1024 / 1024)) MiB); base $base."
