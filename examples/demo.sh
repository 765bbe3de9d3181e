#!/bin/sh
# demo.sh: a walk through the sriovfo command on the example inventory
#
#   demo.sh SRIOVFO_BIN EXAMPLES_DIR
#
# Checks examples/inventory.json, prints the libvirt XML of VM web1 (a VF
# with its virtio failover standby) and host1's libvirt networks, then shows
# a rule violation: validating examples/broken-profile.json, a passthrough
# profile whose failover is another passthrough profile, must exit 1 with an
# "error KEY: message" line. Then the same through the store: the example is
# imported into the embedded store (a private PostgreSQL server, started on
# first use, under $SRIOVFO_DATA_DIR or the default of docs/store.md; its
# contents are replaced), the broken profile is refused and nothing is
# written, the profiles are listed and the server is stopped. The demo exits
# non-zero only when a step does not behave as described.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

if [ $# -ne 2 ]; then
    echo "usage: $0 SRIOVFO_BIN EXAMPLES_DIR" >&2
    exit 2
fi
sriovfo=$1
examples=$2
inventory=$examples/inventory.json
# the store's migrations, when sriovfo runs from a build tree instead of being installed
if [ -z "${SRIOVFO_MIGRATIONS_DIR:-}" ] && [ -d "$examples/../db-migrations" ]; then
    SRIOVFO_MIGRATIONS_DIR=$(cd "$examples/../db-migrations" && pwd)
    export SRIOVFO_MIGRATIONS_DIR
fi

# ids from examples/inventory.json
web1=95edeee5-777a-4224-b25c-eebddcdf333f
host1=da7aad9e-74dc-4e2c-b5b2-0b2861d6cd01

out=$(mktemp "${TMPDIR:-/tmp}/sfo-demo.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT
unexpected=0

heading() {
    printf '\n=== %s\n' "$1"
}

# step EXPECTED_EXIT MAX_LINES ARGS...: run sriovfo ARGS, show its output
# (the first MAX_LINES lines, 0 for all) and compare its exit status
step() {
    expected=$1
    lines=$2
    shift 2
    printf '$ sriovfo %s\n' "$*"
    "$sriovfo" "$@" > "$out" 2>&1
    rc=$?
    if [ "$lines" -gt 0 ]; then
        head -n "$lines" "$out"
        total=$(wc -l < "$out")
        if [ "$total" -gt "$lines" ]; then
            echo "... ($((total - lines)) more lines)"
        fi
    else
        cat "$out"
    fi
    if [ "$rc" -eq "$expected" ]; then
        echo "[exit status $rc, as expected]"
    else
        echo "[UNEXPECTED: exit status $rc, expected $expected]"
        unexpected=1
    fi
}

heading "1. Check every rule over the inventory (expect no errors)"
step 0 0 check "$inventory"

heading "2. The libvirt interfaces of VM web1: VF + virtio standby, same MAC, <teaming>"
step 0 0 domxml "$inventory" "$web1"

heading "3. The same as a complete minimal Q35 domain"
step 0 30 domxml "$inventory" "$web1" --domain

heading "4. The libvirt networks host1 needs (hostdev VF pool, bridge)"
step 0 0 netxml "$inventory" "$host1"

heading "5. A profile that breaks a rule: its failover is a passthrough profile (expect exit 1)"
step 1 0 validate "$inventory" add-vnic-profile "$examples/broken-profile.json"
if ! grep -q '^error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID: ' "$out"; then
    echo "[UNEXPECTED: no 'error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID: ...' line]"
    unexpected=1
fi

heading "6. The store: import the inventory into the embedded PostgreSQL store"
step 0 0 import --replace "$inventory"

heading "7. The broken profile through the store: refused, nothing written (expect exit 1)"
step 1 0 profile add "$examples/broken-profile.json"
if ! grep -q '^error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID: ' "$out"; then
    echo "[UNEXPECTED: no 'error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID: ...' line]"
    unexpected=1
fi

heading "8. The stored profiles (sriov-broken is not among them)"
step 0 0 profile list
if grep -q 'sriov-broken' "$out"; then
    echo "[UNEXPECTED: the refused profile was stored]"
    unexpected=1
fi

heading "9. Export the stored inventory"
step 0 12 export

heading "10. Stop the store's server (the next store command starts it again)"
step 0 0 db stop

echo
if [ "$unexpected" -ne 0 ]; then
    echo "demo: some steps did not behave as expected" >&2
    exit 1
fi
echo "demo: every step behaved as expected"
exit 0
