# Sourced by scripts/test and CI: starts localstripe (a third-party fake Stripe server, a Python
# package) on a free loopback port, as an independent peer for the Stripe adapter's tests, and
# stops it on exit. Exports LOCALSTRIPE_URL.
#
# localstripe is pinned and installed into a virtualenv of its own the first time
# (PAYRAIL_TOOLS_DIR, default ~/.cache/payrail), from PyPI.

LOCALSTRIPE_VERSION=1.15.10

ensure_localstripe_installed() {
    local root="${PAYRAIL_TOOLS_DIR:-$HOME/.cache/payrail}"
    LOCALSTRIPE_VENV="$root/localstripe-$LOCALSTRIPE_VERSION"
    [ -x "$LOCALSTRIPE_VENV/bin/localstripe" ] && return 0
    echo "installing localstripe $LOCALSTRIPE_VERSION into $LOCALSTRIPE_VENV" >&2
    if ! python3 -m venv "$LOCALSTRIPE_VENV" >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$LOCALSTRIPE_VENV"
    fi
    "$LOCALSTRIPE_VENV/bin/pip" install -q "localstripe==$LOCALSTRIPE_VERSION"
}

start_localstripe() {
    ensure_localstripe_installed
    local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    LOCALSTRIPE_LOG=$(mktemp /tmp/localstripe.XXXXXX.log)
    "$LOCALSTRIPE_VENV/bin/localstripe" --port "$port" --from-scratch >"$LOCALSTRIPE_LOG" 2>&1 &
    LOCALSTRIPE_PID=$!
    for _ in $(seq 1 150); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
        sleep 0.2
    done
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null \
        || { echo "localstripe did not start:" >&2; cat "$LOCALSTRIPE_LOG" >&2; return 1; }
    LOCALSTRIPE_URL="http://127.0.0.1:$port"
    export LOCALSTRIPE_URL LOCALSTRIPE_PID
}

stop_localstripe() {
    [ -n "${LOCALSTRIPE_PID:-}" ] && kill "$LOCALSTRIPE_PID" 2>/dev/null
    LOCALSTRIPE_PID=
}
