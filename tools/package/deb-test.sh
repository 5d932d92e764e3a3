#!/bin/bash
# Installs a built logwatch .deb on this machine with apt, uses it as an operator would, purges
# it, and checks that nothing is left but what policy keeps. Needs root (or sudo).
# Usage: tools/package/deb-test.sh out/logwatch_<version>_<arch>.deb
set -euo pipefail
deb=${1:?usage: deb-test.sh PACKAGE.deb}
[ -f "$deb" ] || { echo "deb-test.sh: $deb does not exist" >&2; exit 2; }
deb=$(realpath "$deb")
# From a directory with nothing of logwatch's in it: a source tree's Rules/ must not be found.
cd /
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
failures=0
check() {  # check DESCRIPTION COMMAND...: runs it, says ok or FAIL with its output
  local what=$1; shift
  local output
  if output=$("$@" 2>&1); then echo "ok    $what"; else
    echo "FAIL  $what"; printf '%s\n' "$output" | sed 's/^/      /'; failures=$((failures + 1)); fi
}
if dpkg-query -W -f='${Status}' logwatch 2>/dev/null | grep -q "ok installed"; then
  echo "deb-test.sh: a logwatch package is installed already; this test would replace and purge it" >&2; exit 2
fi
# The binary's own version is the package's without the Debian revision.
version=$(dpkg-deb -f "$deb" Version); version=${version%-*}
files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^/$' | grep -v '^$')
# What already exists (shared directories such as /usr/share/doc) must survive the purge.
existing=$(for f in $files; do [ -e "$f" ] && echo "$f"; done || true)

echo "== install $deb"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >/tmp/deb-test-apt.log 2>&1 || {
  cat /tmp/deb-test-apt.log; exit 1; }
trap '$SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q logwatch >/dev/null 2>&1 || true' EXIT

# No environment at all: an operator's shell variables must not make the installed config pass.
clean() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root NO_COLOR=1 "$@"; }
version_names_build_and_rules() {
  local out expected
  out=$(clean logwatch --version) && echo "$out"
  expected=$(find /usr/share/logwatch/rules -name '*.yaml' | wc -l)
  [ "$out" = "logwatch $version ($expected rules in /usr/share/logwatch/rules)" ]
}
scan_finds_incidents() {
  local out count
  out=$(clean logwatch scan "$example" --json)
  count=$(printf '%s\n' "$out" | grep -c '"rule"' || true)
  echo "$count classified records"
  [ "$count" -gt 0 ]
}
unit_is_idle() {
  [ -f /lib/systemd/system/logwatch.service ] &&
    ! [ -e /etc/systemd/system/multi-user.target.wants/logwatch.service ] && ! pgrep -f '^/usr/bin/logwatch run' 
}
unit_verifies() {
  # verify also loads the units this one names; only what it says about logwatch counts.
  local out
  out=$(systemd-analyze verify /lib/systemd/system/logwatch.service 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  ! printf '%s\n' "$out" | grep -qi 'logwatch'
}
example=/usr/share/doc/logwatch/examples/litellm-proxy.log
check "logwatch --version names $version and counts the installed rules" version_names_build_and_rules
check "the man page and completions are installed" \
  test -s /usr/share/man/man1/logwatch.1.gz -a -s /usr/share/bash-completion/completions/logwatch \
    -a -s /usr/share/zsh/vendor-completions/_logwatch -a -s /usr/share/fish/vendor_completions.d/logwatch.fish
check "logwatch scan $example classifies records" scan_finds_incidents
check "logwatch config check passes on the installed config with no environment" \
  clean logwatch config check --config /etc/logwatch/config.yaml
check "/etc/logwatch/config.yaml is a conffile" \
  bash -c "dpkg-query -W -f='\${Conffiles}' logwatch | grep -q '/etc/logwatch/config.yaml'"
check "/etc/logwatch/credentials is root-only (0700)" test "$(stat -c %a /etc/logwatch/credentials)" = 700
check "the unit is installed, neither enabled nor started" unit_is_idle
check "systemd-analyze verify accepts the installed unit" unit_verifies

echo "== purge"
# Leave something behind on purpose: state and a credential, as a running service would.
$SUDO mkdir -p /var/lib/private/logwatch /var/cache/private/logwatch
$SUDO ln -sfn private/logwatch /var/lib/logwatch
echo https://hooks.example.invalid/x | $SUDO tee /etc/logwatch/credentials/slack >/dev/null
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q logwatch >/tmp/deb-test-apt.log 2>&1 || {
  cat /tmp/deb-test-apt.log; exit 1; }
trap - EXIT
left=$(for f in $files /var/lib/logwatch /var/lib/private/logwatch /var/cache/private/logwatch /etc/logwatch; do
  if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "$existing" | grep -qxF "$f" || echo "$f"; fi
done)
check "purge leaves nothing of its own behind" test -z "$left"
[ -z "$left" ] || printf 'left behind:\n%s\n' "$left"
check "dpkg forgets the package" bash -c "! dpkg-query -W -f='\${Status}' logwatch 2>/dev/null | grep -q installed"

if [ "$failures" -gt 0 ]; then echo "deb-test: $failures check(s) failed"; exit 1; fi
echo "deb-test: all checks passed ($deb)"
