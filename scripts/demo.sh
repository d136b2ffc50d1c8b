#!/usr/bin/env bash
# The main job, end to end on one machine: builds mailcert, starts a controller on the embedded
# store (a scratch data dir), and drives it with the mailcert CLI over TLS: declares a host,
# imports certificates (PEM and PKCS#12), binds them, enrolls a local agent with the `files`
# target, which installs the bound certificates, and shows the result: host, bindings, client
# settings, the refusal of a certificate that does not cover a name, and the event log.
#   scripts/demo.sh [--keep-running]
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false
[ "${1:-}" = "--keep-running" ] && keep=true

scripts/install-deps.sh
echo "== building (mvn -DskipTests package)"
mvn -B -q -ntp -DskipTests package

work=$(mktemp -d "${TMPDIR:-/tmp}/mailcert-demo.XXXXXX")
port=${MAILCERT_DEMO_PORT:-17443}
metrics=${MAILCERT_DEMO_METRICS_PORT:-17080}

echo "== demo certificates from a throw-away CA (openssl) in $work"
(
  cd "$work"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=Demo Root CA" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout demo-ca.key -out demo-ca.pem 2>/dev/null
  leaf() { # name, SANs
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA demo-ca.pem -CAkey demo-ca.key -CAcreateserial -days 90 \
      -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    cat "$1.pem" demo-ca.pem > "$1.fullchain.pem"
  }
  leaf mx1.example.net "DNS:mx1.example.net"
  leaf wildcard.example.com "DNS:*.example.com,DNS:example.com"
  leaf other.example.org "DNS:mail.example.org"
  echo -n "demo-password" > pfx.pass
  openssl pkcs12 -export -in other.example.org.fullchain.pem -inkey other.example.org.key \
    -passout file:pfx.pass -out other.pfx 2>/dev/null
)

echo "== starting mailcert-controller on localhost:$port (data dir $work/controller)"
bin/mailcert-controller --data-dir "$work/controller" --listen "127.0.0.1:$port" \
  --metrics-listen "127.0.0.1:$metrics" --extra-roots "$work/demo-ca.pem" >"$work/controller.log" 2>&1 &
pid=$!
agent_pid=
stop() {
  [ -n "$agent_pid" ] && { kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null || true; }
  kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
}
$keep || trap stop EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$metrics/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/controller.log" >&2; exit 1; fi
  sleep 0.5
done
cat "$work/controller.log"

export MAILCERT_CONTROLLER="localhost:$port"
export MAILCERT_TOKEN_FILE="$work/controller/admin.token"
export MAILCERT_CA="$work/controller/ca.pem"
run() { echo; echo "\$ mailcert $*"; bin/mailcert "$@"; }
fails() { echo; echo "\$ mailcert $*    # expected to be refused"; if bin/mailcert "$@"; then echo "demo: expected a refusal" >&2; exit 1; fi; }

echo; echo "\$ mailcert token create --host mx1.example.net --ttl 1h"
token_out=$(bin/mailcert --output json token create --host mx1.example.net --ttl 1h)
echo "$token_out"
token=$(printf '%s' "$token_out" | sed -n 's/.*"token": "\([^"]*\)".*/\1/p')
run cert import mx1 --cert "$work/mx1.example.net.fullchain.pem" --key "$work/mx1.example.net.key"
run cert import wildcard-example-com --cert "$work/wildcard.example.com.fullchain.pem" --key "$work/wildcard.example.com.key"
run cert import example-org --pkcs12 "$work/other.pfx" --password-file "$work/pfx.pass"
run bind mx1.example.net server mx1
run bind mx1.example.net mail example.com wildcard-example-com
run bind mx1.example.net webmail example.com wildcard-example-com
fails bind mx1.example.net mail example.net wildcard-example-com
fails bind mx1.example.net mail '../../etc' wildcard-example-com
echo; echo "\$ mailcert-agent enroll --controller localhost:$port --token <token> --data-dir $work/agent"
bin/mailcert-agent enroll --controller "localhost:$port" --token "$token" --data-dir "$work/agent"
echo; echo "\$ mailcert-agent run --data-dir $work/agent --target files --files-dir $work/certs &"
bin/mailcert-agent run --data-dir "$work/agent" --target files --files-dir "$work/certs" --start-delay 0s \
  >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 120); do
  if bin/mailcert --output json host show mx1.example.net 2>/dev/null | grep -q '"connected": true' \
     && [ -f "$work/certs/live/webmail.example.com/privkey.pem" ]; then break; fi
  if ! kill -0 "$agent_pid" 2>/dev/null; then cat "$work/agent.log" >&2; exit 1; fi
  sleep 0.5
done
echo; echo "\$ find $work/certs -type f | sort"; find "$work/certs" -type f | sort
echo; echo "\$ stat -c '%a %n' $work/certs/live/*/privkey.pem"; stat -c '%a %n' "$work"/certs/live/*/privkey.pem
echo; echo "\$ mailcert-agent status --data-dir $work/agent"; bin/mailcert-agent status --data-dir "$work/agent"
run cert list
run binding list
run host show mx1.example.net
run client-settings example.com
run events --limit 20
echo; echo "\$ curl http://127.0.0.1:$metrics/metrics"; curl -fsS "http://127.0.0.1:$metrics/metrics"

if $keep; then
  echo; echo "controller (pid $pid) and agent (pid $agent_pid) keep running; stop them with: kill $agent_pid $pid"
else
  echo; echo "demo finished; controller and agent stopped. Files are in $work"
fi
