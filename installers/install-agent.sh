#!/bin/sh
# install-agent.sh: installs the mailcert agent on a Debian or Ubuntu mail host, enrolls it with the
# controller, sets what it installs into and starts its service. Run it as root; it is one line an
# admin can run over SSH on many hosts, e.g. with a fresh single-use token per host:
#
#   mailcert token create --host mx1.example.net | tail -n 1 | ssh root@mx1.example.net \
#     sh /tmp/install-agent.sh --controller mailcert.example.net:7443 --token-file - --package /tmp/mailcert-agent.deb
#
# Run it again to upgrade (the identity and state are kept) or to change the targets. POSIX sh.
set -eu

PROG=install-agent.sh
CONFIG=/etc/mailcert/agent.yaml
UNIT=mailcert-agent.service
BEGIN_MARK='# BEGIN install-agent.sh (it rewrites these lines when run with --target or --set)'
END_MARK='# END install-agent.sh'
KNOWN_TARGETS='files postfix dovecot nginx qmail courier'

usage() {
  cat <<'EOF'
Usage: install-agent.sh --controller HOST:PORT [--token TOKEN | --token-file FILE|-] [options]

Installs the mailcert-agent package, enrolls this host (once), sets its targets in
/etc/mailcert/agent.yaml and starts mailcert-agent.service, then waits until the agent is connected.

  --controller HOST:PORT  the controller's agent address (port 7443 if omitted); needed to enroll
  --token TOKEN           the join token from `mailcert token create --host FQDN` (visible in the
                          process list: prefer --token-file - with the token on stdin, or the
                          MAILCERT_JOIN_TOKEN environment variable)
  --token-file FILE|-     read the token from FILE's first line, or stdin for -
  --package FILE|URL      the mailcert-agent .deb (a local file or an https:// URL); default: apt's
                          mailcert-agent from the repositories this host has configured
  --target LIST           what to install into, comma-separated: files, postfix, dovecot, nginx,
                          qmail, courier; default on the first run: the mail servers found here
  --set KEY=VALUE         another `mailcert-agent run` setting for agent.yaml (repeatable), e.g.
                          --set webmail-upstream=http://127.0.0.1:8080 for nginx
  --force                 enroll again, replacing this host's identity
  --service-manager systemd|none
                          how to start the agent (default: systemd when it runs; none only enrolls
                          and configures)
  --wait SECONDS          how long to wait for the agent to connect (default 60; 0: do not wait)
  -h, --help              this help

Exit codes: 0 done, 1 failed (the message says which step), 2 bad usage.
EOF
}

die() { echo "$PROG: $*" >&2; exit 1; }
bad_usage() { echo "$PROG: $* (see $PROG --help)" >&2; exit 2; }
say() { echo "$PROG: $*"; }

controller= token= token_file= package= targets= sets= force= manager= wait_s=60 downgrade=
while [ $# -gt 0 ]; do
  case "$1" in
    --controller) [ $# -ge 2 ] || bad_usage "$1 needs a value"; controller=$2; shift 2 ;;
    --token) [ $# -ge 2 ] || bad_usage "$1 needs a value"; token=$2; shift 2 ;;
    --token-file) [ $# -ge 2 ] || bad_usage "$1 needs a value"; token_file=$2; shift 2 ;;
    --package) [ $# -ge 2 ] || bad_usage "$1 needs a value"; package=$2; shift 2 ;;
    --target) [ $# -ge 2 ] || bad_usage "$1 needs a value"; targets=$2; shift 2 ;;
    --set) [ $# -ge 2 ] || bad_usage "$1 needs a value"
      case "$2" in *"
"*) bad_usage "--set: a value cannot hold a line break" ;; esac
      sets="$sets
$2"; shift 2 ;;
    --force) force=1; shift ;;
    --service-manager) [ $# -ge 2 ] || bad_usage "$1 needs a value"; manager=$2; shift 2 ;;
    --wait) [ $# -ge 2 ] || bad_usage "$1 needs a value"; wait_s=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown argument: $1" ;;
  esac
done

# ---- check everything before anything changes --------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "run it as root (it installs a package and a system service)"
case "$wait_s" in ''|*[!0-9]*) bad_usage "--wait takes whole seconds" ;; esac
if [ -n "$token" ] && [ -n "$token_file" ]; then bad_usage "give --token or --token-file, not both"; fi
case "$manager" in
  '') if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then manager=systemd; else manager=none; fi ;;
  systemd|none) ;;
  *) bad_usage "--service-manager is systemd or none" ;;
esac
if [ -n "$targets" ]; then
  targets=$(echo "$targets" | tr ',' ' ')
  for t in $targets; do
    case " $KNOWN_TARGETS " in *" $t "*) ;; *) bad_usage "unknown target '$t' (known: $KNOWN_TARGETS)" ;; esac
  done
fi
set_lines=
while IFS= read -r kv; do
  [ -n "$kv" ] || continue
  case "$kv" in *=*) ;; *) bad_usage "--set takes KEY=VALUE, got '$kv'" ;; esac
  key=${kv%%=*}; value=${kv#*=}
  case "$key" in ''|*[!a-z0-9-]*|-*) bad_usage "--set: '$key' is not a setting name" ;; esac
  case "$key" in target|data-dir|config) bad_usage "--set: $key is set by $PROG itself" ;; esac
  # A YAML single-quoted scalar: nothing in it is special but the quote, which is doubled.
  set_lines="$set_lines$key: '$(printf '%s' "$value" | sed "s/'/''/g")'
"
done <<EOF
$sets
EOF
case "$package" in
  ''|https://*) ;;
  *://*) bad_usage "--package URLs must be https://" ;;
  *) [ -f "$package" ] || die "--package: no file $package" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The token, read now so that stdin is not consumed by a later command.
if [ "$token_file" = - ]; then
  IFS= read -r token || [ -n "$token" ] || die "no token on stdin"
elif [ -n "$token_file" ]; then
  [ -r "$token_file" ] || die "--token-file: cannot read $token_file"
  IFS= read -r token <"$token_file" || [ -n "$token" ] || die "--token-file: $token_file is empty"
elif [ -z "$token" ]; then
  token=${MAILCERT_JOIN_TOKEN:-}
fi

# ---- 1. the package ------------------------------------------------------------------------------
apt_install() {
  # --force-confold keeps an admin's edited /etc/mailcert/agent.yaml on upgrade, without a prompt.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confold "$@"
}
if [ -n "$package" ]; then
  case "$package" in
    https://*)
      command -v curl >/dev/null || die "curl is needed to fetch $package"
      curl -fsS --proto '=https' --tlsv1.2 -o "$work/mailcert-agent.deb" "$package" \
        || die "cannot fetch $package"
      deb="$work/mailcert-agent.deb" ;;
    *) deb=$(readlink -f "$package") ;;
  esac
  name=$(dpkg-deb -f "$deb" Package 2>/dev/null) || die "$package is not a Debian package"
  [ "$name" = mailcert-agent ] || die "$package is $name, not mailcert-agent"
  version=$(dpkg-deb -f "$deb" Version)
  # The package's preinst refuses a downgrade too; saying so here keeps apt from trying.
  current=$(dpkg-query -W -f='${db:Status-Status} ${Version}' mailcert-agent 2>/dev/null || true)
  case "$current" in
    "installed "*)
      if dpkg --compare-versions "${current#installed }" gt "$version"; then
        [ "${MAILCERT_ALLOW_DOWNGRADE:-}" = 1 ] \
          || die "refusing to downgrade mailcert-agent from ${current#installed } to $version; set MAILCERT_ALLOW_DOWNGRADE=1 to go back anyway (see the README)"
        downgrade=--allow-downgrades
      fi ;;
  esac
  # apt resolves the Java dependency; a host whose package lists are empty gets them once.
  apt_install ${downgrade:-} "$deb" >"$work/apt.log" 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt_install ${downgrade:-} "$deb" >"$work/apt.log" 2>&1; } \
    || { tail -n 5 "$work/apt.log" >&2; die "installing $package ($version) failed (apt-get's last lines above)"; }
else
  apt_install mailcert-agent >"$work/apt.log" 2>&1 \
    || { tail -n 5 "$work/apt.log" >&2; die "apt-get install mailcert-agent failed; give --package FILE|URL if no repository here has it"; }
fi
installed=$(dpkg-query -W -f='${Version}' mailcert-agent)
say "mailcert-agent $installed is installed"

# ---- 2. the identity -----------------------------------------------------------------------------
[ -f "$CONFIG" ] || die "$CONFIG is missing (the package ships it; reinstall with apt-get install --reinstall mailcert-agent)"
data_dir=$(sed -n "s/^data-dir:[[:space:]]*//p" "$CONFIG" | tail -n 1 | sed "s/^['\"]//; s/['\"][[:space:]]*$//")
[ -n "$data_dir" ] || data_dir=/var/lib/mailcert-agent
if [ -f "$data_dir/identity/agent.key" ] && [ -z "$force" ]; then
  say "already enrolled; keeping this host's identity in $data_dir (--force enrolls again)"
else
  [ -n "$controller" ] || bad_usage "--controller is needed to enroll"
  [ -n "$token" ] || bad_usage "a join token is needed to enroll: --token, --token-file or MAILCERT_JOIN_TOKEN"
  # Its "next:" hint is what the rest of this script does, so it is left out.
  MAILCERT_JOIN_TOKEN=$token mailcert-agent enroll --controller "$controller" --data-dir "$data_dir" \
    ${force:+--force} >"$work/enroll.log" || die "enrollment failed (the message above says why); nothing was started"
  grep -v '^  next:' "$work/enroll.log" || true
fi
token=

# ---- 3. the targets ------------------------------------------------------------------------------
detect_targets() {
  found=
  [ -f /etc/postfix/main.cf ] && found="$found postfix"
  [ -f /etc/dovecot/dovecot.conf ] && found="$found dovecot"
  [ -d /var/qmail/control ] && found="$found qmail"
  [ -d /etc/courier ] && found="$found courier"
  echo "$found"
}
# agent.yaml is the admin's file (a conffile) with one block of ours; the rest is left as it is.
# block inside|outside: the lines of agent.yaml between our marks, or all the others.
block() {
  awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v want="$1" \
    '$0 == b { on = 1; next } $0 == e { on = 0; next } (on && want == "inside") || (!on && want == "outside")' "$CONFIG"
}
block outside >"$work/admin.yaml"
block inside >"$work/ours.yaml"
if [ -z "$targets" ] && [ -z "$set_lines" ] && grep -q '^target:' "$work/ours.yaml" "$work/admin.yaml"; then
  say "keeping the targets in $CONFIG"
else
  if [ -z "$targets" ]; then
    targets=$(sed -n 's/^target: \[\(.*\)\]$/\1/p' "$work/ours.yaml" | tr ',' ' ')
  fi
  if [ -z "$targets" ] && ! grep -q '^target:' "$work/admin.yaml"; then
    targets=$(detect_targets)
    [ -n "$targets" ] || die "no Postfix, Dovecot, qmail or Courier found here; give --target"
    say "found:$targets"
  fi
  # Settings of an earlier run stay unless set again; a key the admin set too would be a YAML duplicate.
  new_keys=$(printf '%s' "$set_lines" | sed -n 's/^\([a-z0-9-]*\):.*/\1/p' | tr '\n' ' ')
  for key in ${targets:+target} $new_keys; do
    if grep -q "^$key:" "$work/admin.yaml"; then
      die "$CONFIG already sets $key outside the install-agent.sh block; remove that line or leave $key out"
    fi
  done
  {
    cat "$work/admin.yaml"
    echo "$BEGIN_MARK"
    [ -z "$targets" ] || echo "target: [$(echo $targets | sed 's/ /, /g')]"
    grep -v '^target:' "$work/ours.yaml" | while IFS= read -r line; do
      case " $new_keys " in *" ${line%%:*} "*) ;; *) echo "$line" ;; esac
    done
    printf '%s' "$set_lines"
    echo "$END_MARK"
  } >"$CONFIG.install-agent.new"
  chmod 644 "$CONFIG.install-agent.new"
  mv "$CONFIG.install-agent.new" "$CONFIG"
  say "set in $CONFIG:"
  block inside | sed 's/^/  /'
fi

# ---- 4. the service ------------------------------------------------------------------------------
if [ "$manager" = none ]; then
  say "not starting a service (--service-manager none); run: mailcert-agent run --config $CONFIG"
  exit 0
fi
# The unit makes the file system read-only but for the mail servers' directories; the files target
# writes where the admin said, so that directory is opened by a drop-in of ours.
dropin_dir=/etc/systemd/system/$UNIT.d
files_dir=$(sed -n "s/^files-dir:[[:space:]]*'\(.*\)'$/\1/p" "$CONFIG" | tail -n 1)
if [ -n "$files_dir" ]; then
  case "$files_dir" in /*) ;; *) die "files-dir must be an absolute path, not $files_dir" ;; esac
  case "$files_dir" in *[[:space:]\"\'\\%]*) die "files-dir $files_dir has a character a unit file cannot hold" ;; esac
  mkdir -p "$dropin_dir"
  printf '# Written by install-agent.sh: the files target writes here.\n[Service]\nReadWritePaths=%s\n' \
    "$files_dir" >"$dropin_dir/install-agent.conf"
  install -d -m 0755 "$files_dir"
elif [ -f "$dropin_dir/install-agent.conf" ]; then
  rm -f "$dropin_dir/install-agent.conf"
fi
systemctl daemon-reload || die "systemctl daemon-reload failed"
systemctl enable "$UNIT" >/dev/null 2>&1 || die "systemctl enable $UNIT failed"
started=$(date +%s)
systemctl restart "$UNIT" || die "systemctl restart $UNIT failed; see journalctl -u $UNIT"
say "started $UNIT (enabled at boot)"
[ "$wait_s" -gt 0 ] || exit 0
# Connected since the restart: the status file of the agent that ran before says connected too.
i=0
while [ "$i" -lt "$wait_s" ]; do
  status=$(mailcert-agent status --data-dir "$data_dir" --output json 2>/dev/null || true)
  # The top-level fields are indented by two spaces; drift items have a "since" of their own.
  since=$(echo "$status" | sed -n 's/^  "since": *"\([^"]*\)".*/\1/p')
  case "$status" in
    *'
  "connection": "connected"'*)
      if [ -n "$since" ] && [ "$(date -d "$since" +%s 2>/dev/null || echo 0)" -ge "$started" ]; then
        say "the agent is connected to the controller"
        exit 0
      fi ;;
  esac
  sleep 1
  i=$((i + 1))
done
last_error=$(echo "$status" | sed -n 's/^  "last_error": *"\([^"]*\)".*/\1/p')
die "the agent did not connect within ${wait_s}s${last_error:+: $last_error}; see journalctl -u $UNIT"
