# Shared by scripts/run, scripts/test and scripts/stop: installs, starts and stops the local
# PostgreSQL and RabbitMQ that Intake uses in development and tests. Everything binds to
# 127.0.0.1 and keeps its data under .local/ in the checkout (git-ignored).
# shellcheck shell=bash

INTAKE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INTAKE_LOCAL="$INTAKE_ROOT/.local"

# Ports away from the system defaults so a system PostgreSQL or RabbitMQ can coexist.
: "${INTAKE_PG_PORT:=54329}"
: "${INTAKE_AMQP_PORT:=56729}"
: "${INTAKE_RABBIT_MGMT_PORT:=56739}"
: "${INTAKE_RABBIT_DIST_PORT:=56749}"
: "${INTAKE_RABBIT_NODE:=intake@localhost}"

PG_BIN=/usr/lib/postgresql/15/bin
RABBIT_BIN=/usr/lib/rabbitmq/bin

log() { printf '[intake] %s\n' "$*" >&2; }
die() { printf '[intake] error: %s\n' "$*" >&2; exit 1; }

# True when nothing listens on 127.0.0.1:PORT (bash's /dev/tcp, no extra tools needed).
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "installing packages needs root: run as root or install sudo ($*)"; fi
}

# Installs the Debian packages the project needs when they are missing.
ensure_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql postgresql-contrib)
  [ -x "$RABBIT_BIN/rabbitmq-server" ] || missing+=(rabbitmq-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # The deployment tests check deploy/compose/compose.yaml with `docker-compose config` (no engine).
  [ -x /usr/bin/docker-compose ] || missing+=(docker-compose)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  # policy-rc.d may refuse to start the distribution's own services; Intake starts its own.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Random secrets, made once per checkout and kept in .local/secrets.env (mode 600).
ensure_secrets() {
  mkdir -p "$INTAKE_LOCAL"
  chmod 755 "$INTAKE_LOCAL"
  local f="$INTAKE_LOCAL/secrets.env"
  if [ ! -s "$f" ]; then
    umask 077
    {
      echo "PG_SUPERUSER_PASSWORD=$(openssl rand -hex 24)"
      echo "PG_MIGRATOR_PASSWORD=$(openssl rand -hex 24)"
      echo "PG_APP_PASSWORD=$(openssl rand -hex 24)"
      echo "PG_PURGER_PASSWORD=$(openssl rand -hex 24)"
      echo "RABBIT_PASSWORD=$(openssl rand -hex 24)"
    } > "$f"
    umask 022
  fi
  # shellcheck disable=SC1090
  . "$f"
}

# PostgreSQL refuses to run as root; as root it runs as the Debian "postgres" user.
pg_user_run() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_data_dir() {
  local dir="$INTAKE_LOCAL/postgres"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$INTAKE_LOCAL" 2>/dev/null; then
    # The checkout sits where the postgres user cannot reach (e.g. under /root): keep the
    # cluster in a per-checkout folder elsewhere and link it from .local/.
    local alt
    alt="/var/lib/intake-dev/$(printf '%s' "$INTAKE_ROOT" | sha256sum | cut -c1-16)/postgres"
    mkdir -p "$(dirname "$alt")"
    [ -L "$dir" ] || ln -sfn "$alt" "$dir"
    dir="$alt"
  fi
  printf '%s' "$dir"
}

pg_superuser_conn() {
  printf 'Host=127.0.0.1;Port=%s;Username=postgres;Password=%s;Database=postgres' "$INTAKE_PG_PORT" "$PG_SUPERUSER_PASSWORD"
}

psql_super() {
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" psql -h 127.0.0.1 -p "$INTAKE_PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

start_postgres() {
  local data; data=$(pg_data_dir)
  if [ ! -s "$data/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $data"
    mkdir -p "$data"
    local pwfile; pwfile=$(mktemp)
    printf '%s\n' "$PG_SUPERUSER_PASSWORD" > "$pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$data" "$pwfile"; fi
    chmod 700 "$data"
    pg_user_run "$PG_BIN/initdb" -D "$data" -U postgres --pwfile="$pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >> "$data/postgresql.conf" <<CONF
# Intake local development and test settings
listen_addresses = '127.0.0.1'
port = $INTAKE_PG_PORT
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
log_destination = 'stderr'
logging_collector = off
CONF
  fi
  if pg_user_run "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "PostgreSQL already running on 127.0.0.1:$INTAKE_PG_PORT"
  else
    port_free "$INTAKE_PG_PORT" || die "port $INTAKE_PG_PORT is taken by another process (another checkout's PostgreSQL?): run ./scripts/stop there, or set INTAKE_PG_PORT"
    log "starting PostgreSQL on 127.0.0.1:$INTAKE_PG_PORT"
    pg_user_run "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null \
      || die "PostgreSQL did not start; see $data/server.log"
  fi
  ensure_pg_roles
}

# The three roles of DESIGN.md (migrator, app, purger) and the `intake` database, from the same
# file the server install uses (deploy/postgres/intake-roles.sql).
# The passwords reach psql on standard input, never on its command line (ps shows those).
ensure_pg_roles() {
  { printf '\\set migrator %s\n\\set app %s\n\\set purger %s\n' \
      "$PG_MIGRATOR_PASSWORD" "$PG_APP_PASSWORD" "$PG_PURGER_PASSWORD"
    cat "$INTAKE_ROOT/deploy/postgres/intake-roles.sql"; } | psql_super -f - >/dev/null
}

stop_postgres() {
  local data="$INTAKE_LOCAL/postgres"
  [ -e "$data" ] || return 0
  data=$(readlink -f "$data")
  if pg_user_run "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"
    pg_user_run "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
}

# RabbitMQ runs as the current user from Debian's own scripts, with its node, cookie, data and
# logs under .local/rabbitmq, so it never touches a system RabbitMQ.
rabbit_env() {
  local base="$INTAKE_LOCAL/rabbitmq"
  export HOME="$base/home"
  export RABBITMQ_NODENAME="$INTAKE_RABBIT_NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$INTAKE_AMQP_PORT"
  export RABBITMQ_DIST_PORT="$INTAKE_RABBIT_DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$base/mnesia"
  export RABBITMQ_LOG_BASE="$base/log"
  export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
  export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
  export ERL_EPMD_ADDRESS=127.0.0.1
}

rabbitmqctl_() { ( rabbit_env; "$RABBIT_BIN/rabbitmqctl" -n "$INTAKE_RABBIT_NODE" "$@" ); }

start_rabbitmq() {
  local base="$INTAKE_LOCAL/rabbitmq"
  mkdir -p "$base/home" "$base/mnesia" "$base/log"
  chmod 700 "$base/home"
  if [ ! -s "$base/home/.erlang.cookie" ]; then
    (umask 077; openssl rand -hex 20 > "$base/home/.erlang.cookie")
  fi
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$INTAKE_AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $INTAKE_RABBIT_MGMT_PORT
loopback_users = none
log.console = false
log.file.level = warning
CONF
  echo '[rabbitmq_management].' > "$base/enabled_plugins"
  if rabbitmqctl_ -q await_startup --timeout 2 >/dev/null 2>&1; then
    log "RabbitMQ already running on 127.0.0.1:$INTAKE_AMQP_PORT"
  else
    local p
    for p in "$INTAKE_AMQP_PORT" "$INTAKE_RABBIT_MGMT_PORT" "$INTAKE_RABBIT_DIST_PORT"; do
      port_free "$p" || die "port $p is taken by another process (another checkout's RabbitMQ?): run ./scripts/stop there, or set INTAKE_AMQP_PORT, INTAKE_RABBIT_MGMT_PORT, INTAKE_RABBIT_DIST_PORT and INTAKE_RABBIT_NODE"
    done
    log "starting RabbitMQ on 127.0.0.1:$INTAKE_AMQP_PORT"
    # setsid -f detaches the broker from this shell (and from Ctrl-C in scripts/run).
    ( rabbit_env; cd "$base" && exec setsid -f "$RABBIT_BIN/rabbitmq-server" >"$base/log/startup.log" 2>&1 < /dev/null )
    rabbitmqctl_ -q wait --timeout 120 "$base/rabbitmq.pid" >/dev/null 2>&1 \
      || die "RabbitMQ did not start; see $base/log/"
    rabbitmqctl_ -q await_startup --timeout 120 >/dev/null || die "RabbitMQ did not finish starting; see $base/log/"
  fi
  ensure_rabbit_user
}

ensure_rabbit_user() {
  # The password reaches rabbitmqctl on standard input, never on its command line.
  if rabbitmqctl_ -q list_users 2>/dev/null | awk '{print $1}' | grep -qx intake; then
    printf '%s\n' "$RABBIT_PASSWORD" | rabbitmqctl_ -q change_password intake >/dev/null
  else
    printf '%s\n' "$RABBIT_PASSWORD" | rabbitmqctl_ -q add_user intake >/dev/null
  fi
  # The test fixtures create and delete their own virtual hosts through the management API.
  rabbitmqctl_ -q set_user_tags intake administrator >/dev/null
  rabbitmqctl_ -q delete_user guest >/dev/null 2>&1 || true
}

ensure_vhost() {
  local vhost=$1
  rabbitmqctl_ -q add_vhost "$vhost" >/dev/null 2>&1 || true
  rabbitmqctl_ -q set_permissions -p "$vhost" intake '.*' '.*' '.*' >/dev/null
}

stop_rabbitmq() {
  [ -d "$INTAKE_LOCAL/rabbitmq" ] || return 0
  if rabbitmqctl_ -q await_startup --timeout 2 >/dev/null 2>&1; then
    log "stopping RabbitMQ"
    rabbitmqctl_ -q stop "$INTAKE_LOCAL/rabbitmq/rabbitmq.pid" >/dev/null 2>&1 || true
  fi
}

# The ECDSA P-256 key that signs ledger checkpoints (PKCS#8 PEM). In production it is made once
# in a key ceremony (docs/operations.md); in development, here.
ensure_signing_key() {
  local file=$1
  if [ ! -s "$file" ]; then
    log "creating the ledger signing key in ${file#"$INTAKE_ROOT"/}"
    (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$file")
  fi
}

start_services() {
  ensure_packages
  ensure_secrets
  start_postgres
  start_rabbitmq
}
