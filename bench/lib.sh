# Shared by the bench/run-*.sh scripts (sourced, not run).

# Stops the benchmark program ($CHILD; its shutdown hook stops what it started), then anything still
# running from this run's work directory ($WORK), and removes $WORK unless $KEEP is 1.
bench_cleanup() {
  if [ -n "${CHILD:-}" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  # Anything still running from this run's work directory was started by us: stop it by PID.
  for pid in $(pgrep -f -- "$WORK/" || true); do
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$KEEP" = 0 ]; then
    rm -rf "$WORK"
  else
    echo "work directories kept in $WORK" >&2
  fi
}
