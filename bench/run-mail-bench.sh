#!/usr/bin/env bash
# The mail-target benchmark of issue 4: one host with 5,000 mail domains. A real controller, a
# real Postfix and Dovecot (Debian's, as separate instances under a temp dir) and the real agent
# with --target postfix,dovecot, all on 127.0.0.1 only, started and stopped by the Java program.
# Last, the drift cycles of issue 5 run in the benchmark's process over the fully applied host.
# Prints a Markdown results table at the end.
#
#   bench/run-mail-bench.sh [--domains N] [--bundle K] [--runs N] [--changes N] [--reloads N] [--out DIR]
#                           [--skip-build] [--keep] [--quiet-wait SECONDS] [--agent-jvm 'ARGS']
#                           [--dovecot-vsz-limit SIZE] [--drift-cycles N] [--targets postfix[,dovecot]]
#
# --domains N      mail domains (MAIL bindings, one certificate each) on the host (default 5000)
# --bundle K       K domains share one certificate (a SAN bundle naming mail.<d> of each; default 1)
# --runs N         independent runs, each with a fresh controller, servers and agent (default 1)
# --changes N      one-domain changes measured per run (default 20)
# --reloads N      doveadm reloads whose first connection is measured (default 3)
# --out DIR        where results go (default bench/target/mail-results)
# --skip-build     use the jars already built
# --keep           keep the work directories (controller, agent, Postfix and Dovecot dirs and logs)
# --quiet-wait S   before each measured phase, wait up to S seconds (default 600) for the machine
#                  to be idle (other programs using under 0.3 of a core); 0 does not wait. The
#                  results record what other programs used during each phase either way.
# --agent-jvm ARGS JVM options for the agent (default: none, the JVM's defaults)
# --dovecot-vsz-limit SIZE  set service config { vsz_limit } in Dovecot's conf.d before the agent
#                  starts, as an admin might (default: not set, Dovecot's 256 MB; the agent raises
#                  it itself for large configurations)
# --drift-cycles N drift cycles measured on the clean, fully applied host after the changes
#                  (default 5; 0 skips the drift phase). Each is a DriftCycle over real Postfix and
#                  Dovecot targets built as the agent builds them, reading the agent's applied state
#                  and managed files, with the agent's drift defaults: at most 64 handshakes, 8 at
#                  once, 8 s for a target's handshakes (MailBench's --drift-budget, --drift-parallel,
#                  --drift-deadline). Then, with the agent stopped,
#                  one cycle after deleting a managed key file and editing Postfix's SNI map source,
#                  which must report FileMissing and ConfigEdited (the run fails otherwise), and one
#                  after restoring them.
# --targets LIST   the agent's --target: postfix,dovecot (default) or postfix; with postfix alone,
#                  Dovecot still runs but is not managed, and the Dovecot reload phase is skipped
#                  (for sizes where the agent refuses Dovecot's per-domain configuration)
#
# Needs: JDK 17, Maven, Debian's postfix, postfix-lmdb, dovecot-core, dovecot-imapd, dovecot-pop3d
# (installed with apt-get when missing, as root), root (Postfix's master runs as root).
set -euo pipefail

cd "$(dirname "$0")/.."

DOMAINS=5000
BUNDLE=1
RUNS=1
CHANGES=20
RELOADS=3
OUT=$(pwd)/bench/target/mail-results
BUILD=1
KEEP=0
QUIET_WAIT=600
AGENT_JVM=""
VSZ_LIMIT=""
DRIFT_CYCLES=5
TARGETS=postfix,dovecot
while [ $# -gt 0 ]; do
  case "$1" in
    --domains) DOMAINS=$2; shift 2 ;;
    --bundle) BUNDLE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --changes) CHANGES=$2; shift 2 ;;
    --reloads) RELOADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    --agent-jvm) AGENT_JVM=$2; shift 2 ;;
    --dovecot-vsz-limit) VSZ_LIMIT=$2; shift 2 ;;
    --drift-cycles) DRIFT_CYCLES=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    *) echo "run-mail-bench.sh: unknown option $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

if ! command -v postfix >/dev/null || ! command -v postmap >/dev/null || [ ! -x /usr/sbin/dovecot ] \
    || [ ! -x /usr/lib/dovecot/imap-login ] || [ ! -e /usr/lib/postfix/postfix-lmdb.so ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "run-mail-bench.sh: Postfix or Dovecot is missing; run as root or: apt-get install postfix" \
      "postfix-lmdb dovecot-core dovecot-imapd dovecot-pop3d" >&2
    exit 1
  fi
  echo "== installing Postfix and Dovecot" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix postfix-lmdb dovecot-core dovecot-imapd \
    dovecot-pop3d >/dev/null
fi

if [ "$BUILD" = 1 ]; then
  echo "== building the controller, the agent and the benchmark (mvn -Pbench)" >&2
  mvn -B -q -Pbench -pl bench/mail -am -DskipTests package
fi
MAIL_CP="bench/mail/target/mailcert-bench-mail.jar:bench/mail/target/lib/*"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailcert-mail-bench.XXXXXX")
chmod 755 "$WORK"   # Postfix and Dovecot's unprivileged processes must reach their dirs under it
CHILD=
. bench/lib.sh
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
rm -rf "$OUT"/run-*
for r in $(seq 1 "$RUNS"); do
  dir="$OUT/run-$r"
  mkdir -p "$dir"
  seed=$(( $(date +%s) + r ))
  echo "== run $r/$RUNS: $DOMAINS domains ($BUNDLE to a certificate), $CHANGES changes (seed $seed)" >&2
  "$JAVA" -Xms512m -Xmx2g -cp "$MAIL_CP" org.mailcert.bench.MailBench \
    --domains "$DOMAINS" --bundle "$BUNDLE" --changes "$CHANGES" --reloads "$RELOADS" --drift-cycles "$DRIFT_CYCLES" --targets "$TARGETS" --seed "$seed" \
    --controller-jar controller/target/mailcert-controller.jar --agent-jar agent/target/mailcert-agent.jar \
    --agent-jvm "$AGENT_JVM" --dovecot-vsz-limit "$VSZ_LIMIT" --quiet-wait "$QUIET_WAIT" --work "$WORK/run-$r" --out "$dir/mail.properties" \
    2> >(tee "$dir/bench.log" >&2) &
  CHILD=$!
  rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  [ "$rc" = 0 ] || { echo "run-mail-bench.sh: run $r failed ($rc); see $dir/bench.log" >&2; exit "$rc"; }
done

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);" \
    "$("$JAVA" -version 2>&1 | sed -n 1p); Postfix $(dpkg-query -W -f='${Version}' postfix 2>/dev/null);" \
    "Dovecot $(dovecot --version 2>/dev/null)"
  echo
  "$JAVA" -cp "$MAIL_CP" org.mailcert.bench.MailReport "$OUT"
} | tee "$OUT/results.md"
echo "results: $OUT/results.md and $OUT/run-*/ (agent.log: the agent's own log)" >&2
