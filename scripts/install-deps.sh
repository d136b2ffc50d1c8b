#!/usr/bin/env bash
# Installs what building and testing mailcert needs on Debian 12 / Ubuntu: a JDK 17, Maven,
# openssl, and the real servers the integration tests start on loopback (Postfix with LMDB maps,
# Dovecot IMAP/POP3, Courier's couriertls, swaks, Pebble, BIND 9 and nginx). Runs apt-get only for what is missing, so it is
# cheap on a prepared machine. The packages' own services are NOT started (a policy-rc.d denies it
# during the install): the tests run their own instances on 127.0.0.1 with their own config.
set -euo pipefail

need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
# The packages' dependency (installers/test-packages.sh installs them with dpkg -i).
dpkg-query -W -f='${Status}' openjdk-17-jre-headless 2>/dev/null | grep -q 'ok installed' || need+=(openjdk-17-jre-headless)
command -v adduser >/dev/null 2>&1 || need+=(adduser)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v postfix >/dev/null 2>&1 || need+=(postfix)
[ -e /usr/lib/postfix/postfix-lmdb.so ] || need+=(postfix-lmdb)
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-core)
[ -e /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)
[ -e /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)
command -v couriertls >/dev/null 2>&1 || need+=(courier-base)
command -v swaks >/dev/null 2>&1 || need+=(swaks)
[ -x /bin/kill ] || need+=(procps)   # kill -HUP: the Dovecot target reloads the master with it
command -v pebble >/dev/null 2>&1 || need+=(pebble)               # ACME test CA (and pebble-challtestsrv)
command -v named >/dev/null 2>&1 || need+=(bind9)                 # RFC 2136 dynamic updates with TSIG
command -v tsig-keygen >/dev/null 2>&1 || need+=(bind9-utils)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)      # systemd-analyze verify of the units
[ -x /usr/sbin/nginx ] || need+=(nginx)                            # webmail over HTTPS (the nginx target)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${need[*]}; run as root or install them: apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure the machine's mail; "No configuration" leaves the system alone.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# installed by mailcert scripts/install-deps.sh during apt-get install\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
