#!/bin/sh
# engine-demo.sh: the REST engine on the embedded store, driven by the oVirt SDK
#
#   engine-demo.sh TOP_SRCDIR TOP_BUILDDIR
#
# Starts sriovfo-engine on a free loopback port over the embedded store (which
# examples/demo.sh filled with examples/inventory.json), sets the password of
# admin@internal, runs examples/engine-sdk.py with the official oVirt SDK (its
# virtual environment built once by tests/engine/sdk-venv.sh) and stops the
# engine. Exits non-zero when a step does not behave as described.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
top=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
: "${PYTHON:=/usr/bin/python3}"
: "${SRIOVFO_MIGRATIONS_DIR:=$top/db-migrations}"
export SRIOVFO_MIGRATIONS_DIR
PYTHONPATH=$top/engine-ext:$build/bindings/python:$top/bindings/python
SRIOVFO_UI_STRINGS_DIR=$top/ui-strings
export PYTHONPATH SRIOVFO_UI_STRINGS_DIR
password=${SRIOVFO_DEMO_PASSWORD:-demo-admin-password}

sdk_python=$(PYTHON=$PYTHON sh "$top/tests/engine/sdk-venv.sh")
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp "${TMPDIR:-/tmp}/sfo-engine-demo.XXXXXX")

printf '\n=== the REST engine: sriovfo-engine --bind 127.0.0.1:%s (embedded store)\n' "$port"
SRIOVFO_ADMIN_PASSWORD=$password "$PYTHON" -m sriovfo_engine --bind "127.0.0.1:$port" \
    --workers 2 >"$log" 2>&1 &
engine=$!
trap 'kill "$engine" 2>/dev/null; wait "$engine" 2>/dev/null; rm -f "$log"' EXIT
i=0
until "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$engine" 2>/dev/null; then
        echo "engine-demo: sriovfo-engine did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
# the administrator may exist from an earlier run: give it the demo's password
printf '%s\n' "$password" | "$build/cli/sriovfo" user passwd admin@internal >/dev/null

printf '$ python3 examples/engine-sdk.py http://127.0.0.1:%s/ovirt-engine/api admin@internal ...\n' "$port"
"$sdk_python" "$top/examples/engine-sdk.py" "http://127.0.0.1:$port/ovirt-engine/api" \
    admin@internal "$password"

kill "$engine"
wait "$engine" 2>/dev/null || true
trap 'rm -f "$log"' EXIT
"$build/cli/sriovfo" db stop >/dev/null
printf '\n=== engine and embedded store stopped\n'
