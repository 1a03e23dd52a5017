#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 cluster on 127.0.0.1:$PGPORT (trust auth, for tests only).
# Usage: source .ci/start-postgres.sh  -> exports DATABASE_URL; stop with: pg_stop
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGPORT=${PGPORT:-55432}
# Take the first free port from there (an earlier cluster may still hold one).
while (exec 3<>"/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null; do PGPORT=$((PGPORT + 1)); done
PGDATA=$(mktemp -d /tmp/club-pg.XXXX)
chown postgres:postgres "$PGDATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$PGDATA -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -l "$PGDATA/server.log" -w start >/dev/null
runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE club_test" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/club_test"
export CLUB_PGDATA=$PGDATA CLUB_PGBIN=$PGBIN
pg_stop() { runuser -u postgres -- "$CLUB_PGBIN/pg_ctl" -D "$CLUB_PGDATA" -m fast -w stop >/dev/null || true; }
echo "PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') on 127.0.0.1:$PGPORT ($PGDATA)"
