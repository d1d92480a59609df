#!/usr/bin/env bash
# Local RabbitMQ + PostgreSQL 15 for development and tests, without systemd or Docker.
#
#   deploy/dev-services.sh up       install if missing, configure, start, create users/databases
#   deploy/dev-services.sh down     stop both
#   deploy/dev-services.sh status   exit 0 when both answer, 1 otherwise
#
# Everything listens on 127.0.0.1 only. Credentials are development-only:
#   RabbitMQ   amqp://reminders:reminders-dev-only@127.0.0.1:5672/reminders  (administrator, UI on :15672)
#   PostgreSQL Host=127.0.0.1;Port=5432;Username=reminders;Password=reminders-dev-only;Database=reminders
# Safe to run any number of times; must run as root (apt-get, su postgres, rabbitmq's own user).
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DEBIAN_FRONTEND=noninteractive

DEV_USER=reminders
DEV_PASSWORD=reminders-dev-only
RABBIT_VHOST=reminders

PG_VERSION=15
PG_CLUSTER=main
PG_CONF_DIR=/etc/postgresql/$PG_VERSION/$PG_CLUSTER
PG_CONF=$PG_CONF_DIR/postgresql.conf
PG_MAX_CONNECTIONS=300

RABBIT_CONF_DIR=/etc/rabbitmq
# The node is named rabbit@localhost rather than rabbit@$(hostname -s): epmd listens on
# 127.0.0.1 only, and the CLI tools find the node through epmd on the node's host part.
# "localhost" always resolves to loopback; a machine's own hostname may resolve to its
# LAN address, where no epmd would answer and rabbitmqctl would fail.
RABBIT_NODE=rabbit@localhost
RABBIT_PIDFILE=/var/lib/rabbitmq/mnesia/$RABBIT_NODE.pid

log() { printf '[dev-services] %s\n' "$*"; }
die() { printf '[dev-services] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"

# ---------------------------------------------------------------- install

have_rabbitmq() { command -v rabbitmq-server >/dev/null 2>&1 && command -v rabbitmqctl >/dev/null 2>&1; }
have_postgres() { [[ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]] && command -v pg_ctlcluster >/dev/null 2>&1; }
have_compose()  { command -v docker-compose >/dev/null 2>&1; }
have_chromium() { [[ -x /usr/bin/chromium ]]; }

APT_UPDATED=0
apt_update_once() {
    if [[ $APT_UPDATED -eq 0 ]]; then
        log "apt-get update"
        apt-get update -qq
        APT_UPDATED=1
    fi
}

install_packages() {
    if ! have_rabbitmq || ! have_postgres; then
        apt_update_once
        log "installing rabbitmq-server postgresql"
        apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            rabbitmq-server postgresql >/dev/null
    fi
    # Only used by deploy/test.sh to validate docker-compose.yml offline (no Docker engine here).
    if ! have_compose; then
        apt_update_once
        log "installing docker-compose (validation only)"
        apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
    fi
    # The console's browser tests drive Debian's Chromium through Playwright (no browser download).
    if ! have_chromium; then
        apt_update_once
        log "installing chromium (console browser tests)"
        apt-get install -y -qq chromium >/dev/null
    fi
    have_rabbitmq || die "rabbitmq-server still missing after install"
    have_chromium || die "chromium still missing after install"
    have_postgres || die "PostgreSQL $PG_VERSION still missing after install"
    # A package install normally creates the cluster; recreate it if someone dropped it.
    if [[ ! -f $PG_CONF ]]; then
        log "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
        pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null
    fi
}

# ---------------------------------------------------------------- helpers

# write_if_changed FILE CONTENT: returns 0 when the file was (re)written, 1 when already identical.
write_if_changed() {
    local file=$1 content=$2
    if [[ -f $file ]] && [[ "$(cat "$file")" == "$content" ]]; then
        return 1
    fi
    printf '%s\n' "$content" >"$file"
    return 0
}

# set_pg_conf KEY VALUE: set "KEY = VALUE" in postgresql.conf, replacing the first line for
# KEY (commented or not) and dropping later uncommented duplicates. Returns 0 when changed.
set_pg_conf() {
    local key=$1 value=$2 new
    new=$(awk -v key="$key" -v line="$key = $value" '
        BEGIN { re = "^[#[:space:]]*" key "[[:space:]]*=" ; done = 0 }
        $0 ~ re {
            if (!done) { print line; done = 1; next }
            if ($0 !~ /^[[:space:]]*#/) next
        }
        { print }
        END { if (!done) print line }
    ' "$PG_CONF")
    write_if_changed "$PG_CONF" "$new"
}

rabbit_running() { timeout 30 rabbitmqctl -q -n "$RABBIT_NODE" status >/dev/null 2>&1; }
pg_cluster_online() { pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null | awk '{print $4}' | grep -q '^online'; }
pg_running() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }

# ---------------------------------------------------------------- RabbitMQ

RABBIT_CONFIG_CHANGED=0
configure_rabbitmq() {
    mkdir -p "$RABBIT_CONF_DIR"
    if write_if_changed "$RABBIT_CONF_DIR/rabbitmq.conf" "# managed by deploy/dev-services.sh: loopback only, development use
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
# no TLS listener, no guest remote access (guest is deleted anyway, see dev-services.sh)
loopback_users.guest = true"; then
        RABBIT_CONFIG_CHANGED=1
    fi
    # NODE_IP_ADDRESS: AMQP listener interface (same as listeners.tcp.default above).
    # ERL_EPMD_ADDRESS: epmd (port 4369) listens on loopback only (rabbitmq's scripts pass it on
    #   to the epmd they start; epmd adds ::1 by itself).
    # inet_dist_use_interface: the inter-node/CLI distribution port (25672) on loopback only;
    #   without it the node listens on 0.0.0.0:25672 even with the two lines above.
    # NODENAME: see RABBIT_NODE above.
    if write_if_changed "$RABBIT_CONF_DIR/rabbitmq-env.conf" "# managed by deploy/dev-services.sh
NODENAME=$RABBIT_NODE
NODE_IP_ADDRESS=127.0.0.1
NODE_PORT=5672
ERL_EPMD_ADDRESS=127.0.0.1
SERVER_ADDITIONAL_ERL_ARGS=\"-kernel inet_dist_use_interface {127,0,0,1}\""; then
        RABBIT_CONFIG_CHANGED=1
    fi
    local enabled_before enabled_after
    enabled_before=$(cat "$RABBIT_CONF_DIR/enabled_plugins" 2>/dev/null || true)
    if [[ $enabled_before != *rabbitmq_management* ]]; then
        rabbitmq-plugins -q enable --offline rabbitmq_management >/dev/null
    fi
    enabled_after=$(cat "$RABBIT_CONF_DIR/enabled_plugins" 2>/dev/null || true)
    [[ $enabled_before == "$enabled_after" ]] || RABBIT_CONFIG_CHANGED=1
    [[ $enabled_after == *rabbitmq_management* ]] || die "could not enable rabbitmq_management"
}

start_rabbitmq() {
    if rabbit_running; then
        if [[ $RABBIT_CONFIG_CHANGED -eq 1 ]]; then
            log "rabbitmq: configuration changed, restarting"
            stop_rabbitmq
        else
            return 0
        fi
    fi
    # The node is up with its application stopped (`rabbitmqctl stop_app`, as a broker-outage test does, left so when
    # that test was interrupted): start the application, not a second node.
    if timeout 30 rabbitmqctl -q -n "$RABBIT_NODE" ping >/dev/null 2>&1; then
        log "rabbitmq: node up with the rabbit application stopped; starting it"
        timeout 120 rabbitmqctl -q -n "$RABBIT_NODE" start_app >/dev/null 2>&1 || true
        rabbit_running && return 0
    fi
    # A node under the package's default name (rabbit@<hostname>, e.g. started by the package's
    # init script on a machine that lets postinst start services) would hold port 5672.
    if ss -Hltn 2>/dev/null | awk '{print $4}' | grep -Eq ':(5672|15672|25672)$'; then
        log "rabbitmq: ports busy but $RABBIT_NODE not answering; stopping rabbit@$(hostname -s) if it runs"
        timeout 60 rabbitmqctl -q -n "rabbit@$(hostname -s)" stop >/dev/null 2>&1 || true
    fi
    # A node killed earlier (e.g. a session that ended) leaves its pid file; `rabbitmqctl wait`
    # would then wait on a dead pid.
    rm -f "$RABBIT_PIDFILE"
    log "rabbitmq: starting"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    # `rabbitmqctl await_startup` right after -detached can fail (exit 69); waiting on the
    # pid file works: it returns once the rabbit application has started.
    local i
    for i in 1 2 3; do
        if timeout 90 rabbitmqctl -q -n "$RABBIT_NODE" wait --timeout 60 "$RABBIT_PIDFILE" >/dev/null 2>&1; then
            break
        fi
        rabbit_running && break
        [[ $i -lt 3 ]] || { tail -n 40 /var/log/rabbitmq/*.log 2>/dev/null || true; die "rabbitmq did not start"; }
        sleep 2
    done
    # the management listener comes up with the app, but give it a moment if needed
    for i in $(seq 1 60); do
        curl -fsS -o /dev/null "http://127.0.0.1:15672/" && return 0
        sleep 0.5
    done
    die "rabbitmq management API did not answer on 127.0.0.1:15672"
}

setup_rabbitmq_objects() {
    local users
    users=$(rabbitmqctl -q -n "$RABBIT_NODE" list_users --no-table-headers 2>/dev/null | awk '{print $1}')
    if ! grep -qx "$DEV_USER" <<<"$users"; then
        rabbitmqctl -q -n "$RABBIT_NODE" add_user "$DEV_USER" "$DEV_PASSWORD" >/dev/null
    else
        # keep the password what this script says, even if someone changed it
        rabbitmqctl -q -n "$RABBIT_NODE" change_password "$DEV_USER" "$DEV_PASSWORD" >/dev/null
    fi
    rabbitmqctl -q -n "$RABBIT_NODE" set_user_tags "$DEV_USER" administrator >/dev/null
    if ! rabbitmqctl -q -n "$RABBIT_NODE" list_vhosts --no-table-headers 2>/dev/null | grep -qx "$RABBIT_VHOST"; then
        rabbitmqctl -q -n "$RABBIT_NODE" add_vhost "$RABBIT_VHOST" >/dev/null
    fi
    rabbitmqctl -q -n "$RABBIT_NODE" set_permissions -p "$RABBIT_VHOST" "$DEV_USER" '.*' '.*' '.*' >/dev/null
    # The default vhost "/" too, so the same URL without a vhost (as in docker-compose) works.
    rabbitmqctl -q -n "$RABBIT_NODE" set_permissions -p / "$DEV_USER" '.*' '.*' '.*' >/dev/null
    # guest/guest is deleted: it is an administrator with a publicly known password. Even on
    # loopback any local process could use it, and nothing here should silently depend on it
    # (tests use the reminders user given in REMINDERS_TEST_RABBITMQ).
    if grep -qx guest <<<"$users"; then
        rabbitmqctl -q -n "$RABBIT_NODE" delete_user guest >/dev/null
    fi
}

stop_rabbitmq() {
    if rabbit_running; then
        log "rabbitmq: stopping"
        # with the pid file, stop waits until the OS process has exited
        timeout 120 rabbitmqctl -q -n "$RABBIT_NODE" stop "$RABBIT_PIDFILE" >/dev/null 2>&1 \
            || timeout 60 rabbitmqctl -q -n "$RABBIT_NODE" stop >/dev/null 2>&1 || true
    fi
}

# ---------------------------------------------------------------- PostgreSQL

PG_CONFIG_CHANGED=0
PG_CONFIG_RELOAD=0
configure_postgres() {
    if set_pg_conf listen_addresses "'127.0.0.1'"; then PG_CONFIG_CHANGED=1; fi
    if set_pg_conf max_connections "$PG_MAX_CONNECTIONS"; then PG_CONFIG_CHANGED=1; fi
    # Loopback only: TLS would only cost CPU on both ends of every statement. A reload applies it (new connections).
    if set_pg_conf ssl "off"; then PG_CONFIG_RELOAD=1; fi
}

start_postgres() {
    if pg_cluster_online; then
        if [[ $PG_CONFIG_CHANGED -eq 1 ]]; then
            log "postgresql: configuration changed, restarting"
            pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" restart
        elif [[ $PG_CONFIG_RELOAD -eq 1 ]]; then
            log "postgresql: configuration changed, reloading"
            pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" reload
        fi
    else
        log "postgresql: starting"
        pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
    fi
    local i
    for i in $(seq 1 120); do
        pg_running && return 0
        sleep 0.5
    done
    tail -n 40 "/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log" 2>/dev/null || true
    die "postgresql did not become ready on 127.0.0.1:5432"
}

# psql as the postgres superuser over the local socket; SQL on stdin.
psql_super() { (cd / && su postgres -s /bin/sh -c "psql -X -q -v ON_ERROR_STOP=1 -d postgres"); }

setup_postgres_objects() {
    psql_super >/dev/null <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DEV_USER') THEN
        CREATE ROLE $DEV_USER LOGIN CREATEDB CREATEROLE PASSWORD '$DEV_PASSWORD';
    ELSE
        ALTER ROLE $DEV_USER LOGIN CREATEDB CREATEROLE PASSWORD '$DEV_PASSWORD';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DEV_USER OWNER $DEV_USER'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DEV_USER')
\gexec
ALTER DATABASE $DEV_USER OWNER TO $DEV_USER;
-- DROP DATABASE ... WITH (FORCE) at the end of a test or benchmark must be allowed to end the backends still on it.
GRANT pg_signal_backend TO $DEV_USER;
-- The distributed tests give each service its own user limited to its schema (deploy/postgres/service-users.sh).
SQL
}

stop_postgres() {
    if pg_cluster_online; then
        log "postgresql: stopping"
        pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" stop -m fast
    fi
}

# ---------------------------------------------------------------- commands

status_lines() {
    local rc=0
    if have_rabbitmq && rabbit_running; then
        log "rabbitmq:   running (node $RABBIT_NODE, amqp 127.0.0.1:5672, management http://127.0.0.1:15672)"
    else
        log "rabbitmq:   NOT running"
        rc=1
    fi
    if have_postgres && pg_running; then
        log "postgresql: running ($PG_VERSION/$PG_CLUSTER on 127.0.0.1:5432, database $DEV_USER)"
    else
        log "postgresql: NOT running"
        rc=1
    fi
    return $rc
}

cmd_up() {
    local started=$SECONDS
    install_packages
    configure_rabbitmq
    configure_postgres
    start_rabbitmq
    setup_rabbitmq_objects
    start_postgres
    setup_postgres_objects
    status_lines || die "a service is not running after up"
    log "up in $((SECONDS - started)) s"
}

cmd_down() {
    if have_rabbitmq; then stop_rabbitmq; fi
    if have_postgres; then stop_postgres; fi
    log "rabbitmq:   stopped"
    log "postgresql: stopped"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) status_lines ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
