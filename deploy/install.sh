#!/usr/bin/env bash
# Installs or upgrades Intake on one Debian 12 server: PostgreSQL and RabbitMQ from Debian's
# packages (bound to 127.0.0.1), the web and worker roles under systemd (deploy/systemd/), their
# settings and secrets in /etc/intake (root only), the schema through `intake migrate`, then
# checks /healthz. Running it again upgrades: it follows docs/operations.md §2 (backup, stop the
# workers then the web processes, migrate, start, check) and keeps every secret it made before.
#
#   sudo deploy/install.sh                 build this checkout (needs the .NET 10 SDK and npm)
#   sudo deploy/install.sh --from DIR      install a build published elsewhere: DIR/web, DIR/cli
#
# Where systemd is not running (a container, a chroot), the services run as local processes
# under the same user, settings and limits of address, managed by `intake-service` (installed
# to /usr/local/sbin from deploy/intake-service).
#
# It never opens a port beyond 127.0.0.1: put Tor (deploy/tor/torrc) and, for a clearnet
# address, nginx (deploy/nginx/) in front, as deploy/README.md says.
set -euo pipefail

DEPLOY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECKOUT=$(cd "$DEPLOY/.." && pwd)
ETC=/etc/intake
OPT=/opt/intake

log() { printf '[intake install] %s\n' "$*" >&2; }
die() { printf '[intake install] error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '7,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

from=""
while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || usage; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (sudo deploy/install.sh): it installs packages, creates the intake user and writes /etc/intake"
[ -r /etc/debian_version ] || die "this script is for Debian 12; on another system follow deploy/README.md by hand"
if [ -n "$from" ]; then
  [ -f "$from/web/Intake.Web.dll" ] || die "--from $from: no web/Intake.Web.dll there (publish with: dotnet publish src/Intake.Web -c Release -o DIR/web)"
  [ -f "$from/cli/intake.dll" ] || die "--from $from: no cli/intake.dll there (publish with: dotnet publish src/Intake.Cli -c Release -o DIR/cli)"
  from=$(cd "$from" && pwd)
fi

with_systemd() { [ -d /run/systemd/system ]; }

# --- 1. Packages -------------------------------------------------------------------------------
ensure_packages() {
  local missing=() p
  for p in postgresql rabbitmq-server curl openssl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # The units and the intake command run /usr/bin/dotnet, so that is the one that must have it.
  [ -x /usr/bin/dotnet ] && /usr/bin/dotnet --list-runtimes 2>/dev/null | grep -q '^Microsoft.AspNetCore.App 10\.' \
    || die "the ASP.NET Core 10 runtime is needed as /usr/bin/dotnet (Microsoft's Debian 12 packages: https://learn.microsoft.com/dotnet/core/install/linux-debian, package aspnetcore-runtime-10.0)"
}

# --- 2. The intake user, folders and secrets ---------------------------------------------------
ensure_user() {
  if ! getent passwd intake >/dev/null; then
    log "creating the system user intake"
    adduser --system --group --home /nonexistent --no-create-home --shell /usr/sbin/nologin intake >/dev/null
  fi
  install -d -m 0755 -o root -g root "$OPT" "$OPT/releases"
  install -d -m 0700 -o root -g root "$ETC"
}

random_secret() { openssl rand -hex 24; }
setting() { sed -n "s/^$1=//p" "$2" | tail -n 1; }

# /etc/intake/intake.env (the services' settings, from deploy/systemd/intake.env.example) and
# /etc/intake/migrate.env (only `intake migrate` reads it) are written once; later runs read the
# passwords back so that upgrading never changes them.
ensure_settings() {
  local env_file=$ETC/intake.env migrate_file=$ETC/migrate.env
  local app purger migrator rabbit
  local have_env=no have_migrate=no
  [ -s "$env_file" ] && have_env=yes
  [ -s "$migrate_file" ] && have_migrate=yes
  if [ "$have_env" != "$have_migrate" ]; then
    die "only one of $env_file and $migrate_file exists: restore the other (it holds passwords the database already uses), or move both away to start afresh"
  fi
  if [ -s "$env_file" ] && [ -s "$migrate_file" ]; then
    app=$(setting Database__App "$env_file" | sed -n 's/.*Password=\([^;]*\).*/\1/p')
    purger=$(setting Database__Purger "$env_file" | sed -n 's/.*Password=\([^;]*\).*/\1/p')
    migrator=$(setting Database__Migrator "$migrate_file" | sed -n 's/.*Password=\([^;]*\).*/\1/p')
    rabbit=$(setting RabbitMq__Password "$env_file")
    [ -n "$app" ] && [ -n "$purger" ] && [ -n "$migrator" ] && [ -n "$rabbit" ] \
      || die "$env_file or $migrate_file lacks a password (Database__App, Database__Purger, Database__Migrator, RabbitMq__Password): fix the file, or move both away to make new ones"
  else
    log "writing $env_file and $migrate_file with new random passwords"
    app=$(random_secret); purger=$(random_secret); migrator=$(random_secret); rabbit=$(random_secret)
    local db="Host=127.0.0.1;Port=$PG_PORT;Database=intake"
    (
      umask 077
      # The values go through the environment, never through a command line (ps shows those).
      DB_APP="$db;Username=intake_app;Password=$app" DB_PURGER="$db;Username=intake_purger;Password=$purger" \
      RABBIT="$rabbit" awk '
        $0 == "Database__App="      { print $0 ENVIRON["DB_APP"]; n++; next }
        $0 == "Database__Purger="   { print $0 ENVIRON["DB_PURGER"]; n++; next }
        $0 == "RabbitMq__Password=" { print $0 ENVIRON["RABBIT"]; n++; next }
        { print }
        END { exit n == 3 ? 0 : 1 }' "$DEPLOY/systemd/intake.env.example" > "$env_file.new" \
        || die "deploy/systemd/intake.env.example lacks an empty Database__App=, Database__Purger= or RabbitMq__Password= line"
      printf '# Only `intake migrate` reads this (docs/operations.md §2); the services never see it.\nDatabase__Migrator=%s;Username=intake_migrator;Password=%s\n' \
        "$db" "$migrator" > "$migrate_file.new"
    )
    mv "$env_file.new" "$env_file"
    mv "$migrate_file.new" "$migrate_file"
  fi
  chown root:root "$env_file" "$migrate_file"
  chmod 0600 "$env_file" "$migrate_file"
  APP_PASSWORD=$app PURGER_PASSWORD=$purger MIGRATOR_PASSWORD=$migrator RABBIT_PASSWORD=$rabbit
}

# The ledger signing key. The first install makes one so that Intake can start; for testimony,
# replace it with the key of a key ceremony (docs/operations.md §4.1) before anyone submits.
ensure_signing_key() {
  local key=$ETC/ledger-signing-key.pem
  if [ ! -s "$key" ]; then
    log "making a ledger signing key in $key (see docs/operations.md §4.1: a key ceremony should replace it before the first testimony)"
    (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key.new" 2>/dev/null) \
      || die "openssl could not make the ledger signing key"
    mv "$key.new" "$key"
  fi
  chown root:root "$key"
  chmod 0600 "$key"
}

# --- 3. PostgreSQL -----------------------------------------------------------------------------
# Debian's own cluster (pg_lsclusters), which listens on localhost only by default.
pg_cluster() {
  local line
  line=$(pg_lsclusters --no-header 2>/dev/null | head -n 1)
  if [ -z "$line" ]; then
    log "creating the PostgreSQL cluster"
    pg_createcluster --locale C.UTF-8 15 main >/dev/null
    line=$(pg_lsclusters --no-header | head -n 1)
  fi
  read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ <<<"$line"
}

start_postgres() {
  if with_systemd; then
    systemctl enable --now "postgresql@$PG_VERSION-$PG_CLUSTER" >/dev/null 2>&1 \
      || die "PostgreSQL $PG_VERSION/$PG_CLUSTER did not start: systemctl status postgresql@$PG_VERSION-$PG_CLUSTER"
  elif [ "$PG_STATUS" != online ]; then
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER on port $PG_PORT (no systemd: pg_ctlcluster)"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  fi
  local listen
  listen=$(runuser -u postgres -- psql -p "$PG_PORT" -qAtc 'SHOW listen_addresses')
  [ "$listen" = localhost ] || [ "$listen" = 127.0.0.1 ] \
    || log "warning: PostgreSQL listens on '$listen'; Intake needs only localhost (listen_addresses in /etc/postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf)"
  # The passwords reach psql on standard input, never on its command line.
  { printf '\\set migrator %s\n\\set app %s\n\\set purger %s\n' "$MIGRATOR_PASSWORD" "$APP_PASSWORD" "$PURGER_PASSWORD"
    cat "$DEPLOY/postgres/intake-roles.sql"; } | runuser -u postgres -- psql -p "$PG_PORT" -X -q -f - >/dev/null \
    || die "could not create Intake's database roles (deploy/postgres/intake-roles.sql)"
}

# --- 4. RabbitMQ -------------------------------------------------------------------------------
# Debian starts RabbitMQ as soon as the package is installed, listening everywhere; this binds it
# to loopback and restarts it when that changed anything.
configure_rabbitmq() {
  local conf=/etc/rabbitmq/rabbitmq.conf envconf=/etc/rabbitmq/rabbitmq-env.conf changed=no
  if [ ! -e "$conf" ] || grep -q '^# Intake (deploy/install.sh)' "$conf"; then
    cat > "$conf.new" <<'CONF'
# Intake (deploy/install.sh): only this machine speaks AMQP to RabbitMQ. Remove this first line
# to keep your own changes when the install runs again.
listeners.tcp.default = 127.0.0.1:5672
loopback_users.guest = true
log.console = false
CONF
    cmp -s "$conf.new" "$conf" || changed=yes
    mv "$conf.new" "$conf"
  elif ! grep -q '^listeners\.tcp\.' "$conf"; then
    log "warning: $conf is your own and sets no listeners.tcp: RabbitMQ may listen beyond 127.0.0.1"
  fi
  if ! grep -q '^# Intake (deploy/install.sh)' "$envconf" 2>/dev/null; then
    # The node name must resolve to the loopback address the Erlang ports are bound to; Debian's
    # /etc/hosts often maps the host name to 127.0.1.1 or a LAN address, so use localhost.
    {
      echo '# Intake (deploy/install.sh): the node and its Erlang clustering ports on loopback only.'
      echo 'NODENAME=rabbit@localhost'
      echo 'ERL_EPMD_ADDRESS=127.0.0.1'
      echo 'SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"'
    } >> "$envconf"
    changed=yes
  fi
  if with_systemd && [ ! -e /etc/systemd/system/epmd.socket.d/intake.conf ]; then
    # Under systemd, epmd is socket-activated on every interface whatever ERL_EPMD_ADDRESS says.
    install -d /etc/systemd/system/epmd.socket.d
    printf '# Intake (deploy/install.sh): epmd on loopback only.\n[Socket]\nListenStream=\nListenStream=127.0.0.1:4369\n' \
      > /etc/systemd/system/epmd.socket.d/intake.conf
    systemctl daemon-reload
    changed=yes
  fi
  if [ "$changed" = yes ] && rabbitmqctl -q await_startup --timeout 2 >/dev/null 2>&1; then
    log "restarting RabbitMQ with the loopback-only settings"
    if with_systemd; then
      systemctl stop rabbitmq-server epmd.socket epmd.service 2>/dev/null || true
      systemctl start epmd.socket || die "epmd.socket did not start"
    else
      /etc/init.d/rabbitmq-server stop >/dev/null || die "RabbitMQ did not stop; see /var/log/rabbitmq/"
    fi
  fi
}

start_rabbitmq() {
  if rabbitmqctl -q await_startup --timeout 2 >/dev/null 2>&1; then
    :
  elif with_systemd; then
    systemctl enable --now rabbitmq-server >/dev/null 2>&1 || die "RabbitMQ did not start: systemctl status rabbitmq-server"
  else
    log "starting RabbitMQ (no systemd: Debian's init script)"
    /etc/init.d/rabbitmq-server start >/dev/null
  fi
  rabbitmqctl -q await_startup --timeout 120 >/dev/null || die "RabbitMQ did not start; see /var/log/rabbitmq/"
  # The password reaches rabbitmqctl on standard input, never on its command line.
  if rabbitmqctl -q list_users 2>/dev/null | awk '{print $1}' | grep -qx intake; then
    printf '%s\n' "$RABBIT_PASSWORD" | rabbitmqctl -q change_password intake >/dev/null
  else
    printf '%s\n' "$RABBIT_PASSWORD" | rabbitmqctl -q add_user intake >/dev/null
  fi || die "could not set the RabbitMQ user intake"
  rabbitmqctl -q add_vhost intake >/dev/null 2>&1 || true
  rabbitmqctl -q set_permissions -p intake intake '.*' '.*' '.*' >/dev/null
  rabbitmqctl -q delete_user guest >/dev/null 2>&1 || true
}

# --- 5. The build ------------------------------------------------------------------------------
# Each install is a new folder under /opt/intake/releases; /opt/intake/current points at the one
# that runs, so the previous one stays for a roll-back (docs/operations.md §2).
stage_release() {
  RELEASE=$OPT/releases/$(date -u +%Y%m%dT%H%M%SZ)-$$
  local staging=$RELEASE.partial
  rm -rf "$OPT"/releases/*.partial
  mkdir -p "$staging"
  if [ -n "$from" ]; then
    log "copying the build from $from"
    cp -a "$from/web" "$from/cli" "$staging/"
  else
    command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q '^10\.' \
      || die "building needs the .NET 10 SDK; or publish elsewhere and use --from DIR"
    [ -f "$CHECKOUT/Intake.sln" ] || die "no Intake.sln in $CHECKOUT: run the script from a checkout, or use --from DIR"
    log "publishing Intake from $CHECKOUT (Release)"
    local artifacts; artifacts=$(mktemp -d)
    dotnet publish "$CHECKOUT/src/Intake.Web" -c Release -o "$staging/web" --artifacts-path "$artifacts" -nologo -v quiet -clp:ErrorsOnly \
      || die "dotnet publish of src/Intake.Web failed"
    dotnet publish "$CHECKOUT/src/Intake.Cli" -c Release -o "$staging/cli" --artifacts-path "$artifacts" -nologo -v quiet -clp:ErrorsOnly \
      || die "dotnet publish of src/Intake.Cli failed"
    rm -rf "$artifacts"
  fi
  chown -R root:root "$staging"
  chmod -R u=rwX,go=rX "$staging"
  mv "$staging" "$RELEASE"
  cat > /usr/local/bin/intake <<'SH'
#!/bin/sh
# The intake command (deploy/install.sh): migrate, doctor, admin, ledger, proof, audit.
exec /usr/bin/dotnet /opt/intake/current/cli/intake.dll "$@"
SH
  chmod 0755 /usr/local/bin/intake
  install -m 0755 "$DEPLOY/intake-service" /usr/local/sbin/intake-service
}

activate_release() {
  local previous
  previous=$(readlink -f "$OPT/current" 2>/dev/null || true)
  ln -sfn "$RELEASE" "$OPT/current.new"
  mv -T "$OPT/current.new" "$OPT/current" || die "could not point $OPT/current at $RELEASE"
  # Keep the three newest complete releases, and always the one just replaced (for a roll-back).
  local release kept=0
  for release in $(ls -1dt "$OPT"/releases/*/ 2>/dev/null); do
    release=${release%/}
    [ -f "$release/web/Intake.Web.dll" ] || continue
    kept=$((kept + 1))
    if [ $kept -gt 3 ] && [ "$release" != "$RELEASE" ] && [ "$release" != "$previous" ]; then
      rm -rf "$release"
    fi
  done
}

# A /opt/intake/current that is a folder (an install by hand, deploy/README.md) becomes a release,
# before anything is stopped, so that switching to the new one cannot fail half way.
adopt_manual_install() {
  if [ -d "$OPT/current" ] && [ ! -L "$OPT/current" ]; then
    local adopted
    adopted=$OPT/releases/$(date -u +%Y%m%dT%H%M%SZ)-manual
    log "moving the release installed by hand in $OPT/current to $adopted"
    mv "$OPT/current" "$adopted"
    ln -sfn "$adopted" "$OPT/current"
  fi
}

# --- 6. Services -------------------------------------------------------------------------------
install_units() {
  if with_systemd; then
    install -m 0644 "$DEPLOY/systemd/intake-web.service" "$DEPLOY/systemd/intake-worker.service" /etc/systemd/system/
    systemctl daemon-reload
  else
    install -m 0644 -D -t "$OPT/units" "$DEPLOY/systemd/intake-web.service" "$DEPLOY/systemd/intake-worker.service"
  fi
}

stop_intake() {
  if with_systemd; then
    # One at a time: the workers first (they purge, route and sign checkpoints).
    systemctl stop intake-worker 2>/dev/null || true
    log "intake-worker stopped"
    systemctl stop intake-web 2>/dev/null || true
    log "intake-web stopped"
  else
    /usr/local/sbin/intake-service stop
  fi
}

start_intake() {
  if with_systemd; then
    systemctl enable --now intake-web >/dev/null 2>&1 || die "intake-web did not start: journalctl -u intake-web"
    systemctl enable --now intake-worker >/dev/null 2>&1 || die "intake-worker did not start: journalctl -u intake-worker"
  else
    /usr/local/sbin/intake-service start
  fi
}

migrate() {
  log "applying migrations"
  Database__Migrator=$(setting Database__Migrator "$ETC/migrate.env") /usr/local/bin/intake migrate
}

wait_healthy() {
  local port status
  for port in 8080 8081; do
    for _ in $(seq 1 120); do
      status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
      [ "$status" = 200 ] && break
      sleep 1
    done
    [ "$status" = 200 ] || die "http://127.0.0.1:$port/healthz answers ${status:-nothing} after 2 minutes; see $(with_systemd && echo "journalctl -u intake-web -u intake-worker" || echo /var/log/intake/)"
    log "http://127.0.0.1:$port/healthz: $(curl -fsS "http://127.0.0.1:$port/healthz")"
  done
}

fingerprint() {
  openssl pkey -in "$ETC/ledger-signing-key.pem" -pubout -outform DER 2>/dev/null | tail -c 65 | sha256sum \
    | cut -c1-64 | tr a-f A-F | sed 's/..../& /g; s/ $//'
}

ensure_packages
ensure_user
pg_cluster
ensure_settings
ensure_signing_key
start_postgres
configure_rabbitmq
start_rabbitmq
stage_release
install_units
adopt_manual_install

upgrade=no
[ -e "$OPT/current" ] && upgrade=yes
if [ "$upgrade" = yes ]; then
  # docs/operations.md §2: a backup first (when §3.2's script is in place), then the workers, then
  # the web processes.
  if [ -x /usr/local/sbin/intake-backup ]; then
    log "backup before the upgrade"
    /usr/local/sbin/intake-backup
  fi
  log "stopping Intake for the upgrade"
  stop_intake
fi
activate_release
migrate
log "starting Intake"
start_intake
wait_healthy

cat >&2 <<MSG
[intake install] Intake is running: web on http://127.0.0.1:8080, worker on http://127.0.0.1:8081.
[intake install] Ledger signing key fingerprint: $(fingerprint)
[intake install] Next (deploy/README.md, docs/operations.md §1):
[intake install]   - the first admin:  intake admin bootstrap --base-url https://your.address
[intake install]     (with Database__App from /etc/intake/intake.env in the environment)
[intake install]   - Tor: apt-get install tor nginx; deploy/tor/torrc and deploy/nginx/onion.conf
[intake install]   - backups (docs/operations.md §3) and a key ceremony (§4.1)
MSG
