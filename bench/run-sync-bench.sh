#!/usr/bin/env bash
# The sync benchmark of issue 3: the real controller with 1,000 simulated agents over loopback
# mTLS, then etcd 3.4 (Debian's etcd-server) with 1,000 watchers on the same change pattern.
# Everything runs on 127.0.0.1 only, as plain processes this script (through the two Java
# programs) starts and stops. Prints a Markdown results table at the end.
#
#   bench/run-sync-bench.sh [--runs N] [--agents N] [--changes N] [--warmup N] [--etcd-clients N]
#                           [--out DIR] [--skip-build] [--keep] [--jfr] [--quiet-wait SECONDS]
#
# --runs N         independent runs, each with a fresh controller and etcd (default 2)
# --agents N       simulated agents = hosts = etcd watchers (default 1000)
# --changes N      single changes measured per run (default 500)
# --warmup N       changes before those, of the same kind, not measured (default 100; both
#                  mailcert and etcd get them, so both are measured warm)
# --etcd-clients N jetcd clients (connections) the watchers are spread over (default 10)
# --out DIR        where results go (default bench/target/results)
# --skip-build     use the jars already built
# --keep           keep the work directories (controller data dir and log, etcd log)
# --jfr            record a JFR profile of the controller per phase (in the kept work directory)
# --quiet-wait S   before each program and each measured phase, wait up to S seconds (default
#                  600) for the machine to be idle (other programs using under 0.3 of a core);
#                  0 does not wait. The results record what other programs used during each
#                  phase either way.
#
# Needs: JDK 17, Maven, root for `apt-get install etcd-server` if etcd 3.4 is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUNS=2
AGENTS=1000
CHANGES=500
WARMUP=100
ETCD_CLIENTS=10
OUT=$(pwd)/bench/target/results
BUILD=1
KEEP=0
JFR=()
QUIET_WAIT=600
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --agents) AGENTS=$2; shift 2 ;;
    --changes) CHANGES=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --etcd-clients) ETCD_CLIENTS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --jfr) JFR=(--jfr); KEEP=1; shift ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    *) echo "run-sync-bench.sh: unknown option $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

# 1,000 agent connections in the bench process and as many in the controller.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((AGENTS * 2 + 512)) ]; then
  echo "run-sync-bench.sh: open-file limit $(ulimit -n) is too low for $AGENTS agents" >&2
  exit 1
fi

etcd_version() { # "3.4.23", or nothing
  local out
  out=$("$1" --version 2>/dev/null || true)
  sed -n 's/^etcd Version: //p' <<<"$out"
}

ETCD=$(command -v etcd || true)
if [ -z "$ETCD" ] || [[ "$(etcd_version "$ETCD")" != 3.4.* ]]; then
  if [ "$(id -u)" != 0 ]; then
    echo "run-sync-bench.sh: etcd 3.4 is missing; run as root or: apt-get install etcd-server" >&2
    exit 1
  fi
  echo "== installing etcd-server (etcd 3.4)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
  ETCD=$(command -v etcd)
fi

if [ "$BUILD" = 1 ]; then
  echo "== building the controller and the benchmarks (mvn -Pbench)" >&2
  mvn -B -q -Pbench -pl bench/sync,bench/etcd -am -DskipTests package
fi
SYNC_CP="bench/sync/target/mailcert-bench-sync.jar:bench/sync/target/lib/*"
ETCD_CP="bench/etcd/target/mailcert-bench-etcd.jar:bench/etcd/target/lib/*"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailcert-sync-bench.XXXXXX")
CHILD=
. bench/lib.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

run_java() { # LOG ARGS...: runs java in the background so the trap can stop it, stderr to LOG too
  local log=$1
  shift
  "$JAVA" "$@" 2> >(tee "$log" >&2) &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  return $rc
}

busy_ticks() { # CPU time the whole machine has used, in 1/100 s (the busy fields of /proc/stat)
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

wait_quiet() { # other people's builds on a shared machine would be measured too: wait them out
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local deadline=$((SECONDS + QUIET_WAIT)) a b used
  while :; do
    a=$(busy_ticks); sleep 10; b=$(busy_ticks)
    used=$(( (b - a) / 10 ))   # percent of one core over the 10 s
    if [ "$used" -le 30 ]; then
      echo "== machine idle: other programs used $used % of one core over 10 s" >&2
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "== machine still busy ($used % of one core) after ${QUIET_WAIT} s; measuring anyway" >&2
      return 0
    fi
    echo "== waiting for an idle machine: other programs use $used % of one core" >&2
  done
}

mkdir -p "$OUT"
rm -rf "$OUT"/run-*
for r in $(seq 1 "$RUNS"); do
  dir="$OUT/run-$r"
  mkdir -p "$dir"
  seed=$(( $(date +%s) + r ))
  wait_quiet
  echo "== run $r/$RUNS: mailcert controller, $AGENTS agents (seed $seed)" >&2
  run_java "$dir/mailcert.log" -Xms1g -Xmx3g -cp "$SYNC_CP" org.mailcert.bench.SyncBench \
    --agents "$AGENTS" --changes "$CHANGES" --warmup "$WARMUP" --seed "$seed" \
    --controller-jar controller/target/mailcert-controller.jar --quiet-wait "$QUIET_WAIT" \
    --work "$WORK/run-$r" --out "$dir/mailcert.properties" "${JFR[@]}"
  # etcd values are as large as the deltas mailcert sent in its latency phase (binding + material).
  value_bytes=$(sed -n 's/^latency.delta_bytes_mean=\([0-9]*\).*/\1/p' "$dir/mailcert.properties")
  wait_quiet
  echo "== run $r/$RUNS: etcd $(etcd_version "$ETCD"), $AGENTS watchers on" \
    "$ETCD_CLIENTS clients, values of $value_bytes bytes" >&2
  run_java "$dir/etcd.log" -Xms512m -Xmx2g -cp "$ETCD_CP" org.mailcert.bench.etcd.EtcdWatchBench \
    --watchers "$AGENTS" --clients "$ETCD_CLIENTS" --changes "$CHANGES" --warmup "$WARMUP" --value-bytes "$value_bytes" \
    --seed "$seed" --etcd "$ETCD" --quiet-wait "$QUIET_WAIT" --work "$WORK/run-$r" --out "$dir/etcd.properties"
done

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);" \
    "$("$JAVA" -version 2>&1 | sed -n 1p); etcd $(etcd_version "$ETCD")"
  echo
  "$JAVA" -cp "$SYNC_CP" org.mailcert.bench.Report "$OUT"
} | tee "$OUT/results.md"
echo "results: $OUT/results.md and $OUT/run-*/" >&2
