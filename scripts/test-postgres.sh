#!/usr/bin/env bash
# Run the whole suite (less the browser tests, which run on SQLite) against PostgreSQL.
# Uses DATABASE_URL when given; otherwise starts the local server if needed and uses a throwaway database.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DATABASE_URL:-}" ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "PostgreSQL is not running; starting the local cluster."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  db="cbtc_ci_$$_$(date +%s)"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${db}"
  # pytest-django creates and drops test_<name>; the named database itself is never used.
  trap 'psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS test_${db}" >/dev/null 2>&1 || true' EXIT
fi

echo "Running the suite on PostgreSQL (${DATABASE_URL%%@*}@…)"
.venv/bin/pytest -m "not browser" "$@"
