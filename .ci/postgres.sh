#!/usr/bin/env bash
# Runs the command given (`.ci/postgres.sh swift test`) beside a throwaway PostgreSQL 15 cluster:
# initdb in a temporary folder (as the postgres user when run as root, since postgres refuses
# root), trust authentication, loopback only, a free port. The command gets its admin URL in
# AUTHD_TEST_POSTGRES_URL, the server's programs in AUTHD_TEST_POSTGRES_BIN and
# AUTHD_REQUIRE_POSTGRES=1, so the PostgreSQL tests run instead of skipping. The cluster is
# stopped and its folder removed on exit, whether the command passed or failed.
set -euo pipefail

bin=${AUTHD_TEST_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$bin/initdb" ] || { echo "postgres.sh: no $bin/initdb (apt-get install postgresql-15)" >&2; exit 1; }

folder=$(mktemp -d /tmp/authd-ci-postgres.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$folder"
    as_owner=(runuser -u postgres --)
fi

stop() {
    # Only this cluster: pg_ctl stops the postmaster whose PID file is in our folder.
    if [ -e "$folder/data/postmaster.pid" ]; then
        "${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$folder"
}
trap stop EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_owner[@]}" "$bin/initdb" -D "$folder/data" -A trust -U postgres -E UTF8 --locale=C >"$folder/initdb.log" 2>&1 \
    || { cat "$folder/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $folder -c max_connections=200 -c fsync=off" start >/dev/null \
    || { cat "$folder/server.log" >&2; exit 1; }

export AUTHD_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
export AUTHD_TEST_POSTGRES_BIN="$bin"
export AUTHD_REQUIRE_POSTGRES=1
echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
status=0
"$@" || status=$?
exit $status
