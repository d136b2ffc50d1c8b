#!/usr/bin/env bash
# The test command: installs what the tests need (Debian 12, as root), then runs the unit tests
# (Surefire) and the integration tests (Failsafe) of every module, then proves the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mvn -B -ntp verify "$@"
# The Debian packages: built, installed, run, enrolled and purged on this machine (needs root, as CI is).
if [ "$(id -u)" -eq 0 ]; then
  installers/test-packages.sh
else
  echo "test.sh: installers/test-packages.sh not run: it needs root (dpkg -i)" >&2
fi
