#!/usr/bin/env bash
# Proves the Debian packages on this machine (as root; CI runs it after the tests): builds them,
# installs them with dpkg -i, runs the three commands' --version, starts the controller from the
# installed files as its unit's ExecStart does (as user mailcert, on loopback ports), declares a
# host with the installed CLI, enrolls the installed agent, checks the units with
# systemd-analyze verify, then removes and purges both packages and checks that nothing is left
# but the mailcert system user (Debian policy keeps system users).
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-packages: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i)"
for p in mailcert-controller mailcert-agent; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed'; then
    fail "$p is installed on this machine; this test installs and purges it, so run it on a scratch machine"
  fi
done
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (package systemd)"

mvn -B -ntp -q -Pdeb -DskipTests package -pl installers -am
debs=(installers/target/mailcert-controller.deb installers/target/mailcert-agent.deb)
for d in "${debs[@]}"; do [ -f "$d" ] || fail "$d was not built"; done

free_port() {
  local p=$1
  while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
port=$(free_port 17443)
metrics=$(free_port $((port + 1)))
work=$(mktemp -d)
controller_pid=
cleanup() {
  [ -n "$controller_pid" ] && kill "$controller_pid" 2>/dev/null || true
  dpkg --purge mailcert-agent mailcert-controller >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dpkg -i "${debs[@]}"
[ "$(mailcert --version)" = "mailcert 0.1.0-SNAPSHOT" ] || fail "mailcert --version: $(mailcert --version)"
mailcert-agent --version | grep -q '^mailcert-agent ' || fail "mailcert-agent --version"
mailcert-controller --version | grep -q '^mailcert-controller ' || fail "mailcert-controller --version"
systemd-analyze verify /lib/systemd/system/mailcert-controller.service /lib/systemd/system/mailcert-agent.service
[ "$(stat -c '%U %a' /var/lib/mailcert)" = "mailcert 700" ] || fail "/var/lib/mailcert: $(stat -c '%U %a' /var/lib/mailcert)"

# The unit's ExecStart, as the unit's user, on loopback ports instead of the configured 0.0.0.0:7443.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/mailcert-controller.service)
runuser -u mailcert -- $exec_start --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics" \
  >"$work/controller.log" 2>&1 &
controller_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$metrics/healthz" >/dev/null && break
  kill -0 "$controller_pid" 2>/dev/null || { cat "$work/controller.log" >&2; fail "the controller exited"; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$metrics/healthz" >/dev/null || { cat "$work/controller.log" >&2; fail "no /healthz"; }

token=$(mailcert --controller "localhost:$port" token create --host pkg-test.example.com --output json \
  | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "no join token from the installed CLI"
mailcert-agent enroll --controller "localhost:$port" --token "$token" --data-dir /var/lib/mailcert-agent >/dev/null
[ "$(stat -c '%a' /var/lib/mailcert-agent/identity/agent.key)" = 600 ] || fail "the agent key is not 0600"
mailcert --controller "localhost:$port" host show pkg-test.example.com | grep -q enrolled \
  || fail "the controller does not list the host as enrolled"

kill "$controller_pid"; wait "$controller_pid" 2>/dev/null || true; controller_pid=
dpkg -r mailcert-agent mailcert-controller >/dev/null
[ -f /etc/mailcert/controller.yaml ] || fail "remove (not purge) must keep the conffiles"
dpkg --purge mailcert-agent mailcert-controller >/dev/null
left=$(ls -d /var/lib/mailcert /var/lib/mailcert-agent /etc/mailcert /usr/share/mailcert /usr/bin/mailcert \
  /usr/bin/mailcert-agent /usr/bin/mailcert-controller /lib/systemd/system/mailcert-controller.service \
  /lib/systemd/system/mailcert-agent.service 2>/dev/null || true)
[ -z "$left" ] || fail "left behind after purge: $left"
echo "test-packages: built, installed, ran, enrolled, removed and purged both packages; nothing left but the mailcert user"
