#!/bin/sh
# Runs once, when the primary's data directory is first made (the postgres image runs the files
# in /docker-entrypoint-initdb.d/). Creates what scripts/lib/services.sh creates in development:
# the three roles of docs/architecture.md with passwords from the secret files, the `intake`
# database owned by the migrator (`intake migrate` then makes the schema and grants), and a
# replication role for the streaming replica.
set -eu
secret() { cat "/run/secrets/$1"; }

psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname postgres \
  -v migrator="$(secret pg_migrator_password)" \
  -v app="$(secret pg_app_password)" \
  -v purger="$(secret pg_purger_password)" \
  -v replication="$(secret pg_replication_password)" <<'SQL'
CREATE ROLE intake_migrator LOGIN CREATEDB PASSWORD :'migrator';
CREATE ROLE intake_app LOGIN PASSWORD :'app';
CREATE ROLE intake_purger LOGIN PASSWORD :'purger';
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'replication';
CREATE DATABASE intake OWNER intake_migrator;
SQL

# Only the replication role may stream WAL, only from the compose network, with a password.
echo "host replication replicator samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
