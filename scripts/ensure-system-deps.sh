#!/usr/bin/env bash
# The system packages the test suite needs besides Python, found or installed:
#   postgresql  initdb, pg_ctl and pg_basebackup (throwaway clusters, the streaming replica)
#   pgbouncer   the transaction pooler of tests/e2e/test_replica.py
#   chromium    the dashboard's browser test (found on PATH, or at $REDRESS_CHROMIUM)
#   npm         `make clients` and its drift test (openapi-typescript, from the npm registry)
# As root with apt-get, the missing ones are installed; otherwise the one command that would
# install them is printed and the script fails. `make test` and .ci/run call it.
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 \
  && ! command -v pg_basebackup >/dev/null; then
  missing+=(postgresql)
fi
# Debian puts pgbouncer in /usr/sbin, which is not on a user's PATH.
if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
  missing+=(pgbouncer)
fi
if [ -n "${REDRESS_CHROMIUM:-}" ]; then
  if [ ! -x "$REDRESS_CHROMIUM" ]; then
    echo "REDRESS_CHROMIUM=$REDRESS_CHROMIUM is not an executable browser" >&2
    exit 1
  fi
elif ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  missing+=(chromium)
fi

if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

((${#missing[@]})) || exit 0
command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-system-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi
echo "ensure-system-deps: the tests need ${missing[*]}; install with:" >&2
echo "  sudo $command" >&2
exit 1
