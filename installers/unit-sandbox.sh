#!/usr/bin/env bash
# unit-sandbox.sh UNIT_FILE [DROP_IN...] -- COMMAND [ARG...]
#
# Runs COMMAND with the file-system view systemd gives a unit with ProtectSystem=strict, so that a
# machine without systemd (CI) can prove the units' hardening still lets the services do their job:
#  - every mount is read-only but /dev, /proc and /sys (ProtectSystem=strict);
#  - the unit's and drop-ins' ReadWritePaths= are writable again (a leading - marks a path that may
#    be missing, as in systemd; a missing path without it is an error);
#  - /tmp and /var/tmp are new empty tmpfs (PrivateTmp=yes);
#  - /home and /root are empty and read-only (ProtectHome=yes).
# The other settings (NoNewPrivileges, address families, PrivateDevices...) are not emulated. Needs
# root and unshare(1); the namespace ends with COMMAND.
set -euo pipefail
fail() { echo "unit-sandbox: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (mount namespaces)"
files=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
[ $# -ge 2 ] || fail "usage: unit-sandbox.sh UNIT_FILE [DROP_IN...] -- COMMAND [ARG...]"
shift
[ "${#files[@]}" -ge 1 ] || fail "no unit file"
grep -qx 'ProtectSystem=strict' "${files[0]}" || fail "${files[0]} does not say ProtectSystem=strict"

writable=()
for f in "${files[@]}"; do
  while read -r line; do
    for p in ${line#ReadWritePaths=}; do writable+=("$p"); done
  done < <(grep '^ReadWritePaths=' "$f")
done

exec unshare --mount --propagation private bash -s -- "$@" <<EOF
set -euo pipefail
# Read-only: every mount point but the API file systems, deepest last so none is hidden.
awk '{ print \$2 }' /proc/self/mounts | sort -u | while read -r m; do
  case "\$m" in /dev|/dev/*|/proc|/proc/*|/sys|/sys/*) continue ;; esac
  mount -o remount,bind,ro "\$m" 2>/dev/null || { mount --bind "\$m" "\$m" && mount -o remount,bind,ro "\$m"; }
done
for p in ${writable[*]@Q}; do
  optional=
  case "\$p" in -*) optional=1; p=\${p#-} ;; esac
  if [ -e "\$p" ]; then
    mount --bind "\$p" "\$p" && mount -o remount,bind,rw "\$p"
  elif [ -z "\$optional" ]; then
    echo "unit-sandbox: ReadWritePaths=\$p does not exist (systemd would refuse to start the unit)" >&2; exit 1
  fi
done
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount -t tmpfs -o ro,mode=0755 tmpfs /home
mount -t tmpfs -o ro,mode=0700 tmpfs /root
exec "\$@"
EOF
