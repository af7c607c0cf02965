#!/bin/sh
# Starts the streaming replica. On first start (empty data directory) it copies the primary with
# pg_basebackup as the `replicator` role; -R writes standby.signal and primary_conninfo, so the
# server then follows the primary. A read-only hot standby: Intake never writes to it; it is
# there to fail over to (promote it with `pg_ctl promote`, see deploy/README.md) and to take
# backups from without loading the primary.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
mkdir -p "$PGDATA"
chown postgres:postgres "$PGDATA"
chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h postgres-primary -p 5432; do
    echo "replica: waiting for postgres-primary" >&2
    sleep 2
  done
  PGPASSWORD=$(cat /run/secrets/pg_replication_password) \
    gosu postgres pg_basebackup -h postgres-primary -p 5432 -U replicator -D "$PGDATA" -X stream -R
fi
exec gosu postgres postgres \
  -c hot_standby=on \
  -c log_connections=off -c log_disconnections=off -c log_hostname=off \
  -c "log_line_prefix=%m [%p] "
