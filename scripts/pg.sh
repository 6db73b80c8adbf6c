# Sourced by scripts/test, bench and CI: starts a throwaway Postgres cluster on a free loopback
# port and stops it on exit. Exports PG_URL (a superuser URL for the `postgres` database).
#
# Uses the machine's Postgres binaries (Debian's postgresql package), installing them when
# missing. initdb refuses to run as root, so as root the cluster belongs to the postgres user.

pg_bin_dir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

ensure_postgres_installed() {
    pg_bin_dir >/dev/null && return 0
    echo "postgres binaries not found; installing Debian's postgresql" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin_dir >/dev/null
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

start_pg() {
    ensure_postgres_installed
    local bin; bin=$(pg_bin_dir)
    PG_DIR=$(mktemp -d /tmp/payrail-pg.XXXXXX)
    PG_PORT=$(free_port)
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    as_pg_owner "'$bin/initdb' -D '$PG_DIR/data' -U postgres -A trust --no-sync -E UTF8 >'$PG_DIR/initdb.log' 2>&1" \
        || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    # Durability off: this cluster lives for one run. max_connections covers parallel tests.
    as_pg_owner "'$bin/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -t 60 start \
        -o \"-p $PG_PORT -k '$PG_DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=256MB\" >/dev/null" \
        || { cat "$PG_DIR/server.log" >&2; return 1; }
    PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    export PG_URL PG_DIR PG_PORT
    trap stop_pg EXIT
}

stop_pg() {
    [ -n "${PG_DIR:-}" ] || return 0
    local bin; bin=$(pg_bin_dir)
    as_pg_owner "'$bin/pg_ctl' -D '$PG_DIR/data' -m immediate stop >/dev/null 2>&1" || true
    rm -rf "$PG_DIR"
    PG_DIR=
}
