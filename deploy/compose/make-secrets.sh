#!/bin/sh
# Makes the secret files compose.yaml reads, in deploy/compose/secrets/ (git-ignored), once.
# Run it as root on the Docker host: `sh deploy/compose/make-secrets.sh`. It never overwrites a
# file that exists, so running it again is safe; delete a file to make a new one (and change the
# password in the service that already has the old one).
#
# The folder is 0700 root, so only root on the host reaches it. The files are 0444 because Docker
# Compose (without Swarm) bind-mounts them with the host's mode and the containers run as
# unprivileged users (Intake as uid 10001) that must read them.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)/secrets
mkdir -p "$dir"
chmod 0700 "$dir"
umask 0222

random() { openssl rand -hex 24; }
make() { # make NAME CONTENT
  if [ ! -s "$dir/$1" ]; then printf '%s' "$2" > "$dir/$1"; echo "made secrets/$1"; fi
}
password() { # the password kept in secrets/NAME, made if missing
  make "$1" "$(random)"
  cat "$dir/$1"
}

make pg_superuser_password "$(random)"
make pg_replication_password "$(random)"
for role in migrator app purger; do
  pw=$(password "pg_${role}_password")
  make "db_${role}" "Host=postgres-primary;Port=5432;Database=intake;Username=intake_${role};Password=${pw}"
done
make rabbitmq_password "$(random)"
make rabbitmq_erlang_cookie "$(openssl rand -hex 32)"

# The ledger's checkpoint signing key. In production it is made in a key ceremony
# (docs/operations.md) and copied here; this makes one only when none is there.
if [ ! -s "$dir/ledger_signing_key" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ledger_signing_key"
  chmod 0444 "$dir/ledger_signing_key"
  echo "made secrets/ledger_signing_key"
fi
