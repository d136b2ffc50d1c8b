#!/usr/bin/env bash
# Proves the Debian packages and install-agent.sh on this machine (as root; CI runs it after the
# tests). It builds both packages, checks the Windows zip's contents, makes a copy of each package
# with a higher version, then:
#  1. installs the controller with dpkg -i, runs the three commands' --version, checks the units with
#     systemd-analyze verify and starts the controller from the installed files as its unit's
#     ExecStart does (as user mailcert, on loopback ports);
#  2. runs install-agent.sh with the agent package and a join token on stdin: it installs, enrolls,
#     writes the targets and starts the service through systemctl (a stand-in here, as CI has no
#     systemd, that runs the unit's ExecStart), and waits until the agent is connected;
#  3. upgrades both to the higher version: identity, store, admin-edited conffiles kept, the agent
#     connects again with the same identity;
#  4. refuses the downgrades, then allows one with MAILCERT_ALLOW_DOWNGRADE=1;
#  5. removes and purges both, and checks nothing is left but the mailcert system user (Debian
#     policy keeps system users).
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-packages: $*" >&2; exit 1; }
step() { echo "test-packages: $*"; }
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i)"
for p in mailcert-controller mailcert-agent; do
  if dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    fail "$p is installed on this machine; this test installs and purges it, so run it on a scratch machine"
  fi
done
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (package systemd)"

mvn -B -ntp -q -Ppackages -DskipTests package -pl installers -am
controller_deb=installers/target/mailcert-controller.deb
agent_deb=installers/target/mailcert-agent.deb
for d in "$controller_deb" "$agent_deb"; do [ -f "$d" ] || fail "$d was not built"; done

# The Windows zip: what install-agent.ps1 expects beside it, the scripts with Windows line ends.
zip=installers/target/mailcert-agent-windows.zip
[ -f "$zip" ] || fail "$zip was not built"
listing=$(jar tf "$zip")
for f in mailcert-agent.jar install-agent.ps1 mailcert-agent.cmd README.md; do
  echo "$listing" | grep -qx "$f" || fail "$zip has no $f"
done
[ "$(echo "$listing" | grep -c '^lib/.*\.jar$')" -eq "$(ls agent/target/lib/*.jar | wc -l)" ] \
  || fail "$zip does not hold every jar of agent/target/lib"
unzip_one() { python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$@"; }
for f in install-agent.ps1 mailcert-agent.cmd; do
  [ "$(unzip_one "$zip" "$f" | grep -c $'\r$')" -eq "$(unzip_one "$zip" "$f" | wc -l)" ] || fail "$f in $zip is not CRLF"
done

work=$(mktemp -d)
chmod 755 "$work"
sandbox=$(pwd)/installers/unit-sandbox.sh
# The files target's directory: outside /tmp, which the units replace with their own (PrivateTmp).
files_dir=/srv/mailcert-test-files
controller_pid=
cleanup() {
  [ -n "$controller_pid" ] && kill "$controller_pid" 2>/dev/null || true
  [ -f "$work/agent.pid" ] && kill "$(cat "$work/agent.pid")" 2>/dev/null || true
  dpkg --purge mailcert-agent mailcert-controller >/dev/null 2>&1 || true
  rm -rf "$work" "$files_dir"
}
trap cleanup EXIT

# The same packages with a higher version, for the upgrade and the downgrade.
bump() {
  local deb=$1 out=$2 tree
  tree=$(mktemp -d -p "$work")
  dpkg-deb -R "$deb" "$tree"
  old=$(sed -n 's/^Version: //p' "$tree/DEBIAN/control")
  sed -i "s/^Version: .*/Version: ${old}+up1/" "$tree/DEBIAN/control"
  sed -i "s/^new='.*'/new='${old}+up1'/" "$tree/DEBIAN/preinst"
  dpkg-deb -b -Zgzip "$tree" "$out" >/dev/null
  rm -rf "$tree"
}
bump "$controller_deb" "$work/controller-up.deb"
bump "$agent_deb" "$work/agent-up.deb"
version=$(dpkg-deb -f "$agent_deb" Version)

free_port() {
  local p=$1
  while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
port=$(free_port 17443)
metrics=$(free_port $((port + 1)))
start_controller() {
  # The unit's ExecStart, as the unit's user, with the unit's read-only file system, on loopback ports
  # instead of the configured 0.0.0.0:7443.
  local unit=/lib/systemd/system/mailcert-controller.service exec_start
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  "$sandbox" "$unit" -- runuser -u mailcert -- $exec_start --listen "127.0.0.1:$port" \
    --metrics-listen "127.0.0.1:$metrics" >>"$work/controller.log" 2>&1 &
  controller_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$metrics/healthz" >/dev/null && return 0
    kill -0 "$controller_pid" 2>/dev/null || { cat "$work/controller.log" >&2; fail "the controller exited"; }
    sleep 0.5
  done
  cat "$work/controller.log" >&2
  fail "no /healthz"
}
stop_controller() { kill "$controller_pid"; wait "$controller_pid" 2>/dev/null || true; controller_pid=; }
cli() { mailcert --controller "localhost:$port" "$@"; }

# A stand-in systemctl for install-agent.sh: records each call and runs the agent's unit ExecStart
# with the file system the unit and its drop-ins give it.
mkdir "$work/bin"
cat >"$work/bin/systemctl" <<EOF
#!/bin/bash
echo "systemctl \$*" >>"$work/systemctl.log"
case "\$*" in
  "restart mailcert-agent.service")
    [ -f "$work/agent.pid" ] && kill "\$(cat "$work/agent.pid")" 2>/dev/null && sleep 1
    unit=/lib/systemd/system/mailcert-agent.service
    "$sandbox" "\$unit" \$(ls /etc/systemd/system/mailcert-agent.service.d/*.conf 2>/dev/null) -- \
      \$(sed -n 's/^ExecStart=//p' "\$unit") >>"$work/agent.log" 2>&1 &
    echo \$! >"$work/agent.pid" ;;
esac
EOF
chmod 755 "$work/bin/systemctl"
install_agent() { PATH="$work/bin:$PATH" sh installers/install-agent.sh --service-manager systemd "$@"; }

step "1. the controller package"
dpkg -i "$controller_deb" >/dev/null
[ "$(mailcert --version)" = "mailcert 0.1.0-SNAPSHOT" ] || fail "mailcert --version: $(mailcert --version)"
mailcert-controller --version | grep -q '^mailcert-controller ' || fail "mailcert-controller --version"
[ "$(stat -c '%U %a' /var/lib/mailcert)" = "mailcert 700" ] || fail "/var/lib/mailcert: $(stat -c '%U %a' /var/lib/mailcert)"
[ -x /usr/share/mailcert/install-agent.sh ] || fail "the controller package does not ship install-agent.sh"
start_controller

step "2. install-agent.sh: package, enrollment, targets, service"
# Bad usage is refused (exit 2) before anything changes.
refused() {
  local want=$1; shift
  if install_agent "$@" >"$work/refused.log" 2>&1; then fail "install-agent.sh $* was accepted"; fi
  grep -q -- "$want" "$work/refused.log" || fail "install-agent.sh $*: expected '$want', got: $(cat "$work/refused.log")"
}
refused "unknown target 'exim'" --target postfix,exim
refused "--set: 'Files_Dir' is not a setting name" --set Files_Dir=/x
refused "--set: target is set by" --set target=files
refused "--set: a value cannot hold a line break" --set "files-dir=/x
mode: report"
refused "--package URLs must be https://" --package http://127.0.0.1/mailcert-agent.deb
refused "give --token or --token-file, not both" --token a --token-file b
if dpkg-query -W -f='${db:Status-Status}' mailcert-agent 2>/dev/null | grep -qx installed; then
  fail "a refused install-agent.sh installed the package"
fi
cli token create --host pkg-test.example.com | tail -n 1 >"$work/token"
install_agent --controller "localhost:$port" --token-file - --package "$agent_deb" --target files \
  --set "files-dir=$files_dir" --wait 60 <"$work/token" | tee "$work/install.log"
mailcert-agent --version | grep -q '^mailcert-agent ' || fail "mailcert-agent --version"
systemd-analyze verify /lib/systemd/system/mailcert-controller.service /lib/systemd/system/mailcert-agent.service
grep -q 'the agent is connected' "$work/install.log" || fail "install-agent.sh did not see the agent connect"
[ "$(stat -c '%a' /var/lib/mailcert-agent/identity/agent.key)" = 600 ] || fail "the agent key is not 0600"
grep -qx 'target: \[files\]' /etc/mailcert/agent.yaml || fail "agent.yaml has no target line: $(cat /etc/mailcert/agent.yaml)"
grep -qx "ReadWritePaths=$files_dir" /etc/systemd/system/mailcert-agent.service.d/install-agent.conf \
  || fail "no drop-in opening the files target's directory"
grep -qx 'systemctl enable mailcert-agent.service' "$work/systemctl.log" || fail "the service was not enabled"
cli host show pkg-test.example.com | grep -q enrolled || fail "the controller does not list the host as enrolled"
# The installed agent does its job: a server-wide certificate reaches its files target.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=pkg-test.example.com \
  -addext subjectAltName=DNS:pkg-test.example.com -keyout "$work/leaf.key" -out "$work/leaf.pem" 2>/dev/null
cli cert import pkg-test --cert "$work/leaf.pem" --key "$work/leaf.key" >/dev/null
cli bind pkg-test.example.com server pkg-test >/dev/null
live=$files_dir/live/pkg-test.example.com
for _ in $(seq 1 60); do [ -f "$live/fullchain.pem" ] && break; sleep 0.5; done
cmp -s "$live/cert.pem" "$work/leaf.pem" || fail "the installed agent did not write the bound certificate to $live"
[ "$(stat -c '%a' "$live/privkey.pem")" = 600 ] || fail "the installed key is not 0600"
# A second run without a token: nothing to enroll, the targets kept.
install_agent --package "$agent_deb" --wait 60 >"$work/again.log"
grep -q "keeping this host's identity" "$work/again.log" || fail "a second run did not keep the identity: $(cat "$work/again.log")"
grep -q 'the agent is connected' "$work/again.log" || fail "the agent did not connect again: $(cat "$work/again.log")"

# The sandbox does hold: outside its ReadWritePaths nothing can be written.
if "$sandbox" /lib/systemd/system/mailcert-agent.service -- touch /etc/mailcert-sandbox-probe 2>/dev/null; then
  rm -f /etc/mailcert-sandbox-probe
  fail "unit-sandbox.sh let the agent write /etc"
fi
# The servers' own checks, which the agent runs before every reload, pass on the unit's file system.
# (Postfix's needs a main.cf, which this machine has none of: its queue directory is writable.)
"$sandbox" /lib/systemd/system/mailcert-agent.service -- sh -c 'nginx -t -q && doveconf -n >/dev/null' \
  || fail "nginx -t or doveconf -n fails with the agent unit's file system"

step "3. upgrade to ${version}+up1"
key_before=$(sha256sum /var/lib/mailcert-agent/identity/agent.key)
master_before=$(sha256sum /var/lib/mailcert/master.key)
echo "# an admin's comment, kept on upgrade" >>/etc/mailcert/controller.yaml
echo "# an admin's comment, kept on upgrade" >>/etc/mailcert/agent.yaml
stop_controller
dpkg -i "$work/controller-up.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' mailcert-controller)" = "${version}+up1" ] || fail "the controller was not upgraded"
[ "$(sha256sum /var/lib/mailcert/master.key)" = "$master_before" ] || fail "the upgrade changed master.key"
grep -q "an admin's comment" /etc/mailcert/controller.yaml || fail "the upgrade lost the admin's controller.yaml"
start_controller
install_agent --package "$work/agent-up.deb" --wait 60 >"$work/upgrade.log"
[ "$(dpkg-query -W -f='${Version}' mailcert-agent)" = "${version}+up1" ] || fail "the agent was not upgraded"
[ "$(sha256sum /var/lib/mailcert-agent/identity/agent.key)" = "$key_before" ] || fail "the upgrade changed the agent's key"
grep -q "an admin's comment" /etc/mailcert/agent.yaml || fail "the upgrade lost the admin's agent.yaml"
grep -qx 'target: \[files\]' /etc/mailcert/agent.yaml || fail "the upgrade lost the targets"
grep -q 'the agent is connected' "$work/upgrade.log" || fail "the upgraded agent did not connect"
cli host show pkg-test.example.com | grep -q enrolled || fail "the upgraded controller lost the host"

step "4. downgrades"
if dpkg -i "$controller_deb" >"$work/downgrade.log" 2>&1; then fail "dpkg -i allowed a controller downgrade"; fi
grep -q "refusing to downgrade from ${version}+up1" "$work/downgrade.log" || fail "no reason given: $(cat "$work/downgrade.log")"
[ "$(dpkg-query -W -f='${Version} ${Status}' mailcert-controller)" = "${version}+up1 install ok installed" ] \
  || fail "a refused downgrade left the controller package $(dpkg-query -W -f='${Version} ${Status}' mailcert-controller)"
if install_agent --package "$agent_deb" --wait 0 >"$work/downgrade.log" 2>&1; then
  fail "install-agent.sh allowed an agent downgrade"
fi
grep -q "refusing to downgrade" "$work/downgrade.log" || fail "install-agent.sh gave no reason: $(cat "$work/downgrade.log")"
MAILCERT_ALLOW_DOWNGRADE=1 dpkg -i "$agent_deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' mailcert-agent)" = "$version" ] || fail "MAILCERT_ALLOW_DOWNGRADE=1 did not downgrade"
[ "$(sha256sum /var/lib/mailcert-agent/identity/agent.key)" = "$key_before" ] || fail "the downgrade changed the agent's key"

step "5. remove and purge"
stop_controller
kill "$(cat "$work/agent.pid")" 2>/dev/null || true
rm -f "$work/agent.pid"
dpkg -r mailcert-agent mailcert-controller >/dev/null
[ -f /etc/mailcert/controller.yaml ] || fail "remove (not purge) must keep the conffiles"
[ -f /var/lib/mailcert-agent/identity/agent.key ] || fail "remove (not purge) must keep the agent's identity"
dpkg --purge mailcert-agent mailcert-controller >/dev/null
left=$(ls -d /var/lib/mailcert /var/lib/mailcert-agent /etc/mailcert /usr/share/mailcert /usr/bin/mailcert \
  /usr/bin/mailcert-agent /usr/bin/mailcert-controller /lib/systemd/system/mailcert-controller.service \
  /lib/systemd/system/mailcert-agent.service /etc/systemd/system/mailcert-agent.service.d 2>/dev/null || true)
[ -z "$left" ] || fail "left behind after purge: $left"
step "built, installed with install-agent.sh, upgraded, refused and allowed a downgrade, removed and purged both packages; nothing left but the mailcert user"
