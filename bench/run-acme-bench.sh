#!/usr/bin/env bash
# The ACME issuance benchmark of issue 6: N certificates (wildcard + apex each) from one Debian
# Pebble (PEBBLE_VA_NOSLEEP=1, PEBBLE_VA_ALWAYS_VALID=1) whose DNS is a real BIND 9 updated by
# RFC 2136 with a TSIG key, issued first by mailcert (a real controller process, one issuer with the
# rfc2136 solver and its authoritative propagation check, RequestCertificate over the admin API)
# and then, against the same Pebble and BIND in the same run, by Debian's certbot with the
# dns-rfc2136 plugin. All on 127.0.0.1 only, started and stopped by the Java program. Prints a
# Markdown results table at the end.
#
#   bench/run-acme-bench.sh [--runs N] [--count N] [--concurrency N] [--warmup N] [--out DIR]
#                           [--skip-build] [--keep] [--quiet-wait SECONDS] [--jfr]
#                           [--propagation-seconds S] [--sides mailcert,certbot]
#
# --runs N         independent runs, each with a fresh BIND, Pebble and controller (default 2)
# --count N        certificates per measured phase (default 100). Phases: mailcert one request at a
#                  time; mailcert --concurrency requests at a time; certbot one process after the
#                  other (how certbot is run); certbot with --concurrency workers, each with its own
#                  --config-dir/--work-dir/--logs-dir
# --concurrency N  clients at once for the parallel phases (default 4, as the controller's renewal
#                  scheduler runs at most 4 orders at once); 1 skips the parallel phases
# --warmup N       certificates issued by each side before its phases, not counted (default 3)
# --out DIR        where results go (default bench/target/acme-results)
# --skip-build     use the jars already built
# --keep           keep the work directories (BIND, Pebble, controller data dir, certbot dirs)
# --quiet-wait S   before each measured phase, wait up to S seconds (default 300) for the machine to
#                  be idle (other programs using under 0.3 of a core); 0 does not wait. The results
#                  record what other programs used during each phase either way.
# --jfr            record a JFR profile of the controller (run-N/controller.jfr, settings=profile);
#                  bench/jfr-top.py cpu|park FILE sums it by mailcert frame
# --propagation-seconds S  certbot's --dns-rfc2136-propagation-seconds (default 0, the smallest it
#                  accepts: certbot then sleeps 0 s and does not check the record itself)
# --sides LIST     mailcert,certbot (default), or one of them
#
# Needs: JDK 17, Maven, Debian's certbot, python3-certbot-dns-rfc2136, pebble, bind9, bind9-utils
# (installed with apt-get when missing, as root; their own services are not started).
set -euo pipefail

cd "$(dirname "$0")/.."

RUNS=2
COUNT=100
CONCURRENCY=4
WARMUP=3
OUT=$(pwd)/bench/target/acme-results
BUILD=1
KEEP=0
QUIET_WAIT=300
JFR=0
PROPAGATION=0
SIDES=mailcert,certbot
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    --jfr) JFR=1; shift ;;
    --propagation-seconds) PROPAGATION=$2; shift 2 ;;
    --sides) SIDES=$2; shift 2 ;;
    *) echo "run-acme-bench.sh: unknown option $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

need=()
command -v certbot >/dev/null || need+=(certbot)
[ -d /usr/lib/python3/dist-packages/certbot_dns_rfc2136 ] || need+=(python3-certbot-dns-rfc2136)
[ -x /usr/bin/pebble ] && [ -x /usr/bin/pebble-challtestsrv ] || need+=(pebble)
[ -x /usr/sbin/named ] || need+=(bind9)
[ -x /usr/sbin/tsig-keygen ] || need+=(bind9-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "run-acme-bench.sh: missing ${need[*]}; run as root or: apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "== installing ${need[*]}" >&2
  # The packages' own services (the system's named, certbot's renewal timer) are not started.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# installed by mailcert bench/run-acme-bench.sh during apt-get install\nexit 101\n' > "$policy"
    chmod 755 "$policy"
  else
    policy=
  fi
  apt-get update -qq
  rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || rc=$?
  [ -z "$policy" ] || rm -f "$policy"
  [ "$rc" = 0 ] || exit "$rc"
fi

if [ "$BUILD" = 1 ]; then
  echo "== building the controller and the benchmark (mvn -Pbench)" >&2
  mvn -B -q -o -Pbench -pl bench/acme -am -DskipTests package 2>/dev/null \
    || mvn -B -q -Pbench -pl bench/acme -am -DskipTests package
fi
ACME_CP="bench/acme/target/mailcert-bench-acme.jar:bench/acme/target/lib/*"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailcert-acme-bench.XXXXXX")
CHILD=
. bench/lib.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
rm -rf "$OUT"/run-*
for r in $(seq 1 "$RUNS"); do
  dir="$OUT/run-$r"
  mkdir -p "$dir"
  jvm="-Xms256m -Xmx1g"
  [ "$JFR" = 0 ] || jvm="$jvm -XX:StartFlightRecording=filename=$dir/controller.jfr,settings=profile,dumponexit=true"
  echo "== run $r/$RUNS: $COUNT certificates per phase, $CONCURRENCY at once in the parallel phases" >&2
  # java.io.tmpdir under $WORK: Pebble's temp dir too, so bench_cleanup finds whatever is left.
  mkdir -p "$WORK/run-$r/tmp"
  "$JAVA" -Xmx512m -Djava.io.tmpdir="$WORK/run-$r/tmp" -cp "$ACME_CP" org.mailcert.bench.AcmeBench \
    --run "$r" --count "$COUNT" --concurrency "$CONCURRENCY" --warmup "$WARMUP" --sides "$SIDES" \
    --propagation-seconds "$PROPAGATION" --controller-jar controller/target/mailcert-controller.jar \
    --controller-jvm "$jvm" --quiet-wait "$QUIET_WAIT" --work "$WORK/run-$r" --out "$dir/acme.properties" \
    2> >(tee "$dir/bench.log" >&2) &
  CHILD=$!
  rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  [ "$rc" = 0 ] || { echo "run-acme-bench.sh: run $r failed ($rc); see $dir/bench.log" >&2; exit "$rc"; }
done

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);" \
    "$("$JAVA" -version 2>&1 | sed -n 1p); $(certbot --version 2>&1) (python3-certbot-dns-rfc2136" \
    "$(dpkg-query -W -f='${Version}' python3-certbot-dns-rfc2136 2>/dev/null)); pebble" \
    "$(dpkg-query -W -f='${Version}' pebble 2>/dev/null); BIND $(/usr/sbin/named -v 2>/dev/null | awk '{print $2}')"
  echo
  "$JAVA" -cp "$ACME_CP" org.mailcert.bench.AcmeReport "$OUT"
} | tee "$OUT/results.md"
echo "results: $OUT/results.md and $OUT/run-*/ (controller.log, certbot-output/: each certbot run's output)" >&2
