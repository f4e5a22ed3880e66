#!/usr/bin/env bash
# The Debian packages the test suite needs (real PostgreSQL, Redis and nginx daemons, unshare,
# systemd-analyze and systemd-notify, python3 as an sd_notify receiver, curl, a headless Chromium):
# each is checked, and what is missing is installed when we are root with apt-get, visibly.
# Nothing is installed when everything is already there.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have unshare || need+=(util-linux)
have mkfifo || need+=(coreutils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
have redis-server || need+=(redis-server)
[ -x /usr/sbin/nginx ] || need+=(nginx)
have curl || need+=(curl)
{ have systemd-analyze && have systemd-notify; } || need+=(systemd)
have python3 || need+=(python3)
[ -x /usr/bin/chromium ] || need+=(chromium)

if ((${#need[@]} == 0)); then
  echo "test prerequisites: all present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! have apt-get; then
  echo "test prerequisites missing: ${need[*]}" >&2
  echo "install them as root (apt-get install ${need[*]}); the tests that need them will fail until then" >&2
  exit 0
fi

echo "test prerequisites: installing Debian packages ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# Installing must not start the packages' own system services: the tests start their own, on loopback.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
echo "test prerequisites: installed ${need[*]}"
