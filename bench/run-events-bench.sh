#!/usr/bin/env bash
# The event log retention benchmark: builds the controller and bench/events, then runs
# EventPruneBench N (default 1,000,000 events) --runs times (default 3). No network; the store lives
# in a temp dir that is deleted afterwards. Usage: bench/run-events-bench.sh [--events N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
events=1000000 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--events N] [--runs N]" >&2; exit 2 ;;
  esac
done
mvn -B -q -Pbench -pl bench/events -am -DskipTests package
for i in $(seq 1 "$runs"); do
  java -cp "bench/events/target/mailcert-bench-events.jar:bench/events/target/lib/*" \
    -Dlogback.configurationFile=/dev/null org.mailcert.bench.EventPruneBench "$events" 2>/dev/null
done
