#!/usr/bin/env bash
# Runs deploy/install.sh on this machine, as root, and checks the result: a working /healthz on
# the web and worker roles, secrets readable by root alone, the services running as the intake
# user, nothing listening beyond 127.0.0.1, and a second run (an upgrade with the same build)
# that keeps every secret. Bad input is refused before anything changes. Called by
# scripts/test; prints one "Install checks:" summary line and exits 1 on any failure.
#
# It installs for real (/etc/intake, /opt/intake, Debian's PostgreSQL and RabbitMQ), so it runs
# only as root (scripts/test skips it when INTAKE_INSTALL_CHECK=no). PostgreSQL, RabbitMQ and Intake
# are stopped again afterwards if they were not running before.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
passed=0
failed=0
pass() { passed=$((passed + 1)); printf '  ok      %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf '  FAILED  %s\n' "$1"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

if [ "$(id -u)" -ne 0 ]; then
  echo "Install checks: skipped (they install system-wide and need root)"
  exit 0
fi

with_systemd() { [ -d /run/systemd/system ]; }
# The main process of a role: from systemd, or from intake-service's pid file.
role_pid() {
  if with_systemd; then systemctl show -p MainPID --value "intake-$1" 2>/dev/null | grep -v '^0$'
  else cat "/run/intake/$1.pid" 2>/dev/null; fi
}
stop_intake() {
  if with_systemd; then systemctl stop intake-worker; systemctl stop intake-web
  else /usr/local/sbin/intake-service stop; fi
}

pg_was_running=no rabbit_was_running=no intake_was_running=no
pg_lsclusters --no-header 2>/dev/null | awk '{print $4}' | grep -qx online && pg_was_running=yes
rabbitmqctl -q await_startup --timeout 2 >/dev/null 2>&1 && rabbit_was_running=yes
[ -n "$(role_pid web)" ] && kill -0 "$(role_pid web)" 2>/dev/null && intake_was_running=yes

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

healthz_up() {
  local body
  body=$(curl -fsS "http://127.0.0.1:$1/healthz") || return 1
  [[ $body == *'"status":"up"'* && $body == *'"postgres":{"status":"up"'* && $body == *'"rabbitmq":{"status":"up"'* ]]
}
root_only() { [ "$(stat -c '%U:%G %a' "$1")" = "root:root $2" ]; }
no_empty_secret() {
  grep -Eq '^Database__App=Host=.*;Username=intake_app;Password=[0-9a-f]{48}$' /etc/intake/intake.env \
    && grep -Eq '^Database__Purger=Host=.*;Username=intake_purger;Password=[0-9a-f]{48}$' /etc/intake/intake.env \
    && grep -Eq '^RabbitMq__Password=[0-9a-f]{48}$' /etc/intake/intake.env \
    && grep -Eq '^Database__Migrator=Host=.*;Username=intake_migrator;Password=[0-9a-f]{48}$' /etc/intake/migrate.env \
    && ! grep -q '^Database__Migrator' /etc/intake/intake.env
}
runs_as_intake() {
  local role pid
  for role in web worker; do
    pid=$(role_pid "$role") && [ -n "$pid" ] || return 1
    [ "$(ps -o user= -p "$pid" | tr -d ' ')" = intake ] || return 1
  done
}
no_secret_on_a_command_line() {
  # ps shows every process's command line to every account on the machine.
  # (The passwords reach grep as a pattern file, so that grep's own command line holds none.)
  local secrets hits
  secrets=$(sed -n 's/.*Password=\([0-9a-f]\{48\}\).*/\1/p' /etc/intake/intake.env /etc/intake/migrate.env)
  [ "$(printf '%s\n' "$secrets" | grep -c .)" -eq 4 ] || { echo "    expected 4 passwords in /etc/intake"; return 1; }
  hits=$(grep -lFf <(printf '%s\n' "$secrets") /proc/[0-9]*/cmdline 2>/dev/null || true)
  [ -z "$hits" ] || { echo "    on the command line of: $hits"; return 1; }
}
# The TCP ports a process listens on, as "hexaddress:hexport" lines, from /proc.
listening() {
  local inode
  for inode in $(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n'); do
    awk -v i="$inode" '$10 == i && $4 == "0A" {print $2}' /proc/net/tcp /proc/net/tcp6
  done
}
loopback_only() {
  local name pids pid addr bad=0 found
  # Each of these must be found listening (an empty list would prove nothing), and only on
  # 127.0.0.1 or ::1 (or ::ffff:127.0.0.1). 1F90/1F91 = ports 8080/8081.
  for name in web worker postgres rabbitmq epmd; do
    case $name in
      web|worker) pids=$(role_pid "$name") ;;
      postgres) pids=$(pgrep -u postgres -x postgres || true) ;;
      rabbitmq) pids=$(pgrep -u rabbitmq beam.smp || true) ;;
      epmd) pids=$(pgrep -x epmd || true) ;;
    esac
    found=0
    for pid in $pids; do
      for addr in $(listening "$pid"); do
        found=1
        case ${addr%%:*} in
          0100007F|00000000000000000000000001000000|0000000000000000FFFF00000100007F) ;;
          *) echo "    $name listens on $addr (pid $pid)"; bad=1 ;;
        esac
      done
    done
    if [ $found -eq 0 ]; then echo "    found nothing of $name listening"; bad=1; fi
  done
  listening "$(role_pid web)" | grep -q ':1F90$' || { echo "    the web process does not own port 8080"; bad=1; }
  listening "$(role_pid worker)" | grep -q ':1F91$' || { echo "    the worker process does not own port 8081"; bad=1; }
  [ $bad -eq 0 ]
}
survivor_page() {
  local page
  page=$(curl -fsSL -H 'Accept-Language: zh-CN' http://127.0.0.1:8080/) || return 1
  [[ $page == *'lang="zh-Hans"'* && $page == *'href="/zh/privacy"'* ]]
}
doctor_ok() {
  (set -a; while IFS= read -r l; do case $l in ''|'#'*) ;; *) export "${l?}";; esac; done < /etc/intake/intake.env
   export Ledger__SigningKeyFile=/etc/intake/ledger-signing-key.pem
   /usr/local/bin/intake doctor) > "$log/doctor" 2>&1
}

echo "Install checks (deploy/install.sh, as root, services as local processes where systemd is absent):"

# Bad input first: refused with a message, nothing changed.
# (A copy the nobody account can read, wherever the checkout is.)
chmod 0755 "$log"
cp "$ROOT/deploy/install.sh" "$log/install.sh" && chmod 0755 "$log/install.sh"
if runuser -u nobody -- "$log/install.sh" > "$log/nonroot" 2>&1; then
  fail "refuses to run as a user other than root"
else
  check "refuses to run as a user other than root" grep -q 'run as root' "$log/nonroot"
fi
if "$ROOT/deploy/install.sh" --from /nonexistent > "$log/from" 2>&1; then
  fail "refuses --from a folder without a published build"
else
  check "refuses --from a folder without a published build" grep -q 'no web/Intake.Web.dll there' "$log/from"
fi

# The install itself.
if "$ROOT/deploy/install.sh" > "$log/install" 2>&1; then
  pass "deploy/install.sh installs and starts Intake"
else
  fail "deploy/install.sh installs and starts Intake"; sed 's/^/    /' "$log/install" | tail -n 30
fi
check "web /healthz is up (PostgreSQL and RabbitMQ reachable)" healthz_up 8080
check "worker /healthz is up" healthz_up 8081
check "survivor page served, in Chinese, with the privacy notice linked" survivor_page
check "/etc/intake/intake.env is root:root 0600" root_only /etc/intake/intake.env 600
check "/etc/intake/migrate.env is root:root 0600" root_only /etc/intake/migrate.env 600
check "the ledger signing key is root:root 0600" root_only /etc/intake/ledger-signing-key.pem 600
check "secrets filled in, and the migrator's only in migrate.env" no_empty_secret
check "web and worker run as the intake user" runs_as_intake
check "Intake, PostgreSQL and RabbitMQ listen on 127.0.0.1 only" loopback_only
check "no password on any process's command line" no_secret_on_a_command_line
check "intake doctor reports the install ok" doctor_ok

# Run again: the upgrade path of docs/operations.md §2, with the build just installed.
before=$(sha256sum /etc/intake/intake.env /etc/intake/migrate.env /etc/intake/ledger-signing-key.pem 2>/dev/null)
current=$(readlink -f /opt/intake/current)
if "$ROOT/deploy/install.sh" --from "$current" > "$log/again" 2>&1; then
  pass "running it again upgrades in place"
else
  fail "running it again upgrades in place"; sed 's/^/    /' "$log/again" | tail -n 30
fi
check "the upgrade stopped the workers before the web processes" \
  bash -c "grep -n 'intake-worker stopped\|intake-web stopped' '$log/again' | head -n 1 | grep -q worker"
check "the upgrade ran intake migrate" grep -q 'Database is up to date at schema version' "$log/again"
check "the upgrade kept every secret and the signing key" \
  bash -c "[ -n '$before' ] && [ \"\$(sha256sum /etc/intake/intake.env /etc/intake/migrate.env /etc/intake/ledger-signing-key.pem)\" = '$before' ]"
check "the upgrade switched to a new release" bash -c "[ \"\$(readlink -f /opt/intake/current)\" != '$current' ]"
check "web /healthz is up after the upgrade" healthz_up 8080
check "worker /healthz is up after the upgrade" healthz_up 8081

# Leave the machine as it was.
[ "$intake_was_running" = yes ] || stop_intake >/dev/null 2>&1
[ "$rabbit_was_running" = yes ] || /etc/init.d/rabbitmq-server stop >/dev/null 2>&1
if [ "$pg_was_running" = no ]; then
  read -r v c _ < <(pg_lsclusters --no-header | head -n 1)
  pg_ctlcluster "$v" "$c" stop >/dev/null 2>&1
fi

echo "Install checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
