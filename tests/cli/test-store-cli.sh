#!/bin/sh
# test-store-cli.sh: TAP tests of the sriovfo store commands (cli/sriovfo-db.c)
#
# The commands run against the embedded store in a temporary data directory
# (SRIOVFO_DATA_DIR): the first one creates and starts a real PostgreSQL
# cluster there, the last one stops it. Every case asserts the exit status
# (0 no error, 1 a rule is violated and nothing was written, 2 bad usage,
# unreadable input or a database error) and what was printed or stored.
# Environment (set by make check): as test-cli.sh, plus SRIOVFO_MIGRATIONS_DIR.
# Skips (TAP "1..0 # SKIP") when PostgreSQL's server programs are missing.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/cli-lib.sh"

SRIOVFO_MIGRATIONS_DIR=${SRIOVFO_MIGRATIONS_DIR:-$abs_top_srcdir/db-migrations}
export SRIOVFO_MIGRATIONS_DIR

examples=$abs_top_srcdir/examples
data=$abs_top_srcdir/tests/data/cli
inventory=$examples/inventory.json

# ids from examples/inventory.json
web1=95edeee5-777a-4224-b25c-eebddcdf333f
nic_web1_vf=90886d6b-ccd6-412b-8621-d7cf84b048d0
p_virtio_failover=9819b960-fe29-44f5-9ffc-cd8624bdea69
p_sriov_failover=5e60bdfc-920b-4a2c-84d4-517b497fa354
p_sriov_plain=66ae506a-0941-4e8a-9a68-3384d4976b07

# short: the cluster's Unix socket lives in the data directory
tmp=$(mktemp -d /tmp/sfo-cli.XXXXXX) || exit 99
# as root the server runs as user postgres, which must enter $tmp to reach the data directory
chmod 0711 "$tmp"
SRIOVFO_DATA_DIR=$tmp/data
SRIOVFO_PG_NOSYNC=1
export SRIOVFO_DATA_DIR SRIOVFO_PG_NOSYNC
unset SRIOVFO_DSN
cleanup() {
    "$SFO_CLI" db stop > /dev/null 2>&1
    # SFO_TEST_KEEP=1 keeps the data directory (and its server log) for a look
    [ -n "${SFO_TEST_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
out=$tmp/stdout
err=$tmp/stderr

# python3 -c PROGRAM < stdout: a check on the JSON of the last run
json_check() {
    "$PYTHON" -c "import json, sys; doc = json.load(sys.stdin); $1" < "$out" 2> "$tmp/python.err"
}

# the stored inventory, exported to FILE
export_to() {
    "$SFO_CLI" export > "$1" 2> "$tmp/export.err"
}

# ------------------------------------------------------------------------
# db (the first command also tells whether PostgreSQL's server programs are there)
# ------------------------------------------------------------------------
run db status
if [ "$rc" -ne 0 ] && grep -q "(DB_SERVER_NOT_FOUND)" "$err"; then
    echo "1..0 # SKIP $(cat "$err")"
    exit 0
fi
expect "db status on a new data directory: creates the cluster, schema version 0" 0 \
    'grep -qx "store: embedded, in $SRIOVFO_DATA_DIR" "$out" &&
     grep -q "^schema version: 0 " "$out" && [ -f "$SRIOVFO_DATA_DIR/pgdata/PG_VERSION" ]'

run db upgrade
expect "db upgrade: applies every migration" 0 \
    'grep -qx "applied 6 migration(s); schema version 6" "$out"'

run db upgrade
expect "db upgrade again: applies nothing" 0 \
    'grep -qx "applied 0 migration(s); schema version 6" "$out"'

run db status --json
expect "db status --json: schema version 6 of 6" 0 \
    'json_check "assert doc[\"schema_version\"] == 6 and doc[\"latest_version\"] == 6 and doc[\"store\"] == \"embedded\""'

run db frob
expect "unknown db command: exit 2" 2 'grep -q "unknown db command" "$err"'

run db stop --dsn "host=/nonexistent"
expect "db stop with --dsn: exit 2, only the embedded store is stopped" 2 \
    'grep -q "only the embedded store" "$err"'

# ------------------------------------------------------------------------
# import, export
# ------------------------------------------------------------------------
run import "$inventory"
expect "import examples/inventory.json: exit 0, no errors" 0 \
    '! grep -q "^error " "$out" && grep -qx "0 error(s), 0 warning(s)" "$err"'

run import "$inventory"
expect "import into a store that is not empty: exit 2, STORE_NOT_EMPTY" 2 \
    'grep -q "(STORE_NOT_EMPTY)" "$err"'

run export --replace
expect "--replace with a command other than import: exit 2" 2 \
    'grep -q -- "--replace only applies" "$err"'

run export
expect "export: exit 0, what was imported" 0 \
    'json_check "
ex = json.load(open(\"$inventory\"))
assert all(len(doc[k]) == len(ex[k]) for k in ex), \"collections differ\"
assert [p[\"id\"] for p in doc[\"vnic_profiles\"]] == [p[\"id\"] for p in ex[\"vnic_profiles\"]]"'
cp "$out" "$tmp/exported.json"

run check "$tmp/exported.json"
expect "the export passes sriovfo check" 0 '! grep -q "^error " "$out"'

run import --replace "$tmp/exported.json"
expect "import --replace of the export: exit 0" 0 '! grep -q "^error " "$out"'
export_to "$tmp/exported2.json"
n=$((n + 1))
if cmp -s "$tmp/exported.json" "$tmp/exported2.json"; then
    echo "ok $n - export, import --replace, export: the same text"
else
    failures=$((failures + 1))
    echo "not ok $n - export, import --replace, export: the same text"
    diff "$tmp/exported.json" "$tmp/exported2.json" | head -n 20 | sed -e 's/^/#   /'
fi

violation_keys="error ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH
error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF
error ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE
error NETWORK_MAC_ADDRESS_IN_USE
warning WARNING_FAILOVER_NETWORK_MTU_MISMATCH"
run import --replace "$data/violations.json"
expect "import --replace of an inventory with violations: exit 1, the keys check reports" 1 \
    '[ "$(human_keys)" = "$violation_keys" ] && grep -qx "4 error(s), 1 warning(s)" "$err"'
export_to "$tmp/after-refused.json"
n=$((n + 1))
if cmp -s "$tmp/exported.json" "$tmp/after-refused.json"; then
    echo "ok $n - the refused import wrote nothing"
else
    failures=$((failures + 1))
    echo "not ok $n - the refused import wrote nothing"
fi

run import "$tmp/no-such-file.json"
expect "import of a missing file: exit 2, FILE_UNREADABLE" 2 'grep -q "(FILE_UNREADABLE)" "$err"'

# ------------------------------------------------------------------------
# profiles
# ------------------------------------------------------------------------
run profile list
expect "profile list: one line per profile, failover shown" 0 \
    '[ "$(wc -l < "$out")" -eq 6 ] &&
     grep -qx "$p_sriov_failover sriov-failover passthrough migratable failover=$p_virtio_failover" "$out"'

run profile list --json
expect "profile list --json: the six profiles" 0 \
    'json_check "assert len(doc[\"vnic_profiles\"]) == 6"'

run profile add "$examples/broken-profile.json"
expect "profile add of a profile breaking a rule: exit 1, the key, nothing stored" 1 \
    '[ "$(human_keys)" = "error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID" ] &&
     ! "$SFO_CLI" profile list | grep -q sriov-broken'

run profile add --json "$examples/broken-profile.json"
expect "profile add --json of the broken profile: exit 1, JSON with its key" 1 \
    '[ "$(json_keys)" = "error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID" ]'

run profile add "$data/validate/add-vnic-profile.json"
expect "profile add: exit 0, prints the id" 0 \
    '[ "$(cat "$out")" = "6a0c8f3e-3a55-4c8e-9d6b-0f2d7c1e5b10" ] &&
     "$SFO_CLI" profile list | grep -q "^6a0c8f3e-3a55-4c8e-9d6b-0f2d7c1e5b10 sriov-failover-2 "'

cat > "$tmp/no-id.json" << EOF
{ "name": "no-id", "network": { "id": "1fe46092-0f45-4bae-a0c7-82ebd06d4a71" } }
EOF
run profile add "$tmp/no-id.json"
expect "profile add without an id: exit 0, prints a new UUID" 0 \
    'grep -Eqx "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}" "$out"'

cat > "$tmp/with-id.json" << EOF
{ "id": "p-json", "name": "json", "network": { "id": "1fe46092-0f45-4bae-a0c7-82ebd06d4a71" } }
EOF
run profile add --json "$tmp/with-id.json"
expect "profile add --json: exit 0, JSON with the id and no violations" 0 \
    'json_check "assert doc[\"id\"] == \"p-json\" and doc[\"violations\"] == []"'

run profile add "$tmp/with-id.json"
expect "profile add of a taken id: exit 2, INVENTORY_DUPLICATE_ID" 2 \
    'grep -q "(INVENTORY_DUPLICATE_ID)" "$err"'

run profile update "$data/validate/update-vnic-profile.json"
expect "profile update: exit 0, stored" 0 \
    '"$SFO_CLI" profile list | grep -q "^$p_sriov_plain sriov-plain-renamed passthrough$"'

run profile remove "$p_virtio_failover"
expect "profile remove of a failover target: exit 1, REMOVE_OF_FAILOVER" 1 \
    '[ "$(human_keys)" = "error ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED" ]'

run profile remove "$p_sriov_plain"
expect "profile remove: exit 0, gone" 0 '! "$SFO_CLI" profile list | grep -q "$p_sriov_plain"'

run profile add "$tmp/no-such-file.json"
expect "profile add of a missing file: exit 2, names it" 2 \
    'grep -qF "cannot read $tmp/no-such-file.json" "$err"'

run profile
expect "profile without a subcommand: exit 2" 2 'grep -q "usage: sriovfo profile" "$err"'

# ------------------------------------------------------------------------
# NICs
# ------------------------------------------------------------------------
run nic add "$data/validate/add-nic.json"
expect "nic add: exit 0, prints the id" 0 \
    '[ "$(cat "$out")" = "3d1f7a52-8c1b-4f0e-a3a4-2b9d6e7f8a01" ]'

cat > "$tmp/shared.json" << EOF
{ "id": "nic-shared", "name": "nic9", "vm": { "id": "$web1" },
  "vnic_profile": { "id": "$p_sriov_failover" }, "interface": "pci_passthrough",
  "mac": { "address": "56:6f:1a:2b:00:99" } }
EOF
run nic add "$tmp/shared.json"
expect "nic add of a second VF NIC on the same failover profile: exit 1" 1 \
    '[ "$(human_keys)" = "error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE" ]'

run nic unplug "$nic_web1_vf"
expect "nic unplug: exit 0, stored unplugged" 0 \
    'export_to "$tmp/e.json" && "$PYTHON" -c "
import json; d = json.load(open(\"$tmp/e.json\"))
assert [n for n in d[\"nics\"] if n[\"id\"] == \"$nic_web1_vf\"][0][\"plugged\"] is False"'

run nic plug "$nic_web1_vf"
expect "nic plug: exit 0, stored plugged" 0 \
    'export_to "$tmp/e.json" && "$PYTHON" -c "
import json; d = json.load(open(\"$tmp/e.json\"))
assert [n for n in d[\"nics\"] if n[\"id\"] == \"$nic_web1_vf\"][0][\"plugged\"] is True"'

run nic remove "$nic_web1_vf"
expect "nic remove: exit 0" 0 '[ ! -s "$out" ]'

run nic remove "$nic_web1_vf"
expect "nic remove of an unknown NIC: exit 2, NIC_NOT_FOUND" 2 'grep -q "(NIC_NOT_FOUND)" "$err"'

run nic add "$tmp/shared.json"
expect "nic add on the failover profile once the other NIC is gone: exit 0" 0 \
    '[ "$(cat "$out")" = "nic-shared" ]'

run nic frob x
expect "unknown nic command: exit 2" 2 'grep -q "unknown nic command" "$err"'

# ------------------------------------------------------------------------
# a DSN instead of the embedded store
# ------------------------------------------------------------------------
SRIOVFO_DSN="host=$SRIOVFO_DATA_DIR port=5432 dbname=sriovfo user=sriovfo"
export SRIOVFO_DSN
run profile list
expect "SRIOVFO_DSN reaches the same database" 0 'grep -q "^p-json json$" "$out"'
unset SRIOVFO_DSN

run export --dsn "host=$tmp/nowhere port=5432 connect_timeout=3"
expect "--dsn that cannot be reached: exit 2, DB_CONNECTION_FAILED" 2 \
    'grep -q "(DB_CONNECTION_FAILED)" "$err" && [ ! -s "$out" ]'

# ------------------------------------------------------------------------
# users of the REST engine
# ------------------------------------------------------------------------
printf 's3cret\n' > "$tmp/password"
run user add alice --role admin --password-file "$tmp/password"
expect "user add --password-file: exit 0" 0 '[ ! -s "$out" ]'

run user add bob --role viewer < "$tmp/password"
expect "user add, the password on stdin: exit 0" 0 '[ ! -s "$out" ]'

run user add alice --role viewer < "$tmp/password"
expect "user add of a taken name: exit 2, USER_EXISTS" 2 'grep -q "(USER_EXISTS)" "$err"'

run user add carol < "$tmp/password"
expect "user add without --role: exit 2" 2 'grep -q "role" "$err"'

run user add carol --role root < "$tmp/password"
expect "user add --role root: exit 2, INVALID_ARGUMENT" 2 'grep -q "(INVALID_ARGUMENT)" "$err"'

run user list
expect "user list: name and role, in the order added" 0 \
    '[ "$(cat "$out")" = "alice admin
bob viewer" ]'

run user list --json
expect "user list --json" 0 \
    'json_check "assert doc == [{\"name\": \"alice\", \"role\": \"admin\"}, {\"name\": \"bob\", \"role\": \"viewer\"}]"'

printf 'other\n' > "$tmp/password2"
run user passwd bob --password-file "$tmp/password2"
expect "user passwd: exit 0" 0 '[ ! -s "$out" ]'

run user passwd nobody --password-file "$tmp/password2"
expect "user passwd of an unknown user: exit 2, USER_NOT_FOUND" 2 'grep -q "(USER_NOT_FOUND)" "$err"'

run user remove bob
expect "user remove: exit 0" 0 '[ ! -s "$out" ]'

run user list
expect "user list after the removal" 0 '[ "$(cat "$out")" = "alice admin" ]'

run user remove bob
expect "user remove of an unknown user: exit 2, USER_NOT_FOUND" 2 'grep -q "(USER_NOT_FOUND)" "$err"'

run export --role admin
expect "--role with another command: exit 2" 2 'grep -q "only apply to" "$err"'

# ------------------------------------------------------------------------
# stop, and start again on the next command
# ------------------------------------------------------------------------
run db stop
expect "db stop: exit 0, stopped" 0 'grep -qx "stopped the embedded store in $SRIOVFO_DATA_DIR" "$out"'

run db stop
expect "db stop again: exit 0, was not running" 0 \
    'grep -qx "the embedded store in $SRIOVFO_DATA_DIR was not running" "$out"'

run profile list
expect "the next command starts it again, the data kept" 0 'grep -q "^p-json json$" "$out"'

echo "1..$n"
[ "$failures" -eq 0 ]
