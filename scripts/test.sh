#!/usr/bin/env bash
# The test command: installs what the tests need (Debian 12, as root), then runs the unit tests
# (Surefire) and the integration tests (Failsafe) of every module.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec mvn -B -ntp verify "$@"
