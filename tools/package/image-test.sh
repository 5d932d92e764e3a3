#!/bin/bash
# Runs logwatch's image as a user would: logs from a bind mount, state in a named volume,
# notices to a webhook receiver on the host's loopback (--network=host), then checks that the
# notice arrived, the listener answers, the process is not root and stops cleanly.
# Usage: tools/package/image-test.sh --image localhost/logwatch:V
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image=
while [ $# -gt 0 ]; do
  case "$1" in --image) image=$2; shift 2;; *) echo "image-test.sh: unknown argument $1" >&2; exit 2;; esac
done
[ -n "$image" ] || { echo "image-test.sh: need --image NAME" >&2; exit 2; }
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
podman() { $SUDO podman "$@"; }

work=$(mktemp -d)
name=logwatch-image-test-$$
volume=$name-state
receiver_pid=
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
ok() { echo "ok    $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }
# Waits (up to $2 seconds) until command $3... succeeds: polling for the event itself.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { fail "$what (not within ${seconds}s)"; return 1; }
    sleep 0.2
  done
  ok "$what"
}

# The container's user (uid 10001) reads the bind mount: world-readable, like /var/log usually is.
mkdir -p "$work/logs"
chmod 0755 "$work" "$work/logs"
cp "$repo/Samples/litellm-proxy.log" "$work/logs/proxy.log"
chmod 0644 "$work/logs/proxy.log"

python3 "$repo/tools/receiver.py" --port-file "$work/receiver.port" --out "$work/notices.ndjson" &
receiver_pid=$!
wait_for "the webhook receiver listens on 127.0.0.1" 20 test -s "$work/receiver.port"
receiver_port=$(cat "$work/receiver.port")
# A free loopback port for the listener, from the kernel.
listen_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo "== one-shot: logwatch scan inside the image"
if out=$(podman run --rm -v "$work/logs:/logs:ro" "$image" scan /logs/proxy.log --json) &&
   [ "$(printf '%s\n' "$out" | grep -c '"rule"')" -gt 0 ]; then ok "scan of the bind-mounted sample classifies records"
else fail "scan of the bind-mounted sample classifies records"; printf '%s\n' "$out" | tail -5; fi

echo "== the daemon: podman run -d $image"
podman volume create "$volume" >/dev/null
podman run -d --name "$name" --network=host \
  -v "$work/logs:/logs:ro" -v "$volume:/var/lib/logwatch" \
  -e LOGWATCH_FROM=start -e LOGWATCH_LISTEN="127.0.0.1:$listen_port" \
  -e LOGWATCH_WEBHOOK_URL="http://127.0.0.1:$receiver_port/hook" -e LOGWATCH_WEBHOOK_FORMAT=generic \
  "$image" >/dev/null
http_ok() { python3 -c 'import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)' "$1"; }
wait_for "/readyz answers 200 (sources attached, rules loaded)" 60 http_ok "http://127.0.0.1:$listen_port/readyz" || podman logs "$name" | tail -20
# The first notice goes out after policy.group_wait (10s by default).
wait_for "a notice reaches the loopback webhook receiver" 90 grep -q '"rule' "$work/notices.ndjson" || podman logs "$name" | tail -20
metrics=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' \
  "http://127.0.0.1:$listen_port/metrics" || true)
if printf '%s\n' "$metrics" | grep -Eq '^logwatch_build_info\{version="[^"]+",rules="[1-9][0-9]*"\} 1'; then
  ok "/metrics names the build: $(printf '%s\n' "$metrics" | grep '^logwatch_build_info')"
else fail "/metrics has logwatch_build_info with a version and a rule count"; fi
uid=$(podman exec "$name" id -u || echo "?")
if [ "$uid" != 0 ] && [ "$uid" != "?" ]; then ok "the daemon runs as uid $uid, not root"; else fail "the daemon runs as non-root (uid $uid)"; fi

podman stop -t 30 "$name" >/dev/null
status=$(podman inspect --format '{{.State.ExitCode}}' "$name")
if [ "$status" = 0 ]; then ok "SIGTERM stops it cleanly (exit 0)"; else fail "SIGTERM stops it cleanly (exit $status)"; podman logs "$name" | tail -20; fi
state=$(podman run --rm -v "$volume:/var/lib/logwatch" --entrypoint /bin/ls "$image" -A /var/lib/logwatch)
if [ -n "$state" ]; then ok "state is kept in the volume: $(echo $state)"; else fail "state is kept in the volume (it is empty)"; fi
if grep -q "Bearer\|sk-[A-Za-z0-9]\{20\}" "$work/notices.ndjson"; then fail "notices carry no unmasked key"; else ok "notices carry no unmasked key"; fi
count=$(wc -l < "$work/notices.ndjson")
size=$(podman image inspect --format '{{.Size}}' "$image")

if [ "$failures" -gt 0 ]; then echo "image-test: $failures check(s) failed"; exit 1; fi
echo "image-test: all checks passed ($image, $((size / 1024 / 1024)) MiB; $count notice(s) received)"
