#!/bin/sh
# test-cli.sh: TAP tests of the sriovfo command (cli/sriovfo.c)
#
# Every case runs sriovfo once and asserts both its exit status (0 no error,
# 1 a rule is violated, 2 bad usage or unreadable input) and what it printed.
# Environment (set by make check):
#   SFO_CLI            the built cli/sriovfo (a libtool wrapper script)
#   SFO_CLI_RUNNER     optional command prefix for every sriovfo run, e.g.
#                      "libtool --mode=execute valgrind --error-exitcode=99 ..."
#   abs_top_srcdir     source tree (examples/, tests/data/cli/)
#   abs_top_builddir   build tree (config.h for the version)
# Needs /usr/bin/python3 (or python3 on PATH) to read the --json output.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

. "${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/cli-lib.sh"

examples=$abs_top_srcdir/examples
data=$abs_top_srcdir/tests/data/cli
inventory=$examples/inventory.json

# ids from examples/inventory.json
web1=95edeee5-777a-4224-b25c-eebddcdf333f
host1=da7aad9e-74dc-4e2c-b5b2-0b2861d6cd01

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfo-cli-test.XXXXXX") || exit 99
# the embedded store the apply cases start, if they got that far
trap '[ -d "$tmp/store" ] && SRIOVFO_DATA_DIR=$tmp/store "$SFO_CLI" db stop > /dev/null 2>&1
      rm -rf "$tmp"' EXIT
out=$tmp/stdout
err=$tmp/stderr

# the usage on stdout names every command
lists_commands() {
    for c in check validate domxml netxml check-domxml plan apply reconcile; do
        grep -q "^  $c " "$out" || return 1
    done
}

# no line of stdout reports an error
no_error_lines() {
    ! grep -q '^error ' "$out"
}

# ------------------------------------------------------------------------
# usage
# ------------------------------------------------------------------------
run --help
expect "--help prints the usage with every command on stdout" 0 \
    'grep -q "^Usage: sriovfo COMMAND" "$out" && lists_commands && [ ! -s "$err" ]'

version=
if [ -f "$abs_top_builddir/config.h" ]; then
    version=$(sed -n -e 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$abs_top_builddir/config.h")
fi
run --version
expect "--version prints 'sriovfo VERSION'" 0 \
    'if [ -n "$version" ]; then [ "$(cat "$out")" = "sriovfo $version" ];
     else grep -Eqx "sriovfo [0-9]+\.[0-9]+\.[0-9]+.*" "$out"; fi'

run
expect "no arguments: usage on stderr, exit 2" 2 \
    'grep -q "^Usage: sriovfo COMMAND" "$err" && [ ! -s "$out" ]'

run frobnicate "$inventory"
expect "unknown command: exit 2, names the command" 2 \
    'grep -q "unknown command '"'frobnicate'"'" "$err" && [ ! -s "$out" ]'

run --no-such-option check "$inventory"
expect "unknown option: exit 2" 2 'grep -q "no-such-option" "$err" && [ ! -s "$out" ]'

run check
expect "check without an inventory: exit 2 with its usage" 2 \
    'grep -q "usage: sriovfo check INVENTORY" "$err"'

run validate "$inventory" frob-vm "$data/validate/run-vm.json"
expect "unknown action: exit 2, names the action" 2 \
    'grep -q "unknown action '"'frob-vm'"'" "$err" && [ ! -s "$out" ]'

run check --domain "$inventory"
expect "--domain with a command other than domxml: exit 2" 2 \
    'grep -q -- "--domain only applies to '"'domxml'"'" "$err" && [ ! -s "$out" ]'

# ------------------------------------------------------------------------
# unreadable inventories
# ------------------------------------------------------------------------
missing=$tmp/no-such-inventory.json
run check "$missing"
expect "missing inventory: exit 2, names the file" 2 \
    'grep -qF "$missing" "$err" && grep -q "(FILE_UNREADABLE)" "$err"'

run check "$data/malformed.json"
expect "malformed JSON: exit 2, names file:line:column and INVENTORY_SYNTAX_ERROR" 2 \
    'grep -qF "$data/malformed.json:4:5: invalid JSON" "$err" &&
     grep -q "(INVENTORY_SYNTAX_ERROR)$" "$err" && [ ! -s "$out" ]'

# read by length: a NUL byte does not end the file
printf '{"data_centers": []}\n\000{"garbage"' > "$tmp/nul.json"
run check "$tmp/nul.json"
expect "a NUL, then garbage: exit 2, INVENTORY_SYNTAX_ERROR at the NUL" 2 \
    'grep -qF "$tmp/nul.json:2:1: invalid JSON: unexpected character" "$err" &&
     grep -q "(INVENTORY_SYNTAX_ERROR)$" "$err" && [ ! -s "$out" ]'

printf '{"id": "p"}\000{"id": "q"}' > "$tmp/nul-object.json"
run validate "$inventory" add-vnic-profile "$tmp/nul-object.json"
expect "validate of an object file with a NUL: exit 2, INVENTORY_SYNTAX_ERROR" 2 \
    'grep -qF "$tmp/nul-object.json: byte 12 is a NUL" "$err" &&
     grep -q "(INVENTORY_SYNTAX_ERROR)$" "$err" && [ ! -s "$out" ]'

run check "$data/wrong-type.json"
expect "wrong type: exit 2, names the JSON path and INVENTORY_WRONG_TYPE" 2 \
    'grep -qF "networks[1].mtu: expected an integer, found a string" "$err" &&
     grep -q "(INVENTORY_WRONG_TYPE)$" "$err"'

# ------------------------------------------------------------------------
# check
# ------------------------------------------------------------------------
run check "$inventory"
expect "check examples/inventory.json: exit 0, no error lines" 0 \
    'no_error_lines && grep -qx "0 error(s), 0 warning(s)" "$err"'

run check "$data/warnings.json"
expect "check with only warnings: exit 0, the warning line" 0 \
    'no_error_lines && [ "$(human_keys)" = "warning WARNING_FAILOVER_NETWORK_MTU_MISMATCH" ] &&
     grep -qx "0 error(s), 1 warning(s)" "$err"'

violation_keys="error ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH
error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF
error ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE
error NETWORK_MAC_ADDRESS_IN_USE
warning WARNING_FAILOVER_NETWORK_MTU_MISMATCH"

self_key=ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF
run check "$data/violations.json"
expect "check with violations: exit 1, exactly the expected keys" 1 \
    '[ "$(human_keys)" = "$violation_keys" ] && grep -qx "4 error(s), 1 warning(s)" "$err" &&
     grep -q "^error $self_key: .*'"'prof-self'"'" "$out"'

run check --json "$data/violations.json"
expect "check --json with violations: exit 1, JSON with the same keys" 1 \
    'keys=$(json_keys) && [ "$keys" = "$violation_keys" ]'

run --json check "$inventory"
expect "check --json (option first) of examples/inventory.json: exit 0, no violations" 0 \
    '[ "$("$PYTHON" -c "import json,sys; print(len(json.load(sys.stdin)[\"violations\"]))" \
        < "$out" 2> "$tmp/python.err")" = 0 ]'

# ------------------------------------------------------------------------
# validate
# ------------------------------------------------------------------------
run validate "$inventory" add-vnic-profile "$examples/broken-profile.json"
expect "validate examples/broken-profile.json: exit 1, failover not valid" 1 \
    '[ "$(human_keys)" = "error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID" ]'

run validate --json "$inventory" add-vnic-profile "$examples/broken-profile.json"
expect "validate --json of the broken profile: exit 1, JSON with its key" 1 \
    '[ "$(json_keys)" = "error ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID" ]'

for action in add-vnic-profile update-vnic-profile remove-vnic-profile add-nic update-nic \
              plug-nic run-vm migrate-vm; do
    run validate "$inventory" "$action" "$data/validate/$action.json"
    expect "validate $action of a valid object: exit 0, no violations" 0 \
        '[ ! -s "$out" ] && grep -qx "0 error(s), 0 warning(s)" "$err"'
done

# the same actions must reach their own rules, not a shared no-op
run validate "$inventory" remove-vnic-profile "$data/validate/remove-failover-target.json"
expect "validate remove-vnic-profile of a failover target: exit 1" 1 \
    '[ "$(human_keys)" = "error ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED" ]'

run validate "$inventory" migrate-vm "$data/validate/migrate-unknown-host.json"
expect "validate migrate-vm to an unknown host: exit 1" 1 \
    '[ "$(human_keys)" = "error ACTION_TYPE_FAILED_HOST_NOT_EXIST" ]'

run validate "$inventory" run-vm "$data/validate/migrate-vm.json"
expect "validate run-vm of an object without an id: exit 2, INVENTORY_MISSING_FIELD" 2 \
    'grep -q "(INVENTORY_MISSING_FIELD)$" "$err" && [ ! -s "$out" ]'

run validate "$inventory" add-nic "$tmp/no-such-object.json"
expect "validate with a missing object file: exit 2, names the file" 2 \
    'grep -qF "cannot read $tmp/no-such-object.json" "$err"'

# read by length: a valid object, a NUL, then what would change its meaning
{ cat "$data/validate/add-nic.json"; printf '\000{"plugged": true}'; } > "$tmp/nul-object.json"
run validate "$inventory" add-nic "$tmp/nul-object.json"
expect "validate of an object with a NUL after it: exit 2, INVENTORY_SYNTAX_ERROR" 2 \
    'grep -q "is a NUL, which the text cannot hold (INVENTORY_SYNTAX_ERROR)$" "$err" &&
     [ ! -s "$out" ]'

# ------------------------------------------------------------------------
# domxml, netxml
# ------------------------------------------------------------------------
run domxml "$inventory" "$web1"
expect "domxml of web1: exit 0, <devices> with a transient/persistent teaming pair" 0 \
    'head -n 1 "$out" | grep -q "^<devices>" &&
     grep -Eq "<teaming type=[\"'"'"']transient[\"'"'"'] persistent=" "$out" &&
     grep -Eq "<teaming type=[\"'"'"']persistent[\"'"'"']/>" "$out" && [ ! -s "$err" ]'

run domxml "$inventory" "$web1" --domain
expect "domxml --domain: exit 0, a complete <domain>" 0 \
    'grep -q "<domain" "$out" && grep -q "</domain>" "$out" &&
     grep -Eq "<teaming type=[\"'"'"']transient[\"'"'"']" "$out"'

run domxml "$inventory" no-such-vm
expect "domxml of an unknown VM: exit 2, VM_NOT_FOUND" 2 \
    'grep -q "no-such-vm" "$err" && grep -q "(VM_NOT_FOUND)$" "$err" && [ ! -s "$out" ]'

run netxml "$inventory" "$host1"
expect "netxml of host1: exit 0, <networks> holding <network> definitions" 0 \
    'grep -q "^<networks>" "$out" && grep -q "<network>" "$out" &&
     grep -q "<name>transient-net</name>" "$out" && [ ! -s "$err" ]'

run netxml "$inventory" no-such-host
expect "netxml of an unknown host: exit 2, HOST_NOT_FOUND" 2 \
    'grep -q "(HOST_NOT_FOUND)$" "$err" && [ ! -s "$out" ]'

# ------------------------------------------------------------------------
# check-domxml
# ------------------------------------------------------------------------
run check-domxml "$data/domain-good.xml"
expect "check-domxml of a good domain: exit 0, no violations" 0 \
    '[ ! -s "$out" ] && grep -qx "0 error(s), 0 warning(s)" "$err"'

run check-domxml "$data/domain-bad.xml"
expect "check-domxml of a dangling persistent reference: exit 1 with its key" 1 \
    '[ "$(human_keys)" = "error ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND" ] &&
     grep -q "ua-missing" "$out"'

run check-domxml --json "$data/domain-bad.xml"
expect "check-domxml --json: exit 1, JSON with the key" 1 \
    '[ "$(json_keys)" = "error ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND" ]'

run check-domxml "$data/domain-malformed.xml"
expect "check-domxml of malformed XML: exit 2, DOMXML_SYNTAX_ERROR with line and column" 2 \
    'grep -qF "$data/domain-malformed.xml" "$err" && grep -Eq "line [0-9]+, column [0-9]+" "$err" &&
     grep -q "(DOMXML_SYNTAX_ERROR)$" "$err" && [ ! -s "$out" ]'

{ cat "$data/domain-bad.xml"; printf '\000<!-- more -->'; } > "$tmp/nul-domain.xml"
run check-domxml "$tmp/nul-domain.xml"
expect "check-domxml of a domain with a NUL after it: exit 2, DOMXML_SYNTAX_ERROR" 2 \
    'grep -q "is a NUL, which the text cannot hold (DOMXML_SYNTAX_ERROR)$" "$err" &&
     [ ! -s "$out" ]'

# bounds: one element with 100k attributes took libxml2 seconds; refused before it reads it
$PYTHON -c 'import sys; sys.stdout.write("<devices><interface type=\"hostdev\"" +
    "".join(" a%d=\"\"" % i for i in range(100000)) + "/></devices>\n")' > "$tmp/attrs.xml"
run check-domxml "$tmp/attrs.xml"
expect "check-domxml of an element with 100k attributes: exit 2, DOMXML_TOO_MANY_ATTRIBUTES" 2 \
    'grep -q "more than 256 attributes at line 1 (DOMXML_TOO_MANY_ATTRIBUTES)$" "$err" &&
     [ ! -s "$out" ]'

# the domxml output must pass its own check
run domxml "$inventory" "$web1" --domain
cp "$out" "$tmp/web1.xml"
run check-domxml "$tmp/web1.xml"
expect "check-domxml accepts what domxml --domain wrote" 0 \
    'grep -qx "0 error(s), 0 warning(s)" "$err"'

# ------------------------------------------------------------------------
# plan (golden files of tests/unit/test-plan.c: the command prints them as they are)
# ------------------------------------------------------------------------
plans=$abs_top_srcdir/tests/data/plan
run plan "$plans/inventory.json" plug nic1
expect "plan plug: exit 0, the plan of tests/data/plan/plug-failover.out.json" 0 \
    'cmp -s "$out" "$plans/plug-failover.out.json" && [ ! -s "$err" ]'

run plan "$plans/inventory.json" migrate vm1 h2
expect "plan migrate: exit 0, the plan of migrate.out.json" 0 \
    'cmp -s "$out" "$plans/migrate.out.json"'

run plan --emulated "$plans/inventory.json" unplug nic1
expect "plan --emulated unplug: exit 0, the plan of unplug-emulated.out.json" 0 \
    'cmp -s "$out" "$plans/unplug-emulated.out.json"'
run plan --emulated-bridge "$plans/inventory.json" plug nic1
expect "plan --emulated-bridge plug: exit 0, the plan of plug-emulated-bridge.out.json" 0 \
    'cmp -s "$out" "$plans/plug-emulated-bridge.out.json"'

run plan "$plans/inventory.json" migrate vm1 h1
expect "plan of a refused migration: exit 1, the violations in the JSON" 1 \
    'cmp -s "$out" "$plans/migrate-same-host.out.json" &&
     json_keys | grep -qx "error ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST"'

run plan "$plans/inventory.json" migrate vm1
expect "plan migrate without a host: usage error, exit 2" 2 \
    'grep -q "usage: sriovfo plan INVENTORY migrate VM_ID HOST_ID" "$err" && [ ! -s "$out" ]'

run plan "$plans/inventory.json" teleport vm1
expect "plan with an unknown action: exit 2" 2 'grep -q "unknown action .teleport." "$err"'

run plan "$plans/inventory.json" plug nic99
expect "plan of an unknown NIC: exit 2 with NIC_NOT_FOUND" 2 \
    'grep -q "(NIC_NOT_FOUND)$" "$err" && [ ! -s "$out" ]'

run check --emulated "$inventory"
expect "--emulated outside plan and apply: exit 2" 2 'grep -q "only applies to" "$err"'

# ------------------------------------------------------------------------
# apply and reconcile, against libvirt's embedded qemu driver (no daemon) and Debian's QEMU.
# The domain has no guest, so nothing acknowledges an unplug. VFIO is not available here:
# --emulated stands an e1000e with the VF's MAC and alias in for the VF.
# ------------------------------------------------------------------------
if [ -n "${QEMU_SYSTEM_X86_64:-}" ] && command -v virsh > /dev/null 2>&1; then
    embed=$tmp/embed
    mkdir -p "$embed/etc"
    printf '%s\n' 'stdio_handler = "file"' 'cgroup_controllers = [ ]' 'user = "root"' \
        'group = "root"' 'remember_owner = 0' 'namespaces = [ ]' > "$embed/etc/qemu.conf"
    uri="qemu:///embed?root=$embed"
    {
        echo "<domain type='qemu'><name>exec-plug</name><memory unit='MiB'>128</memory>"
        echo "  <os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>"
        echo "  <devices><controller type='usb' model='none'/><memballoon model='none'/>"
        echo "    <controller type='pci' index='0' model='pcie-root'/>"
        for port in 1 2 3 4; do
            echo "    <controller type='pci' model='pcie-root-port'/>"
        done
        echo "  </devices></domain>"
    } > "$tmp/vm.xml"
    execinv=$abs_top_srcdir/tests/data/exec/inventory.json
    journal=$tmp/journal.jsonl
    virsh -c "$uri" "define $tmp/vm.xml; start exec-plug --paused" > "$tmp/virsh.log" 2>&1
    # the live XML, as the next command finds it
    live() {
        virsh -c "$uri" dumpxml exec-plug 2> /dev/null
    }

    run apply --connect "$uri" --journal "$journal" --emulated "$execinv" plug n-plug
    expect "apply plug: exit 0, each step done, the pair in the live domain" 0 \
        'grep -q "^step 0: attach standby ua-p-fo on h1: done in " "$out" &&
         grep -q "^step 1: attach vf ua-n-plug on h1: done in " "$out" &&
         grep -q "^plug: completed" "$out" &&
         live | grep -q "<alias name=.ua-p-fo./>" && live | grep -q "<alias name=.ua-n-plug./>"'

    live > "$tmp/before.xml"
    run apply --connect "$uri" --journal "$journal" --emulated --timeout 1 "$execinv" unplug n-plug
    expect "apply unplug without a guest: exit 1, timed out and undone, live XML as before" 1 \
        'grep -q "^step 1: wait-removed vf ua-n-plug on h1: failed in .*VM_INTERFACE_UNPLUG_TIMED_OUT" "$out" &&
         grep -q "^unplug: undone: VM_INTERFACE_UNPLUG_TIMED_OUT" "$out" &&
         live | cmp -s - "$tmp/before.xml"'

    run apply --connect "$uri" --journal "$journal" --emulated --json "$execinv" plug n-plug
    expect "apply --json: every step found done already, the live XML under the URI" 0 \
        '"$PYTHON" -c "
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc[\"status\"] == \"completed\", doc[\"status\"]
assert [s[\"outcome\"] for s in doc[\"steps\"]] == [\"already\", \"already\"]
assert doc[\"undone\"] == [] and doc[\"violations\"] == []
assert \"ua-n-plug\" in doc[\"domains\"][sys.argv[2]]
" "$out" "$uri" 2> "$tmp/python.err"'

    run apply --connect "$uri" --journal "$journal" "$execinv" migrate vm-plug h1
    expect "apply of a refused plan: exit 1, the violation, nothing run" 1 \
        'grep -q "^migrate: refused: ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST" "$out"'

    run apply --connect "$uri" --journal "$journal" --emulated "$execinv" snapshot vm-plug
    expect "apply snapshot without --memory-file: exit 2, nothing unplugged" 2 \
        'grep -q "(SNAPSHOT_MEMORY_FILE_NOT_SET)$" "$err" && [ ! -s "$out" ]'

    run apply "$execinv" plug n-plug
    expect "apply without --connect: exit 2" 2 'grep -q "apply needs --connect URI" "$err"'

    run apply --connect "qemu+unix:///system?socket=$tmp/no-such.sock" --journal "$journal" \
        "$execinv" plug n-plug
    expect "apply to a host that cannot be reached: exit 2, HOST_CONNECTION_FAILED" 2 \
        'grep -q "(HOST_CONNECTION_FAILED)$" "$err" && [ ! -s "$out" ]'

    run reconcile --journal "$journal"
    expect "reconcile of a journal whose sequences all ended: exit 0, nothing to do" 0 \
        'grep -q "^reconcile: completed" "$out" && ! grep -q "^step\|^undo" "$out"'

    # a process that died after it asked for the VF's unplug: its journal has no end
    sed -n -e '/"type":"begin".*"action":"unplug"/{p;q;}' "$journal" > "$tmp/crash.jsonl"
    seq=$(sed -n -e 's/^{"type":"begin","sequence":"\([^"]*\)".*/\1/p' "$tmp/crash.jsonl")
    printf '{"type":"step","sequence":"%s","undo":false,"index":0,"phase":"started"}\n' "$seq" \
        >> "$tmp/crash.jsonl"
    run reconcile --journal "$tmp/crash.jsonl"
    expect "reconcile after a crash: exit 0, the unplug undone on the URI the journal names" 0 \
        'grep -q "^undo of step 0: attach vf ua-n-plug on h1: already in " "$out" &&
         grep -q "^reconcile: undone" "$out" && grep -q "\"type\":\"end\"" "$tmp/crash.jsonl"'

    # a NUL line before an open sequence: corruption, said and left alone, never "completed"
    # (the reader once stopped at the NUL and the repair cut the file to nothing)
    printf '\000\n' > "$tmp/nul.jsonl"
    sed -n -e '/"type":"begin".*"action":"unplug"/{p;q;}' "$journal" >> "$tmp/nul.jsonl"
    cp "$tmp/nul.jsonl" "$tmp/nul.before"
    run reconcile --journal "$tmp/nul.jsonl"
    expect "reconcile of a journal with a NUL line: exit 2, JOURNAL_CORRUPT, file untouched" 2 \
        'grep -q "line 1 is not a journal record (JOURNAL_CORRUPT)$" "$err" && [ ! -s "$out" ] &&
         cmp -s "$tmp/nul.jsonl" "$tmp/nul.before"'
    # 100 KB of random bytes: the same, whatever they hold
    head -c 102400 /dev/urandom > "$tmp/random.jsonl"
    cp "$tmp/random.jsonl" "$tmp/random.before"
    run reconcile --journal "$tmp/random.jsonl"
    expect "reconcile of 100 KB of random bytes: exit 2, JOURNAL_CORRUPT, file untouched" 2 \
        'grep -q "(JOURNAL_CORRUPT)$" "$err" && cmp -s "$tmp/random.jsonl" "$tmp/random.before"'

    # ---- the journal, and the inventory, in the store: an embedded one in $tmp/store ----
    # A domain of its own (exec-timeout, NIC n-timeout): the unplugs above are still pending
    # in exec-plug's QEMU, which has no guest to acknowledge them.
    # As root the server runs as user postgres, which must enter $tmp to reach its data.
    chmod 0711 "$tmp"
    SRIOVFO_DATA_DIR=$tmp/store
    SRIOVFO_PG_NOSYNC=1
    SRIOVFO_MIGRATIONS_DIR=${SRIOVFO_MIGRATIONS_DIR:-$abs_top_srcdir/db-migrations}
    export SRIOVFO_DATA_DIR SRIOVFO_PG_NOSYNC SRIOVFO_MIGRATIONS_DIR
    unset SRIOVFO_DSN
    sed 's/exec-plug/exec-timeout/' "$tmp/vm.xml" > "$tmp/vm2.xml"
    virsh -c "$uri" "define $tmp/vm2.xml; start exec-timeout --paused" >> "$tmp/virsh.log" 2>&1
    live2() {
        virsh -c "$uri" dumpxml "$@" exec-timeout 2> /dev/null
    }
    # NIC n-timeout's "plugged" in the store: True or False
    stored_plugged() {
        "$SFO_CLI" export 2> /dev/null | "$PYTHON" -c "
import json, sys
nic = [n for n in json.load(sys.stdin)['nics'] if n['id'] == 'n-timeout'][0]
sys.exit(0 if nic.get('plugged', True) is $1 else 1)"
    }
    # an unplug left open in the store's journal, its wait for the VF begun
    unplug_waiting() {
        [ "$(psql -X -A -t -h "$SRIOVFO_DATA_DIR" -U sriovfo -d sriovfo -c "
            SELECT count(*) FROM journal_steps st JOIN journal_sequences sq ON sq.id = st.sequence_id
            WHERE sq.ended_at IS NULL AND NOT st.undo AND st.step_index = 1 AND st.phase = 'started'
              AND sq.plan->>'action' = 'unplug'" 2> /dev/null)" = 1 ]
    }
    # the exec inventory with host h1's libvirt URI: the embedded driver above
    "$PYTHON" -c "
import json, sys
inv = json.load(open(sys.argv[1]))
inv['hosts'][0]['libvirt_uri'] = sys.argv[2]
json.dump(inv, open(sys.argv[3], 'w'))" "$execinv" "$uri" "$tmp/execinv-uri.json"
    run import "$tmp/execinv-uri.json"
    if [ "$rc" -ne 0 ] && grep -q "(DB_SERVER_NOT_FOUND)" "$err"; then
        n=$((n + 1))
        echo "ok $n - apply and reconcile with the store # SKIP no PostgreSQL server programs"
    else
        expect "import of the exec inventory into the embedded store" 0 true
        "$SFO_CLI" nic unplug n-timeout > /dev/null 2>&1

        run apply --store --connect "$uri" --emulated plug n-timeout
        expect "apply --store plug without an INVENTORY: the store's, completed, stored plugged" 0 \
            'grep -q "^step 1: attach vf ua-n-timeout on h1: done in " "$out" &&
             grep -q "^plug: completed" "$out" && stored_plugged True'

        run apply --store --emulated plug n-timeout
        expect "apply --store without --connect: on host h1's libvirt URI, every step already" 0 \
            'grep -q "^step 0: attach standby ua-p-fo on h1: already in " "$out" &&
             grep -q "^step 1: attach vf ua-n-timeout on h1: already in " "$out" &&
             grep -q "^plug: completed" "$out"'

        run apply --store --journal "$tmp/j.jsonl" --connect "$uri" plug n-timeout
        expect "apply --store with --journal: exit 2" 2 'grep -q "names a file journal" "$err"'

        # a crash: the unplug is killed while it waits for the guest (there is none to answer)
        live2 > "$tmp/before-crash.xml"
        $SFO_CLI_RUNNER "$SFO_CLI" apply --store --connect "$uri" --emulated --timeout 300 \
            unplug n-timeout > "$tmp/crash.out" 2>&1 &
        pid=$!
        tries=0
        while ! unplug_waiting && [ "$tries" -lt 1200 ] && kill -0 "$pid" 2> /dev/null; do
            sleep 0.1
            tries=$((tries + 1))
        done
        unplug_waiting
        waited=$?
        kill -9 "$pid" 2> /dev/null
        wait "$pid" 2> /dev/null
        # the server drops the dead process's session (and its sequence's lock) a moment later
        tries=0
        while :; do
            run reconcile --store
            grep -q "^undo \|^step " "$out" || [ "$rc" -ne 0 ] || [ "$tries" -ge 50 ] ||
                { sleep 0.2; tries=$((tries + 1)); continue; }
            break
        done
        expect "reconcile --store after apply was killed mid-unplug: undone, live XML as before" 0 \
            '[ "$waited" -eq 0 ] &&
             grep -q "^undo of step 0: attach vf ua-n-timeout on h1: done in " "$out" &&
             grep -q "^reconcile: undone" "$out" && live2 | cmp -s - "$tmp/before-crash.xml" &&
             live2 --inactive | grep -q "<alias name=.ua-n-timeout./>" && stored_plugged True'

        run reconcile --store
        expect "reconcile --store again: nothing left open" 0 \
            'grep -q "^reconcile: completed" "$out" && ! grep -q "^step\|^undo" "$out"'
        "$SFO_CLI" db stop > /dev/null 2>&1
    fi
    virsh -c "$uri" "destroy exec-timeout; undefine exec-timeout" > /dev/null 2>&1

    virsh -c "$uri" "destroy exec-plug; undefine exec-plug" > /dev/null 2>&1
else
    n=$((n + 1))
    echo "ok $n - apply and reconcile # SKIP no qemu-system-x86_64 or virsh"
fi

echo "1..$n"
[ "$failures" -eq 0 ]
