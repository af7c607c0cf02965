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

pg_was_running=no rabbit_was_running=no intake_was_running=no
pg_lsclusters --no-header 2>/dev/null | awk '{print $4}' | grep -qx online && pg_was_running=yes
rabbitmqctl -q await_startup --timeout 2 >/dev/null 2>&1 && rabbit_was_running=yes
[ -x /usr/local/sbin/intake-service ] && /usr/local/sbin/intake-service status >/dev/null 2>&1 && intake_was_running=yes

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

healthz_up() {
  local body
  body=$(curl -fsS "http://127.0.0.1:$1/healthz") || return 1
  [[ $body == *'"status":"up"'* && $body == *'"postgres":{"status":"up"'* && $body == *'"rabbitmq":{"status":"up"'* ]]
}
root_only() { [ "$(stat -c '%U:%G %a' "$1")" = "root:root $2" ]; }
no_empty_secret() {
  ! grep -Eq '^(Database__App|Database__Purger|RabbitMq__Password)=$' /etc/intake/intake.env \
    && grep -Eq '^Database__Migrator=.*Password=[0-9a-f]{48}$' /etc/intake/migrate.env \
    && ! grep -q '^Database__Migrator' /etc/intake/intake.env
}
runs_as_intake() {
  local role pid
  for role in web worker; do
    pid=$(cat "/run/intake/$role.pid" 2>/dev/null) || return 1
    [ "$(ps -o user= -p "$pid" | tr -d ' ')" = intake ] || return 1
  done
}
loopback_only() {
  # Every listening TCP socket of the Intake processes, PostgreSQL and RabbitMQ, from /proc.
  local pids pid inode addr bad=0
  pids="$(cat /run/intake/*.pid) $(pgrep -u postgres -x postgres || true) $(pgrep -u rabbitmq beam.smp || true)"
  for pid in $pids; do
    for inode in $(find "/proc/$pid/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n'); do
      # state 0A = LISTEN; the local address is hex; 0100007F = 127.0.0.1, ::1 in IPv6.
      addr=$(awk -v i="$inode" '$10 == i && $4 == "0A" {print $2}' /proc/net/tcp /proc/net/tcp6)
      [ -z "$addr" ] && continue
      case ${addr%%:*} in
        0100007F|00000000000000000000000001000000) ;;
        *) echo "    listening on $addr (pid $pid)"; bad=1 ;;
      esac
    done
  done
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
   intake doctor) > "$log/doctor" 2>&1
}

echo "Install checks (deploy/install.sh, as root, services as local processes where systemd is absent):"

# Bad input first: refused with a message, nothing changed.
if runuser -u nobody -- "$ROOT/deploy/install.sh" > "$log/nonroot" 2>&1; then
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
check "intake doctor reports the install ok" doctor_ok

# Run again: the upgrade path of docs/operations.md §2, with the build just installed.
before=$(sha256sum /etc/intake/intake.env /etc/intake/migrate.env /etc/intake/ledger-signing-key.pem)
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
  bash -c "[ \"\$(sha256sum /etc/intake/intake.env /etc/intake/migrate.env /etc/intake/ledger-signing-key.pem)\" = '$before' ]"
check "the upgrade switched to a new release" bash -c "[ \"\$(readlink -f /opt/intake/current)\" != '$current' ]"
check "web /healthz is up after the upgrade" healthz_up 8080
check "worker /healthz is up after the upgrade" healthz_up 8081

# Leave the machine as it was.
[ "$intake_was_running" = yes ] || /usr/local/sbin/intake-service stop >/dev/null 2>&1
[ "$rabbit_was_running" = yes ] || /etc/init.d/rabbitmq-server stop >/dev/null 2>&1
if [ "$pg_was_running" = no ]; then
  read -r v c _ < <(pg_lsclusters --no-header | head -n 1)
  pg_ctlcluster "$v" "$c" stop >/dev/null 2>&1
fi

echo "Install checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
