/*
 * test-guest.c: plans run against a real guest that releases its devices
 *
 * One guest boots for the whole binary: Debian's kernel with a busybox
 * initramfs (tests/guest/build-guest.sh, `make check-integration` builds
 * it), under Debian's QEMU (TCG), through libvirt's embedded qemu driver.
 * The guest acknowledges PCIe hot unplug (ACPI) and runs net_failover; its
 * /init prints the failover state on the serial console (tests/guest/init),
 * so the tests check the guest's side too: the standby and the VF paired
 * under one failover master, and gone again.
 *
 * VFIO is not available here (no IOMMU, no SR-IOV NIC): the VF is stood in
 * for by an emulated e1000e with the VF's MAC and alias (SFO_PLAN_EMULATED);
 * the standby is the real virtio-net with failover=on. The guest pairs them
 * by MAC exactly as it would pair a VF.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "../store/store-test.h"
#include "sfo-test-virt.h"
#include "sfo-test.h"

#define SFO_GUEST_NAME "sfo-guest"
#define SFO_GUEST_BOOT_SECONDS 180
#define SFO_GUEST_REACT_SECONDS 60
#define SFO_GUEST_MAC "52:54:00:5f:00:0a"

static sfo_test_virt sfo_virt;
static sfo_inventory *sfo_inv;
static virDomainPtr sfo_dom;
static char *sfo_console;
static char *sfo_skip_reason;
/* a store holding the exec inventory, its host h1 on the embedded driver; NULL without PostgreSQL */
static sfo_store *sfo_store_db;

/* The last failover state the guest printed ("eth0:virtio_net,e1000e", "none"), or "" */
static char *
sfo_guest_state(void)
{
    g_autofree char *text = NULL;
    const char *last = NULL;
    const char *p;

    if (!g_file_get_contents(sfo_console, &text, NULL, NULL))
        return g_strdup("");
    for (p = text; (p = strstr(p, "SFO-NET ")); p++)
        last = p + strlen("SFO-NET ");
    if (!last)
        return g_strdup("");
    return g_strndup(last, strcspn(last, "\r\n"));
}

static gboolean
sfo_guest_state_is(const char *want)
{
    g_autofree char *state = sfo_guest_state();

    if (strcmp(want, "pair") == 0)
        return strstr(state, "virtio_net") && strstr(state, "e1000e") && !strchr(state, ' ');
    if (strcmp(want, "standby") == 0)
        return strstr(state, "virtio_net") && !strstr(state, "e1000e");
    return strcmp(state, want) == 0;
}

/* Waits until the guest prints failover state @want: "pair", "standby" or "none" */
static void
sfo_guest_wait_state(const char *want)
{
    gint64 deadline = g_get_monotonic_time() + SFO_GUEST_REACT_SECONDS * G_USEC_PER_SEC;
    g_autofree char *state = NULL;

    while (g_get_monotonic_time() < deadline) {
        if (sfo_guest_state_is(want))
            return;
        g_usleep(100 * 1000);
    }
    state = sfo_guest_state();
    fail_msg("the guest's failover state is '%s', not %s", state, want);
}

/*
 * The store's cases: the exec inventory in a throw-away cluster, host h1 on
 * the embedded driver, NIC n-guest unplugged and without a VF (a plug
 * reserves one). Without PostgreSQL's server programs they skip.
 */
static int
sfo_guest_store_setup(void)
{
    g_autofree char *bindir = NULL;
    sfo_host *h1 = sfo_inventory_find_host(sfo_inv, "h1");
    PGconn *conn;

    if (sfo_store_server_bindir(&bindir) < 0) {
        sfo_error_clear();
        return 0;
    }
    if (!sfo_store_test_start())
        return 0;
    sfo_store_db = sfo_store_test_open();
    g_free(h1->libvirt_uri);
    h1->libvirt_uri = g_strdup(sfo_virt.uri);
    if (sfo_store_import(sfo_store_db, sfo_inv, 0, NULL) < 0) {
        fprintf(stderr, "# store: %s\n", sfo_error_last()->message);
        return -1;
    }
    conn = sfo_store_test_connect();
    sfo_store_test_sql(conn, "UPDATE host_vfs SET nic_id = NULL WHERE nic_id = 'n-guest'; "
                             "UPDATE nics SET vf_address = NULL, plugged = false "
                             "WHERE id = 'n-guest'");
    PQfinish(conn);
    return 0;
}

static int
sfo_test_group_setup(void **state G_GNUC_UNUSED)
{
    const char *dir = g_getenv("SFO_GUEST_DIR");
    g_autofree char *kernel = dir ? g_build_filename(dir, "vmlinuz", NULL) : NULL;
    g_autofree char *initrd = dir ? g_build_filename(dir, "initrd.img", NULL) : NULL;
    g_autofree char *xml = NULL;
    gint64 deadline;

    sfo_inv = sfo_test_load_inventory("exec", "inventory.json");
    if (!kernel || !g_file_test(kernel, G_FILE_TEST_EXISTS)) {
        sfo_skip_reason = g_strdup("no guest: run `make check-integration`, which builds it");
        return 0;
    }
    if (!sfo_test_virt_open(&sfo_virt, "sfo-guest")) {
        sfo_skip_reason = g_strdup(sfo_virt.error);
        return 0;
    }
    sfo_console = sfo_test_virt_path(&sfo_virt, "console.log");
    xml = sfo_test_virt_domain_xml(SFO_GUEST_NAME, 384, NULL, kernel, initrd, sfo_console);
    sfo_dom = virDomainDefineXML(sfo_virt.conn, xml);
    if (!sfo_dom || virDomainCreate(sfo_dom) < 0) {
        fprintf(stderr, "# cannot start the guest: %s\n", virGetLastErrorMessage());
        return -1;
    }
    deadline = g_get_monotonic_time() + SFO_GUEST_BOOT_SECONDS * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < deadline) {
        g_autofree char *text = NULL;

        if (g_file_get_contents(sfo_console, &text, NULL, NULL) && strstr(text, "SFO-NET none"))
            return sfo_guest_store_setup();
        g_usleep(200 * 1000);
    }
    fprintf(stderr, "# the guest did not boot within %d s\n", SFO_GUEST_BOOT_SECONDS);
    return -1;
}

#define SFO_NEED_GUEST() \
    do { \
        if (sfo_skip_reason) { \
            printf("# %s\n", sfo_skip_reason); \
            skip(); \
        } \
    } while (0)

/* Where a plan runs: the source (NULL: the embedded driver), and what exec needs besides */
typedef struct {
    const char *source;
    const char *dest;
    const char *migration_uri;
    const char *memory_file;
    /* plan from the store and journal there, on the URIs its hosts name */
    gboolean store;
} sfo_guest_where;

static sfo_exec_result *
sfo_guest_apply_to(int action, const char *subject, const char *host, const sfo_guest_where *where,
                   sfo_exec_step_hook hook, void *opaque)
{
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autofree char *journal = sfo_test_virt_path(&sfo_virt, "guest.jsonl");
    sfo_exec_result *result = NULL;

    g_autofree char *source = NULL;
    g_autofree char *dest = NULL;
    sfo_journal *store_journal = NULL;

    if (where->store) {
        if (sfo_store_plan(sfo_store_db, action, subject, host, SFO_PLAN_EMULATED, &plan) < 0 ||
            sfo_store_plan_uris(sfo_store_db, plan, 0, &source, &dest) < 0 ||
            sfo_store_open_journal(sfo_store_db, 0, &store_journal) < 0)
            fail_msg("plan from the store: %s", sfo_error_last()->message);
        /* the URIs the store's hosts name are the ones the case means */
        assert_string_equal(source, where->source ? where->source : sfo_virt.uri);
        assert_string_equal(dest ? dest : "", where->dest ? where->dest : "");
    } else if (sfo_plan_build(sfo_inv, action, subject, host, SFO_PLAN_EMULATED, &plan) < 0) {
        fail_msg("plan: %s", sfo_error_last()->message);
    }
    assert_int_equal(
        sfo_exec_open(where->source ? where->source : sfo_virt.uri, where->dest, 0, &exec), 0);
    assert_int_equal(sfo_exec_set_unplug_timeout(exec, SFO_GUEST_REACT_SECONDS * 1000), 0);
    if (store_journal)
        assert_int_equal(sfo_exec_use_journal(exec, store_journal), 0);
    else
        assert_int_equal(sfo_exec_set_journal(exec, journal), 0);
    assert_int_equal(sfo_exec_set_migration_uri(exec, where->migration_uri), 0);
    assert_int_equal(sfo_exec_set_snapshot_memory_file(exec, where->memory_file), 0);
    if (hook)
        sfo_exec_set_step_hook(exec, hook, opaque);
    if (sfo_exec_run(exec, plan, SFO_EXEC_RUN_DOMAIN_XML, &result) < 0)
        fail_msg("run: %s", sfo_error_last()->message);
    return result;
}

static sfo_exec_result *
sfo_guest_apply(int action, const char *subject, const char *host, const char *dest_uri,
                sfo_exec_step_hook hook, void *opaque)
{
    sfo_guest_where where = { .dest = dest_uri };

    return sfo_guest_apply_to(action, subject, host, &where, hook, opaque);
}

static void
sfo_guest_expect(const sfo_exec_result *result, sfo_exec_status status, const char *key)
{
    g_autofree char *text = NULL;

    assert_int_equal(sfo_exec_result_format_text(result, 0, &text), 0);
    if ((int)sfo_exec_result_status(result) != (int)status ||
        g_strcmp0(sfo_exec_result_error_key(result), key) != 0)
        fail_msg("expected %s (%s), got:\n%s", sfo_exec_status_to_string(status),
                 key ? key : "no error", text);
}

/* Plugs the NIC unless the live domain has its VF, and waits until the guest paired it */
static void
sfo_guest_ensure_paired(void)
{
    if (!sfo_test_virt_has(sfo_dom, FALSE, "ua-n-guest", SFO_GUEST_MAC)) {
        g_autoptr(sfo_exec_result) plug =
            sfo_guest_apply(SFO_PLAN_PLUG, "n-guest", NULL, NULL, NULL, NULL);

        sfo_guest_expect(plug, SFO_EXEC_COMPLETED, NULL);
    }
    sfo_guest_wait_state("pair");
}

/* After each step: which of the pair the live domain has ("S" standby, "V" the VF) */
static void
sfo_guest_watch(sfo_exec *exec G_GNUC_UNUSED, const sfo_exec_step_result *r, void *opaque)
{
    GString *seen = opaque;

    g_string_append_printf(seen, "%s%d:%s%s;", r->undo ? "u" : "", r->step->index,
                           sfo_test_virt_has(sfo_dom, FALSE, "ua-p-fo", SFO_GUEST_MAC) ? "S" : "-",
                           sfo_test_virt_has(sfo_dom, FALSE, "ua-n-guest", SFO_GUEST_MAC) ? "V"
                                                                                          : "-");
}

/*
 * plug, then unplug, checking the live XML after each step and what the
 * guest made of it: after the plug net_failover has paired the virtio
 * standby with the VF stand-in; the unplug removes the VF first (the guest
 * releases it: DEVICE_REMOVED), then the standby, and the master is gone.
 */
static void
test_guest__plug_then_unplug(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_exec_result) plug = NULL;
    g_autoptr(sfo_exec_result) unplug = NULL;
    g_autoptr(GString) seen = g_string_new(NULL);

    SFO_NEED_GUEST();
    plug = sfo_guest_apply(SFO_PLAN_PLUG, "n-guest", NULL, NULL, sfo_guest_watch, seen);
    sfo_guest_expect(plug, SFO_EXEC_COMPLETED, NULL);
    assert_string_equal(seen->str, "0:S-;1:SV;");
    sfo_guest_wait_state("pair");

    g_string_truncate(seen, 0);
    unplug = sfo_guest_apply(SFO_PLAN_UNPLUG, "n-guest", NULL, NULL, sfo_guest_watch, seen);
    sfo_guest_expect(unplug, SFO_EXEC_COMPLETED, NULL);
    /*
     * each wait ended on libvirt's DEVICE_REMOVED, not on the re-read it
     * falls back to (this exec shares the embedded connection with the
     * test's own, and both must hear the event)
     */
    assert_int_equal(((sfo_exec_step_result *)unplug->steps->pdata[1])->step->op,
                     SFO_PLAN_OP_WAIT_REMOVED);
    assert_true(((sfo_exec_step_result *)unplug->steps->pdata[1])->woken > 0 ||
                ((sfo_exec_step_result *)unplug->steps->pdata[1])->waited_us == 0);
    assert_true(((sfo_exec_step_result *)unplug->steps->pdata[3])->woken > 0 ||
                ((sfo_exec_step_result *)unplug->steps->pdata[3])->waited_us == 0);
    /* the detach is asynchronous: the VF may still be there right after step 0 */
    if (strcmp(seen->str, "0:SV;1:S-;2:S-;3:--;") != 0 &&
        strcmp(seen->str, "0:S-;1:S-;2:S-;3:--;") != 0)
        fail_msg("live XML after each unplug step: %s", seen->str);
    sfo_guest_wait_state("none");
}

/* The first value of @sql (parameter $1: @p1) in the store; "" without a row or for NULL */
static char *
sfo_guest_store_value(const char *sql, const char *p1)
{
    const char *params[] = { p1 };
    PGconn *conn = sfo_store_test_connect();
    g_autoptr(PGresult) res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
    char *value;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    value = g_strdup(PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "");
    PQfinish(conn);
    return value;
}

/*
 * What the store says of n-guest and vm-guest agrees with @plugged, @vf
 * (the VF it holds, "" for none) and @host: in the NIC, in the host's VFs
 * (no other VF of any host is its), and the VM's host
 */
static void
sfo_guest_store_says(gboolean plugged, const char *host, const char *vf)
{
    g_autofree char *stored_plugged =
        sfo_guest_store_value("SELECT plugged::text FROM nics WHERE id = $1", "n-guest");
    g_autofree char *nic_vf =
        sfo_guest_store_value("SELECT vf_address FROM nics WHERE id = $1", "n-guest");
    g_autofree char *held = sfo_guest_store_value(
        "SELECT string_agg(p.host_id || ' ' || v.address, ',') FROM host_vfs v "
        "JOIN host_pfs p ON p.id = v.pf_id WHERE v.nic_id = $1",
        "n-guest");
    g_autofree char *vm_host =
        sfo_guest_store_value("SELECT host_id FROM vms WHERE id = $1", "vm-guest");
    g_autofree char *want_held = vf[0] ? g_strdup_printf("%s %s", host, vf) : g_strdup("");

    assert_string_equal(stored_plugged, plugged ? "true" : "false");
    assert_string_equal(nic_vf, vf);
    assert_string_equal(held, want_held);
    assert_string_equal(vm_host, host);
}

#define SFO_NEED_STORE() \
    do { \
        if (!sfo_store_db) { \
            printf("# no PostgreSQL server programs: the store's cases skip\n"); \
            skip(); \
        } \
    } while (0)

/*
 * plug and unplug planned from the store and journaled there: each completed
 * sequence is in the store as it ends (the VF the plug reserved is the NIC's,
 * the unplug frees it), the live domain and the guest agree
 */
static void
test_guest__store_plug_then_unplug(void **state G_GNUC_UNUSED)
{
    sfo_guest_where where = { .store = TRUE };
    g_autoptr(sfo_exec_result) plug = NULL;
    g_autoptr(sfo_exec_result) unplug = NULL;
    const sfo_plan_step *reserve;

    SFO_NEED_GUEST();
    SFO_NEED_STORE();
    sfo_guest_store_says(FALSE, "h1", "");
    plug = sfo_guest_apply_to(SFO_PLAN_PLUG, "n-guest", NULL, &where, NULL, NULL);
    sfo_guest_expect(plug, SFO_EXEC_COMPLETED, NULL);
    reserve = ((sfo_exec_step_result *)plug->steps->pdata[0])->step;
    assert_int_equal(reserve->op, SFO_PLAN_OP_RESERVE_VF);
    sfo_guest_store_says(TRUE, "h1", reserve->vf_address);
    assert_true(sfo_test_virt_has(sfo_dom, FALSE, "ua-n-guest", SFO_GUEST_MAC));
    assert_true(sfo_test_virt_has(sfo_dom, FALSE, "ua-p-fo", SFO_GUEST_MAC));
    sfo_guest_wait_state("pair");

    unplug = sfo_guest_apply_to(SFO_PLAN_UNPLUG, "n-guest", NULL, &where, NULL, NULL);
    sfo_guest_expect(unplug, SFO_EXEC_COMPLETED, NULL);
    sfo_guest_store_says(FALSE, "h1", "");
    assert_false(sfo_test_virt_has(sfo_dom, FALSE, "ua-n-guest", NULL));
    assert_false(sfo_test_virt_has(sfo_dom, FALSE, "ua-p-fo", NULL));
    sfo_guest_wait_state("none");
}

/*
 * attach failing halfway in the running guest: a stale e1000e already has
 * the VF's alias (with another MAC), libvirt refuses the VF, and the
 * standby plugged before it is unplugged again (the guest releases it).
 * The live XML is exactly what it was.
 */
static void
test_guest__attach_fails_halfway(void **state G_GNUC_UNUSED)
{
    static const char stale[] = "<interface type='user'><mac address='52:54:00:99:99:99'/>"
                                "<model type='e1000e'/><rom enabled='no'/>"
                                "<alias name='ua-n-guest'/></interface>";
    g_autoptr(sfo_exec_result) result = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    gint64 deadline;

    SFO_NEED_GUEST();
    if (virDomainAttachDeviceFlags(sfo_dom, stale, VIR_DOMAIN_AFFECT_LIVE) < 0)
        fail_msg("cannot attach the stale interface: %s", virGetLastErrorMessage());
    before = sfo_test_virt_xml(sfo_dom, FALSE);

    result = sfo_guest_apply(SFO_PLAN_PLUG, "n-guest", NULL, NULL, NULL, NULL);
    sfo_guest_expect(result, SFO_EXEC_UNDONE, "VM_INTERFACE_PLUG_FAILED");
    assert_non_null(strstr(sfo_exec_result_error_message(result), "ua-n-guest"));
    after = sfo_test_virt_xml(sfo_dom, FALSE);
    assert_string_equal(after, before);
    sfo_guest_wait_state("none");

    /* remove the stale interface again, for the next cases */
    assert_int_equal(virDomainDetachDeviceAlias(sfo_dom, "ua-n-guest", VIR_DOMAIN_AFFECT_LIVE), 0);
    deadline = g_get_monotonic_time() + SFO_GUEST_REACT_SECONDS * G_USEC_PER_SEC;
    while (sfo_test_virt_has(sfo_dom, FALSE, "ua-n-guest", NULL) &&
           g_get_monotonic_time() < deadline)
        g_usleep(100 * 1000);
    assert_false(sfo_test_virt_has(sfo_dom, FALSE, "ua-n-guest", NULL));
}

/*
 * a migration to a destination that cannot be reached: the VF is unplugged
 * (the guest releases it and runs on the standby), the migration fails, the
 * VF is plugged back on the source, the holds on the destination are
 * released, the standby is never touched, and the live XML is exactly the
 * starting one.
 */
static void
test_guest__failed_migration_replugs_on_source(void **state G_GNUC_UNUSED)
{
    g_autofree char *dest = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(sfo_exec_result) plug = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    g_autoptr(GString) seen = g_string_new(NULL);
    const sfo_exec_step_result *r;
    guint i;

    SFO_NEED_GUEST();
    plug = sfo_guest_apply(SFO_PLAN_PLUG, "n-guest", NULL, NULL, NULL, NULL);
    sfo_guest_expect(plug, SFO_EXEC_COMPLETED, NULL);
    sfo_guest_wait_state("pair");
    before = sfo_test_virt_xml(sfo_dom, FALSE);

    dest = g_strdup_printf("qemu+unix:///system?socket=%s/no-such-libvirt.sock", sfo_virt.root);
    result = sfo_guest_apply(SFO_PLAN_MIGRATE, "vm-guest", "h2", dest, sfo_guest_watch, seen);
    sfo_guest_expect(result, SFO_EXEC_UNDONE, "VM_MIGRATION_FAILED");
    assert_non_null(strstr(sfo_exec_result_error_message(result), "no-such-libvirt.sock"));
    /* reserve, detach the VF, wait until the guest released it, migrate: failed */
    assert_int_equal(result->steps->len, 4);
    for (i = 0; i < 3; i++)
        assert_int_equal(((sfo_exec_step_result *)result->steps->pdata[i])->outcome,
                         SFO_EXEC_OUTCOME_DONE);
    r = result->steps->pdata[3];
    assert_int_equal(r->step->op, SFO_PLAN_OP_MIGRATE);
    assert_int_equal(r->outcome, SFO_EXEC_OUTCOME_FAILED);
    /* while it tried, only the standby was there; then the VF came back on the source */
    assert_non_null(strstr(seen->str, "2:S-;3:S-;"));
    r = result->undone->pdata[0];
    assert_int_equal(r->step->op, SFO_PLAN_OP_ATTACH);
    assert_int_equal(r->step->role, SFO_PLAN_ROLE_SOURCE);
    assert_int_equal(r->outcome, SFO_EXEC_OUTCOME_DONE);
    r = result->undone->pdata[1];
    assert_int_equal(r->step->op, SFO_PLAN_OP_RELEASE_VF);
    assert_int_equal(r->outcome, SFO_EXEC_OUTCOME_DONE);
    after = sfo_test_virt_xml(sfo_dom, FALSE);
    assert_string_equal(after, before);
    sfo_guest_wait_state("pair");
}

/*
 * save with a VF: the VF is unplugged (the guest releases it), the memory
 * saved, the domain stopped; restore starts the guest from the image and
 * plugs the VF back, and the guest pairs it again. (With a real VF, QEMU
 * would otherwise wait forever in wait-unplug during the save, the guest
 * being paused: shared/research/libvirt-qemu.md 2c. The hot-plugged
 * stand-in is not a failover primary for QEMU, which libvirt marks only on
 * a VFIO device, so this case shows the sequence, not the hang.)
 */
static void
test_guest__save_and_restore(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_exec_result) save = NULL;
    g_autoptr(sfo_exec_result) restore = NULL;

    SFO_NEED_GUEST();
    sfo_guest_ensure_paired();
    save = sfo_guest_apply(SFO_PLAN_SAVE, "vm-guest", NULL, NULL, NULL, NULL);
    sfo_guest_expect(save, SFO_EXEC_COMPLETED, NULL);
    assert_int_equal(virDomainIsActive(sfo_dom), 0);
    assert_int_equal(virDomainHasManagedSaveImage(sfo_dom, 0), 1);

    restore = sfo_guest_apply(SFO_PLAN_RESTORE, "vm-guest", NULL, NULL, NULL, NULL);
    sfo_guest_expect(restore, SFO_EXEC_COMPLETED, NULL);
    assert_int_equal(virDomainIsActive(sfo_dom), 1);
    assert_true(sfo_test_virt_has(sfo_dom, FALSE, "ua-n-guest", SFO_GUEST_MAC));
    assert_true(sfo_test_virt_has(sfo_dom, FALSE, "ua-p-fo", SFO_GUEST_MAC));
    sfo_guest_wait_state("pair");
}

/*
 * snapshot with memory, external as oVirt takes it: the VF is unplugged
 * (the guest releases it), the memory written to the file exec was given
 * (a libvirt save image of a domain without the VF), no snapshot metadata
 * left in libvirt (the migrations below prove the domain still migrates),
 * the guest kept running, the VF plugged back and paired again.
 */
static void
test_guest__snapshot(void **state G_GNUC_UNUSED)
{
    g_autofree char *memory = sfo_test_virt_path(&sfo_virt, "snapshot.mem");
    sfo_guest_where where = { .memory_file = memory };
    g_autoptr(sfo_exec_result) result = NULL;
    g_autoptr(GString) seen = g_string_new(NULL);
    g_autofree char *saved = NULL;
    int st = 0;
    int reason = 0;

    SFO_NEED_GUEST();
    sfo_guest_ensure_paired();
    result = sfo_guest_apply_to(SFO_PLAN_SNAPSHOT, "vm-guest", NULL, &where, sfo_guest_watch, seen);
    sfo_guest_expect(result, SFO_EXEC_COMPLETED, NULL);
    /* detach the VF, wait until the guest released it, snapshot without it, attach it again */
    if (strcmp(seen->str, "0:SV;1:S-;2:S-;3:SV;") != 0 &&
        strcmp(seen->str, "0:S-;1:S-;2:S-;3:SV;") != 0)
        fail_msg("live XML after each snapshot step: %s", seen->str);
    assert_int_equal(((sfo_exec_step_result *)result->steps->pdata[2])->step->op,
                     SFO_PLAN_OP_SNAPSHOT);
    saved = virDomainSaveImageGetXMLDesc(sfo_virt.conn, memory, 0);
    if (!saved)
        fail_msg("no save image in %s: %s", memory, virGetLastErrorMessage());
    assert_non_null(strstr(saved, "ua-p-fo"));
    assert_null(strstr(saved, "ua-n-guest"));
    assert_int_equal(virDomainSnapshotNum(sfo_dom, 0), 0);
    assert_int_equal(virDomainGetState(sfo_dom, &st, &reason, 0), 0);
    assert_int_equal(st, VIR_DOMAIN_RUNNING);
    sfo_guest_wait_state("pair");
}

/*
 * a snapshot libvirt refuses (the memory file's directory does not exist):
 * the VF unplugged for it is plugged back, and the live XML is exactly the
 * starting one; the guest pairs it again.
 */
static void
test_guest__failed_snapshot_replugs(void **state G_GNUC_UNUSED)
{
    g_autofree char *memory = sfo_test_virt_path(&sfo_virt, "no-such-dir/snapshot.mem");
    sfo_guest_where where = { .memory_file = memory };
    g_autoptr(sfo_exec_result) result = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    const sfo_exec_step_result *r;

    SFO_NEED_GUEST();
    sfo_guest_ensure_paired();
    before = sfo_test_virt_xml(sfo_dom, FALSE);
    result = sfo_guest_apply_to(SFO_PLAN_SNAPSHOT, "vm-guest", NULL, &where, NULL, NULL);
    sfo_guest_expect(result, SFO_EXEC_UNDONE, "VM_OPERATION_FAILED");
    r = result->steps->pdata[result->steps->len - 1];
    assert_int_equal(r->step->op, SFO_PLAN_OP_SNAPSHOT);
    assert_int_equal(r->outcome, SFO_EXEC_OUTCOME_FAILED);
    r = result->undone->pdata[0];
    assert_int_equal(r->step->op, SFO_PLAN_OP_ATTACH);
    assert_int_equal(r->outcome, SFO_EXEC_OUTCOME_DONE);
    after = sfo_test_virt_xml(sfo_dom, FALSE);
    assert_string_equal(after, before);
    assert_int_equal(virDomainSnapshotNum(sfo_dom, 0), 0);
    sfo_guest_wait_state("pair");
}

/* The second hosts of the migrations below; the group teardown stops them */
static sfo_test_second_host sfo_hosts[2];
/* The guest on sfo_hosts[0], once the live migration moved it there */
static virDomainPtr sfo_moved;

/*
 * Whether the guest @dom, just migrated in, was paused for the whole
 * transfer of its memory: the migration's downtime (from the pause on the
 * source to the resume here, libvirt's statistics of the completed job) at
 * least as long as QEMU took to send the memory (what it sent over its
 * rate), give or take 10 %. A live migration pauses the guest only for the
 * last pages: its downtime is a fraction of that (about 50 ms of 500 here).
 */
static gboolean
sfo_guest_paused_throughout(virDomainPtr dom)
{
    virTypedParameterPtr params = NULL;
    unsigned long long downtime_ms = 0;
    unsigned long long sent = 0;
    unsigned long long bps = 0;
    unsigned long long transfer_ms;
    int nparams = 0;
    int type;

    if (virDomainGetJobStats(dom, &type, &params, &nparams, VIR_DOMAIN_JOB_STATS_COMPLETED) < 0)
        fail_msg("no statistics of the migration: %s", virGetLastErrorMessage());
    virTypedParamsGetULLong(params, nparams, VIR_DOMAIN_JOB_DOWNTIME, &downtime_ms);
    virTypedParamsGetULLong(params, nparams, VIR_DOMAIN_JOB_MEMORY_PROCESSED, &sent);
    virTypedParamsGetULLong(params, nparams, VIR_DOMAIN_JOB_MEMORY_BPS, &bps);
    virTypedParamsFree(params, nparams);
    if (sent == 0)
        fail_msg("the migration's statistics say no memory was sent");
    /*
     * QEMU (7.2) may leave the rate 0 for a migration sent in one pass: it
     * computes it at completion over the transfer's time in whole
     * milliseconds (0 when a paused guest's mostly zero pages all went within
     * one), and a query can see the job completed before that rate is set.
     * Only a live migration's rate matters here, and its earlier passes set
     * it: a rate of 0 counts the transfer as no time, which a paused guest's
     * downtime always covers.
     */
    transfer_ms = bps ? sent * 1000 / bps : 0;
    printf("# migration: downtime %llu ms, memory transfer %llu ms\n", downtime_ms, transfer_ms);
    return downtime_ms * 10 >= transfer_ms * 9;
}

/*
 * Migrates the guest, running as @dom on @source (NULL: the embedded
 * driver), to @host (started here in the directory @name), which the
 * inventory calls @dest_id,
 * with @action (migrate or migrate-offline); checks every step, that the
 * guest left the source and runs on @host with both interfaces, and that it
 * paired them there. Returns the domain on @host.
 */
static virDomainPtr
sfo_guest_migrate(int action, const char *source, virDomainPtr dom, sfo_test_second_host *host,
                  const char *name, const char *dest_id, gboolean store)
{
    sfo_guest_where where = { .source = source,
                              .migration_uri = "tcp://127.0.0.1",
                              .store = store };
    g_autoptr(sfo_exec_result) result = NULL;
    const sfo_exec_step_result *r;
    virConnectPtr dest = NULL;
    virDomainPtr moved = NULL;
    guint i;

    sfo_test_second_host_start(&sfo_virt, host, name);
    where.dest = host->uri;
    if (store) {
        /* the destination's URI, now that it runs */
        g_autofree char *sql = g_strdup_printf(
            "UPDATE hosts SET libvirt_uri = '%s' WHERE id = '%s'", host->uri, dest_id);
        PGconn *conn = sfo_store_test_connect();

        sfo_store_test_sql(conn, sql);
        PQfinish(conn);
    }
    result = sfo_guest_apply_to(action, "vm-guest", dest_id, &where, NULL, NULL);
    sfo_guest_expect(result, SFO_EXEC_COMPLETED, NULL);
    /* reserve, detach, wait, migrate, attach on the destination, release: all done */
    assert_int_equal(result->steps->len, 6);
    for (i = 0; i < result->steps->len; i++)
        assert_int_equal(((sfo_exec_step_result *)result->steps->pdata[i])->outcome,
                         SFO_EXEC_OUTCOME_DONE);
    r = result->steps->pdata[3];
    assert_int_equal(r->step->op, SFO_PLAN_OP_MIGRATE);
    assert_int_equal(r->step->live, action == SFO_PLAN_MIGRATE);
    assert_int_equal(((sfo_exec_step_result *)result->steps->pdata[4])->step->role,
                     SFO_PLAN_ROLE_DESTINATION);
    /* the guest left the source (its definition too) and runs on the destination with both */
    assert_int_equal(virDomainIsActive(dom), -1);
    virResetLastError();
    dest = virConnectOpen(host->uri);
    assert_non_null(dest);
    moved = virDomainLookupByName(dest, SFO_GUEST_NAME);
    virConnectClose(dest); /* moved holds the connection */
    assert_non_null(moved);
    assert_int_equal(virDomainIsActive(moved), 1);
    assert_true(sfo_test_virt_has(moved, FALSE, "ua-n-guest", SFO_GUEST_MAC));
    assert_true(sfo_test_virt_has(moved, FALSE, "ua-p-fo", SFO_GUEST_MAC));
    assert_true(sfo_test_virt_has(moved, TRUE, "ua-n-guest", SFO_GUEST_MAC));
    /* its domain in the result is the destination's */
    assert_int_equal(result->domains->len, 2);
    assert_string_equal(result->domains->pdata[0], host->uri);
    /* libvirt paused the guest for the whole transfer exactly when it was not live */
    assert_int_equal(sfo_guest_paused_throughout(moved), action == SFO_PLAN_MIGRATE_OFFLINE);
    sfo_guest_wait_state("pair");
    if (store) {
        /* the store moved the VM and its VF: the one reserved on the destination */
        const sfo_plan_step *reserve = ((sfo_exec_step_result *)result->steps->pdata[0])->step;

        assert_int_equal(reserve->op, SFO_PLAN_OP_RESERVE_VF);
        assert_string_equal(reserve->host_id, dest_id);
        sfo_guest_store_says(TRUE, dest_id, reserve->vf_address);
    }
    return moved;
}

#define SFO_NEED_SECOND_HOST() \
    do { \
        const char *missing_ = sfo_test_second_host_missing(); \
        if (missing_) { \
            printf("# %s\n", missing_); \
            skip(); \
        } \
    } while (0)

/*
 * a live migration that succeeds, to a second libvirt host on this machine
 * (a libvirtd in a private mount namespace with a host UUID of its own,
 * second-host.sh; the migration data goes over loopback): the VF is
 * unplugged on the source, the guest moves with its standby, the VF (the
 * destination's) is plugged on the destination, and the guest pairs it
 * there. The guest leaves the source: the cases above run first.
 */
static void
test_guest__migration_to_second_host(void **state G_GNUC_UNUSED)
{
    SFO_NEED_GUEST();
    SFO_NEED_SECOND_HOST();
    sfo_guest_ensure_paired();
    if (sfo_store_db) {
        /* the store's NIC plugged too (every step already done), holding a VF of h1 */
        sfo_guest_where where = { .store = TRUE };
        g_autoptr(sfo_exec_result) plug =
            sfo_guest_apply_to(SFO_PLAN_PLUG, "n-guest", NULL, &where, NULL, NULL);

        sfo_guest_expect(plug, SFO_EXEC_COMPLETED, NULL);
    }
    sfo_moved = sfo_guest_migrate(SFO_PLAN_MIGRATE, NULL, sfo_dom, &sfo_hosts[0], "second-host",
                                  "h2", sfo_store_db != NULL);
}

/*
 * then a migration with the guest paused while it moves (migrate-offline:
 * no VIR_MIGRATE_LIVE), from that second host to a third one: the same
 * sequence, the VF unplugged before libvirt pauses the guest.
 */
static void
test_guest__offline_migration_to_third_host(void **state G_GNUC_UNUSED)
{
    sfo_vm *vm = sfo_inventory_find_vm(sfo_inv, "vm-guest");
    virDomainPtr moved;

    SFO_NEED_GUEST();
    SFO_NEED_SECOND_HOST();
    if (!sfo_moved) {
        printf("# the guest did not migrate to the second host\n");
        skip();
    }
    /* the manager records where the guest runs now */
    g_free(vm->host_id);
    vm->host_id = g_strdup("h2");
    moved = sfo_guest_migrate(SFO_PLAN_MIGRATE_OFFLINE, sfo_hosts[0].uri, sfo_moved, &sfo_hosts[1],
                              "third-host", "h1", FALSE);
    virDomainFree(moved);
}

static int
sfo_test_group_teardown(void **state G_GNUC_UNUSED)
{
    guint i;

    if (sfo_moved)
        virDomainFree(sfo_moved);
    for (i = 0; i < G_N_ELEMENTS(sfo_hosts); i++)
        sfo_test_second_host_stop(&sfo_hosts[i]);
    if (sfo_dom)
        virDomainFree(sfo_dom);
    sfo_test_virt_close(&sfo_virt);
    if (sfo_store_db) {
        sfo_store_close(sfo_store_db);
        sfo_store_test_stop();
    }
    sfo_inventory_free(sfo_inv);
    g_free(sfo_console);
    g_free(sfo_skip_reason);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guest__plug_then_unplug),
        cmocka_unit_test(test_guest__store_plug_then_unplug),
        cmocka_unit_test(test_guest__attach_fails_halfway),
        cmocka_unit_test(test_guest__failed_migration_replugs_on_source),
        cmocka_unit_test(test_guest__save_and_restore),
        cmocka_unit_test(test_guest__snapshot),
        cmocka_unit_test(test_guest__failed_snapshot_replugs),
        cmocka_unit_test(test_guest__migration_to_second_host),
        cmocka_unit_test(test_guest__offline_migration_to_third_host),
    };

    return cmocka_run_group_tests_name("guest", tests, sfo_test_group_setup,
                                       sfo_test_group_teardown);
}
