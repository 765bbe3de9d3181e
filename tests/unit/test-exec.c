/*
 * test-exec.c: running plans against libvirt's real qemu driver (core/exec)
 *
 * The domains run under Debian's QEMU (TCG) through libvirt's embedded qemu
 * driver (sfo-test-virt.h) and have no guest operating system: nothing in
 * them acknowledges a PCIe hot unplug, which is what the timeout cases need.
 * Cases that need a guest that releases its devices are in
 * tests/integration/test-guest.c.
 *
 * VFIO is not available here (no IOMMU, no /dev/vfio, no SR-IOV NIC), so
 * every plan is built with SFO_PLAN_EMULATED: the VF is stood in for by an
 * emulated e1000e with the VF's MAC and alias, the standby is the real
 * virtio-net with <teaming type='persistent'/>, both on user-mode
 * networking. libvirt, QEMU and the sequencing are real.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include <glib/gstdio.h>

#include "sfo-test-virt.h"
#include "sfo-test.h"

#include "../store/journal-test.h"
#include "domxml/sfo-domxml.h"
#include "exec/sfo-journal-file.h"

static sfo_test_virt sfo_virt;
static sfo_inventory *sfo_inv;

static int
sfo_test_group_setup(void **state G_GNUC_UNUSED)
{
    sfo_inv = sfo_test_load_inventory("exec", "inventory.json");
    if (!sfo_test_virt_open(&sfo_virt, "sfo-exec"))
        fprintf(stderr, "# no embedded qemu driver: %s\n", sfo_virt.error);
    return 0;
}

static int
sfo_test_group_teardown(void **state G_GNUC_UNUSED)
{
    sfo_test_journal_cleanup();
    sfo_test_virt_close(&sfo_virt);
    sfo_inventory_free(sfo_inv);
    return 0;
}

/* Skips the test when the embedded driver could not be opened */
#define SFO_NEED_QEMU() \
    do { \
        if (!sfo_virt.conn) \
            skip(); \
    } while (0)

static sfo_plan *
sfo_test_plan(int action, const char *subject, const char *host)
{
    sfo_plan *plan = NULL;

    if (sfo_plan_build(sfo_inv, action, subject, host, SFO_PLAN_EMULATED, &plan) < 0)
        fail_msg("plan: %s", sfo_error_last()->message);
    return plan;
}

/* The emulated interface(s) of NIC @nic_id as plan steps write them, for a domain's <devices> */
static char *
sfo_test_nic_xml(const char *nic_id, sfo_domxml_part part)
{
    const sfo_nic *nic = sfo_inventory_find_nic(sfo_inv, nic_id);
    char *xml = NULL;

    assert_non_null(nic);
    assert_int_equal(
        sfo_domxml_format_nic_part(sfo_inv, nic, part, NULL, SFO_DOMXML_EMULATED, &xml), 1);
    return xml;
}

/* A new exec on the test driver with @journal (may be NULL) and an unplug timeout */
static sfo_exec *
sfo_test_exec(const char *journal, unsigned int timeout_ms)
{
    sfo_exec *exec = NULL;

    assert_int_equal(sfo_exec_open(sfo_virt.uri, NULL, 0, &exec), 0);
    assert_int_equal(sfo_exec_set_unplug_timeout(exec, timeout_ms), 0);
    if (journal && sfo_exec_set_journal(exec, journal) < 0)
        fail_msg("journal: %s", sfo_error_last()->message);
    return exec;
}

static sfo_exec_result *
sfo_test_run(sfo_exec *exec, const sfo_plan *plan)
{
    sfo_exec_result *result = NULL;

    if (sfo_exec_run(exec, plan, 0, &result) < 0)
        fail_msg("run: %s", sfo_error_last()->message);
    return result;
}

static const sfo_exec_step_result *
sfo_test_result_step(const GPtrArray *list, guint i)
{
    assert_true(i < list->len);
    return list->pdata[i];
}

/* The journal's lines of type @type ("begin", "step", "end", ...) */
static guint
sfo_test_journal_count(const char *path, const char *type)
{
    g_autofree char *text = NULL;
    g_autofree char *needle = g_strdup_printf("{\"type\":\"%s\"", type);
    g_auto(GStrv) lines = NULL;
    guint n = 0;
    guint i;

    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++)
        n += g_str_has_prefix(lines[i], needle);
    return n;
}

/* ------------------------------------------------------------------------ */

typedef struct {
    virDomainPtr dom;
    GString *seen; /* per step: "standby VF," presence in the live XML */
} sfo_test_watch;

static void
sfo_test_watch_step(sfo_exec *exec G_GNUC_UNUSED, const sfo_exec_step_result *r, void *opaque)
{
    sfo_test_watch *w = opaque;

    g_string_append_printf(w->seen, "%s%d:%s%s;", r->undo ? "u" : "", r->step->index,
                           sfo_test_virt_has(w->dom, FALSE, "ua-p-fo", NULL) ? "S" : "-",
                           sfo_test_virt_has(w->dom, FALSE, "ua-n-plug", NULL) ? "V" : "-");
}

/*
 * plug into a running domain: the standby is in the live XML (and the
 * definition) before the VF is plugged; a second plug finds both there
 * and changes nothing.
 */
static void
test_exec__plug_live(void **state G_GNUC_UNUSED)
{
    g_autofree char *journal = NULL;
    g_autofree char *dxml = NULL;
    g_autofree char *live = NULL;
    g_autofree char *again_xml = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    g_autoptr(sfo_exec_result) again = NULL;
    sfo_test_watch watch = { 0 };
    const char *standby_at;
    const char *vf_at;

    SFO_NEED_QEMU();
    journal = sfo_test_virt_path(&sfo_virt, "plug.jsonl");
    dxml = sfo_test_virt_domain_xml("exec-plug", 128, NULL, NULL, NULL, NULL);
    watch.dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, 0);
    watch.seen = g_string_new(NULL);
    plan = sfo_test_plan(SFO_PLAN_PLUG, "n-plug", NULL);
    exec = sfo_test_exec(journal, 2000);
    sfo_exec_set_step_hook(exec, sfo_test_watch_step, &watch);
    result = sfo_test_run(exec, plan);

    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_COMPLETED);
    assert_null(sfo_exec_result_error_key(result));
    /* after step 0 only the standby, after step 1 both */
    assert_string_equal(watch.seen->str, "0:S-;1:SV;");
    live = sfo_test_virt_xml(watch.dom, FALSE);
    standby_at = strstr(live, "<alias name='ua-p-fo'/>");
    vf_at = strstr(live, "<alias name='ua-n-plug'/>");
    assert_true(standby_at && vf_at && standby_at < vf_at);
    assert_non_null(strstr(live, "<teaming type='persistent'/>"));
    assert_true(sfo_test_virt_has(watch.dom, FALSE, "ua-n-plug", "52:54:00:5f:00:01"));
    assert_true(sfo_test_virt_has(watch.dom, TRUE, "ua-p-fo", "52:54:00:5f:00:01"));
    assert_true(sfo_test_virt_has(watch.dom, TRUE, "ua-n-plug", "52:54:00:5f:00:01"));
    /* journaled before and after each step, and closed */
    assert_int_equal(sfo_test_journal_count(journal, "begin"), 1);
    assert_int_equal(sfo_test_journal_count(journal, "step"), 4);
    assert_int_equal(sfo_test_journal_count(journal, "end"), 1);

    /* again: every step finds its state already there */
    again = sfo_test_run(exec, plan);
    assert_int_equal(sfo_exec_result_status(again), SFO_EXEC_COMPLETED);
    assert_int_equal(sfo_test_result_step(again->steps, 0)->outcome, SFO_EXEC_OUTCOME_ALREADY);
    assert_int_equal(sfo_test_result_step(again->steps, 1)->outcome, SFO_EXEC_OUTCOME_ALREADY);
    again_xml = sfo_test_virt_xml(watch.dom, FALSE);
    assert_string_equal(again_xml, live);
    g_string_free(watch.seen, TRUE);
    virDomainFree(watch.dom);
}

/*
 * unplug in a paused domain: the guest can never acknowledge the unplug of
 * the VF, so the wait times out, the sequence is undone and reports
 * VM_INTERFACE_UNPLUG_TIMED_OUT; the live XML and the definition are what
 * they were (the standby was never touched).
 */
static void
test_exec__unplug_timeout(void **state G_GNUC_UNUSED)
{
    g_autofree char *journal = NULL;
    g_autofree char *vf = NULL;
    g_autofree char *standby = NULL;
    g_autofree char *devices = NULL;
    g_autofree char *dxml = NULL;
    g_autofree char *live_before = NULL;
    g_autofree char *config_before = NULL;
    g_autofree char *live_after = NULL;
    g_autofree char *config_after = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    const sfo_exec_step_result *wait;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    vf = sfo_test_nic_xml("n-timeout", SFO_DOMXML_PART_NIC);
    standby = sfo_test_nic_xml("n-timeout", SFO_DOMXML_PART_STANDBY);
    devices = g_strconcat(standby, vf, NULL);
    dxml = sfo_test_virt_domain_xml("exec-timeout", 128, devices, NULL, NULL, NULL);
    journal = sfo_test_virt_path(&sfo_virt, "timeout.jsonl");
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, VIR_DOMAIN_START_PAUSED);
    live_before = sfo_test_virt_xml(dom, FALSE);
    config_before = sfo_test_virt_xml(dom, TRUE);
    plan = sfo_test_plan(SFO_PLAN_UNPLUG, "n-timeout", NULL);
    exec = sfo_test_exec(journal, 1500);
    result = sfo_test_run(exec, plan);

    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_UNDONE);
    assert_string_equal(sfo_exec_result_error_key(result), "VM_INTERFACE_UNPLUG_TIMED_OUT");
    assert_non_null(strstr(sfo_exec_result_error_message(result), "ua-n-timeout"));
    assert_non_null(strstr(sfo_exec_result_error_message(result), "paused"));
    /* detach requested, the wait gave up after the timeout and not long after */
    assert_int_equal(result->steps->len, 2);
    wait = sfo_test_result_step(result->steps, 1);
    assert_int_equal(wait->step->op, SFO_PLAN_OP_WAIT_REMOVED);
    assert_int_equal(wait->outcome, SFO_EXEC_OUTCOME_FAILED);
    assert_true(wait->duration_us >= 1500 * 1000 && wait->duration_us < 10 * G_USEC_PER_SEC);
    /* the undo puts the VF back where libvirt dropped it: the definition */
    assert_int_equal(result->undone->len, 1);
    assert_int_equal(sfo_test_result_step(result->undone, 0)->step->op, SFO_PLAN_OP_ATTACH);
    live_after = sfo_test_virt_xml(dom, FALSE);
    config_after = sfo_test_virt_xml(dom, TRUE);
    assert_string_equal(live_after, live_before);
    assert_string_equal(config_after, config_before);
    assert_int_equal(sfo_test_journal_count(journal, "end"), 1);
    virDomainFree(dom);
}

/*
 * attach failing halfway, on a domain that is defined but not running (so
 * every change is to its definition and synchronous): a stale interface
 * already has the VF's alias with another MAC, libvirt refuses the VF, and
 * the standby plugged before it is removed again. The definition is
 * exactly what it was, the stale interface untouched.
 */
static void
test_exec__attach_fails_halfway(void **state G_GNUC_UNUSED)
{
    static const char stale[] = "    <interface type='user'><mac address='52:54:00:99:99:99'/>"
                                "<model type='e1000e'/><alias name='ua-n-halfway'/></interface>\n";
    g_autofree char *dxml = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    dxml = sfo_test_virt_domain_xml("exec-halfway", 128, stale, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, FALSE, 0);
    before = sfo_test_virt_xml(dom, TRUE);
    plan = sfo_test_plan(SFO_PLAN_PLUG, "n-halfway", NULL);
    exec = sfo_test_exec(NULL, 2000);
    result = sfo_test_run(exec, plan);

    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_UNDONE);
    assert_string_equal(sfo_exec_result_error_key(result), "VM_INTERFACE_PLUG_FAILED");
    assert_non_null(strstr(sfo_exec_result_error_message(result), "ua-n-halfway"));
    assert_int_equal(result->steps->len, 2);
    assert_int_equal(sfo_test_result_step(result->steps, 0)->outcome, SFO_EXEC_OUTCOME_DONE);
    assert_int_equal(sfo_test_result_step(result->steps, 1)->outcome, SFO_EXEC_OUTCOME_FAILED);
    after = sfo_test_virt_xml(dom, TRUE);
    assert_string_equal(after, before);
    assert_false(sfo_test_virt_has(dom, TRUE, "ua-p-fo", NULL));
    assert_true(sfo_test_virt_has(dom, TRUE, "ua-n-halfway", "52:54:00:99:99:99"));
    virDomainFree(dom);
}

/* How many times @dom's live XML (or definition, @inactive) has the alias @alias */
static guint
sfo_test_alias_count(virDomainPtr dom, gboolean inactive, const char *alias)
{
    g_autofree char *xml = sfo_test_virt_xml(dom, inactive);
    g_autofree char *needle = g_strdup_printf("<alias name='%s'/>", alias);
    const char *at = xml;
    guint n = 0;

    while ((at = strstr(at, needle))) {
        n++;
        at += strlen(needle);
    }
    return n;
}

/*
 * attach finds the standby already live but not in the definition (a crash
 * between the two, or someone's hot plug): libvirt refuses the attach to
 * both, exec reads the domain and attaches to the definition alone. No
 * second standby appears in the live domain.
 */
static void
test_exec__attach_to_the_part_missing_it(void **state G_GNUC_UNUSED)
{
    g_autofree char *standby = NULL;
    g_autofree char *dxml = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    standby = sfo_test_nic_xml("n-partial", SFO_DOMXML_PART_STANDBY);
    dxml = sfo_test_virt_domain_xml("exec-partial", 128, NULL, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, VIR_DOMAIN_START_PAUSED);
    assert_int_equal(virDomainAttachDeviceFlags(dom, standby, VIR_DOMAIN_AFFECT_LIVE), 0);
    plan = sfo_test_plan(SFO_PLAN_PLUG, "n-partial", NULL);
    exec = sfo_test_exec(NULL, 1000);
    result = sfo_test_run(exec, plan);

    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_COMPLETED);
    assert_int_equal(sfo_test_result_step(result->steps, 0)->outcome, SFO_EXEC_OUTCOME_DONE);
    assert_int_equal(sfo_test_result_step(result->steps, 1)->outcome, SFO_EXEC_OUTCOME_DONE);
    assert_int_equal(sfo_test_alias_count(dom, FALSE, "ua-p-fo"), 1);
    assert_int_equal(sfo_test_alias_count(dom, TRUE, "ua-p-fo"), 1);
    assert_true(sfo_test_virt_has(dom, TRUE, "ua-n-partial", "52:54:00:5f:00:10"));
    assert_true(sfo_test_virt_has(dom, FALSE, "ua-n-partial", "52:54:00:5f:00:10"));
    virDomainFree(dom);
}

/*
 * detach of a pair that only the definition has (the live domain never got
 * it): the live XML lacks it, so exec reads the definition and detaches from
 * there alone; nothing waits for a guest. The live domain is untouched.
 */
static void
test_exec__detach_from_the_definition_only(void **state G_GNUC_UNUSED)
{
    g_autofree char *vf = NULL;
    g_autofree char *standby = NULL;
    g_autofree char *dxml = NULL;
    g_autofree char *live_before = NULL;
    g_autofree char *live_after = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    virDomainPtr dom;
    guint i;

    SFO_NEED_QEMU();
    vf = sfo_test_nic_xml("n-config", SFO_DOMXML_PART_NIC);
    standby = sfo_test_nic_xml("n-config", SFO_DOMXML_PART_STANDBY);
    dxml = sfo_test_virt_domain_xml("exec-config", 128, NULL, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, VIR_DOMAIN_START_PAUSED);
    assert_int_equal(virDomainAttachDeviceFlags(dom, standby, VIR_DOMAIN_AFFECT_CONFIG), 0);
    assert_int_equal(virDomainAttachDeviceFlags(dom, vf, VIR_DOMAIN_AFFECT_CONFIG), 0);
    live_before = sfo_test_virt_xml(dom, FALSE);
    plan = sfo_test_plan(SFO_PLAN_UNPLUG, "n-config", NULL);
    exec = sfo_test_exec(NULL, 60000);
    result = sfo_test_run(exec, plan);

    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_COMPLETED);
    for (i = 0; i < result->steps->len; i++) {
        const sfo_exec_step_result *r = sfo_test_result_step(result->steps, i);

        assert_int_equal(r->outcome, SFO_EXEC_OUTCOME_DONE);
        assert_true(r->duration_us < 5 * G_USEC_PER_SEC); /* no wait for a guest */
    }
    assert_false(sfo_test_virt_has(dom, TRUE, "ua-n-config", NULL));
    assert_false(sfo_test_virt_has(dom, TRUE, "ua-p-fo", NULL));
    live_after = sfo_test_virt_xml(dom, FALSE);
    assert_string_equal(live_after, live_before);
    virDomainFree(dom);
}

/*
 * detach when the VF's alias belongs to an interface with another MAC (not
 * this NIC's device): the step changes nothing and says so; the stale
 * interface stays, live and in the definition.
 */
static void
test_exec__detach_leaves_another_mac(void **state G_GNUC_UNUSED)
{
    static const char stale[] = "    <interface type='user'><mac address='52:54:00:99:99:98'/>"
                                "<model type='e1000e'/><alias name='ua-n-stale'/></interface>\n";
    g_autofree char *dxml = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    dxml = sfo_test_virt_domain_xml("exec-stale", 128, stale, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, VIR_DOMAIN_START_PAUSED);
    plan = sfo_test_plan(SFO_PLAN_UNPLUG, "n-stale", NULL);
    exec = sfo_test_exec(NULL, 60000);
    result = sfo_test_run(exec, plan);

    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_COMPLETED);
    assert_int_equal(sfo_test_result_step(result->steps, 0)->outcome, SFO_EXEC_OUTCOME_ALREADY);
    assert_int_equal(sfo_test_result_step(result->steps, 2)->outcome, SFO_EXEC_OUTCOME_ALREADY);
    assert_true(sfo_test_virt_has(dom, FALSE, "ua-n-stale", "52:54:00:99:99:98"));
    assert_true(sfo_test_virt_has(dom, TRUE, "ua-n-stale", "52:54:00:99:99:98"));
    virDomainFree(dom);
}

/*
 * detach of a VF that only the live domain has: libvirt refuses the detach
 * from both (the definition lacks it), exec reads both and detaches it live.
 * No guest acknowledges it, so the wait then times out; what matters here is
 * that the detach itself was done, not refused.
 */
static void
test_exec__detach_from_the_live_domain_only(void **state G_GNUC_UNUSED)
{
    g_autofree char *vf = NULL;
    g_autofree char *dxml = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    vf = sfo_test_nic_xml("n-split", SFO_DOMXML_PART_NIC);
    dxml = sfo_test_virt_domain_xml("exec-split", 128, NULL, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, VIR_DOMAIN_START_PAUSED);
    assert_int_equal(virDomainAttachDeviceFlags(dom, vf, VIR_DOMAIN_AFFECT_LIVE), 0);
    plan = sfo_test_plan(SFO_PLAN_UNPLUG, "n-split", NULL);
    exec = sfo_test_exec(NULL, 1000);
    result = sfo_test_run(exec, plan);

    assert_int_equal(sfo_test_result_step(result->steps, 0)->outcome, SFO_EXEC_OUTCOME_DONE);
    assert_int_equal(sfo_test_result_step(result->steps, 1)->outcome, SFO_EXEC_OUTCOME_FAILED);
    assert_string_equal(sfo_exec_result_error_key(result), "VM_INTERFACE_UNPLUG_TIMED_OUT");
    virDomainFree(dom);
}

/* A VM with no domain: the first step fails before it changed anything, nothing to undo */
static void
test_exec__domain_missing(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;

    SFO_NEED_QEMU();
    plan = sfo_test_plan(SFO_PLAN_PLUG, "n-missing", NULL);
    exec = sfo_test_exec(NULL, 1000);
    result = sfo_test_run(exec, plan);
    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_UNDONE);
    assert_string_equal(sfo_exec_result_error_key(result), "VM_DOMAIN_NOT_FOUND");
    assert_non_null(strstr(sfo_exec_result_error_message(result), "exec-missing"));
    assert_int_equal(result->steps->len, 1);
    assert_int_equal(result->undone->len, 0);
}

/* A refused plan runs nothing and says why */
static void
test_exec__refused(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    g_autofree char *json = NULL;

    SFO_NEED_QEMU();
    plan = sfo_test_plan(SFO_PLAN_MIGRATE, "vm-plug", "h1");
    assert_true(sfo_plan_is_refused(plan));
    exec = sfo_test_exec(NULL, 1000);
    result = sfo_test_run(exec, plan);
    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_REFUSED);
    assert_string_equal(sfo_exec_result_error_key(result),
                        "ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST");
    assert_int_equal(result->steps->len, 0);
    assert_int_equal(sfo_exec_result_format_json(result, 0, &json), 0);
    assert_non_null(strstr(json, "\"status\":\"refused\""));
    assert_non_null(strstr(json, "ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST"));
}

/* The open sequences of the journal @exec uses */
static guint
sfo_test_exec_unfinished(sfo_exec *exec)
{
    g_autoptr(GPtrArray) open = sfo_test_journal_unfinished(sfo_exec_journal(exec));

    return open->len;
}

/*
 * reconcile after a crash in the middle of an unplug: the journal says the
 * VF was removed and the standby's detach had started; the domain still
 * has the standby. Reconcile undoes the sequence: the VF comes back (live
 * and in the definition), the standby is left as it is, and the sequence
 * ends; a second reconcile has nothing to do. Once over each journal
 * (journal-test.h): what the dead process left is a journal it closed.
 */
static void
test_exec__reconcile_rolls_back(void **state)
{
    const sfo_test_journal_kind *kind = *state;
    g_autofree char *standby = NULL;
    g_autofree char *dxml = NULL;
    g_autofree char *id = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    g_autoptr(sfo_exec_result) nothing = NULL;
    sfo_journal *journal = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    kind->reset();
    standby = sfo_test_nic_xml("n-reconcile", SFO_DOMXML_PART_STANDBY);
    dxml = sfo_test_virt_domain_xml("exec-reconcile", 128, standby, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, VIR_DOMAIN_START_PAUSED);
    plan = sfo_test_plan(SFO_PLAN_UNPLUG, "n-reconcile", NULL);
    /* what a process that died during step 2 left behind */
    journal = kind->open();
    assert_int_equal(journal->ops->begin(journal, plan, sfo_virt.uri, NULL, &id), 0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 0, SFO_JOURNAL_STARTED, NULL, NULL),
                     0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 0, SFO_JOURNAL_DONE, NULL, NULL), 0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 1, SFO_JOURNAL_STARTED, NULL, NULL),
                     0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 1, SFO_JOURNAL_DONE, NULL, NULL), 0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 2, SFO_JOURNAL_STARTED, NULL, NULL),
                     0);
    sfo_journal_free(journal);

    /* no URI given: reconcile connects where the journal says the sequence ran */
    assert_int_equal(sfo_exec_open(NULL, NULL, 0, &exec), 0);
    assert_int_equal(sfo_exec_use_journal(exec, kind->open()), 0);
    assert_int_equal(sfo_exec_reconcile(exec, 0, &result), 0);
    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_UNDONE);
    assert_string_equal(result->sequence_id, id);
    assert_int_equal(result->steps->len, 0);
    assert_int_equal(result->undone->len, 2);
    assert_int_equal(sfo_test_result_step(result->undone, 0)->outcome, SFO_EXEC_OUTCOME_ALREADY);
    assert_int_equal(sfo_test_result_step(result->undone, 1)->outcome, SFO_EXEC_OUTCOME_DONE);
    assert_true(sfo_test_virt_has(dom, FALSE, "ua-n-reconcile", "52:54:00:5f:00:05"));
    assert_true(sfo_test_virt_has(dom, TRUE, "ua-n-reconcile", "52:54:00:5f:00:05"));
    assert_true(sfo_test_virt_has(dom, FALSE, "ua-p-fo", "52:54:00:5f:00:05"));
    assert_int_equal(sfo_test_exec_unfinished(exec), 0);

    assert_int_equal(sfo_exec_reconcile(exec, 0, &nothing), 0);
    assert_int_equal(sfo_exec_result_status(nothing), SFO_EXEC_COMPLETED);
    assert_int_equal(nothing->steps->len + nothing->undone->len, 0);
    sfo_test_virt_domain_drop(dom);
}

/*
 * reconcile after a crash past the commit step: a restore started the
 * domain and died before it plugged the VF back. Reconcile finishes it.
 * Once over each journal.
 */
static void
test_exec__reconcile_rolls_forward(void **state)
{
    const sfo_test_journal_kind *kind = *state;
    g_autofree char *standby = NULL;
    g_autofree char *dxml = NULL;
    g_autofree char *id = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    sfo_journal *journal = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    kind->reset();
    standby = sfo_test_nic_xml("n-forward", SFO_DOMXML_PART_STANDBY);
    dxml = sfo_test_virt_domain_xml("exec-forward", 128, standby, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, TRUE, TRUE, VIR_DOMAIN_START_PAUSED);
    plan = sfo_test_plan(SFO_PLAN_RESTORE, "vm-forward", NULL);
    assert_int_equal(sfo_plan_step_count(plan), 2);
    /* the restore step started and was never recorded as done: the domain runs, so it was */
    journal = kind->open();
    assert_int_equal(journal->ops->begin(journal, plan, sfo_virt.uri, NULL, &id), 0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 0, SFO_JOURNAL_STARTED, NULL, NULL),
                     0);
    sfo_journal_free(journal);

    exec = sfo_test_exec(NULL, 1000);
    assert_int_equal(sfo_exec_use_journal(exec, kind->open()), 0);
    assert_int_equal(sfo_exec_reconcile(exec, 0, &result), 0);
    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_COMPLETED);
    assert_int_equal(result->steps->len, 1);
    assert_int_equal(sfo_test_result_step(result->steps, 0)->step->op, SFO_PLAN_OP_ATTACH);
    assert_true(sfo_test_virt_has(dom, FALSE, "ua-n-forward", "52:54:00:5f:00:06"));
    assert_int_equal(sfo_test_exec_unfinished(exec), 0);
    sfo_test_virt_domain_drop(dom);
}

/*
 * A VF held for another NIC in the journal cannot be reserved: the plug
 * stops before it touched the domain.
 */
static void
test_exec__vf_held_elsewhere(void **state G_GNUC_UNUSED)
{
    g_autofree char *journal_path = NULL;
    g_autofree char *dxml = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *holder = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    const sfo_plan_step *reserve;
    sfo_journal *journal = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    dxml = sfo_test_virt_domain_xml("exec-hold", 128, NULL, NULL, NULL, NULL);
    journal_path = sfo_test_virt_path(&sfo_virt, "hold.jsonl");
    dom = sfo_test_virt_domain(&sfo_virt, dxml, FALSE, TRUE, VIR_DOMAIN_START_PAUSED);
    before = sfo_test_virt_xml(dom, FALSE);
    plan = sfo_test_plan(SFO_PLAN_PLUG, "n-hold", NULL);
    reserve = plan->steps->pdata[0];
    assert_int_equal(reserve->op, SFO_PLAN_OP_RESERVE_VF);
    assert_string_equal(reserve->vf_address, "0000:3b:03.0");
    assert_int_equal(sfo_journal_file_open(journal_path, &journal), 0);
    assert_int_equal(
        journal->ops->reserve_vf(journal, "other", "h1", "0000:3b:03.0", "n-elsewhere", &holder),
        0);
    assert_null(holder);
    sfo_journal_free(journal);

    exec = sfo_test_exec(journal_path, 1000);
    result = sfo_test_run(exec, plan);
    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_UNDONE);
    assert_string_equal(sfo_exec_result_error_key(result), "HOST_VF_RESERVED");
    assert_non_null(strstr(sfo_exec_result_error_message(result), "n-elsewhere"));
    assert_int_equal(result->steps->len, 1);
    assert_int_equal(result->undone->len, 0);
    after = sfo_test_virt_xml(dom, FALSE);
    assert_string_equal(after, before);
    virDomainFree(dom);
}

/* The JSON and text results name the steps, their outcomes, and the domain's final XML */
static void
test_exec__result_formats(void **state G_GNUC_UNUSED)
{
    g_autofree char *dxml = NULL;
    g_autofree char *json = NULL;
    g_autofree char *text = NULL;
    g_autofree char *live = NULL;
    g_autoptr(json_object) obj = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    json_object *v = NULL;
    json_object *steps = NULL;
    virDomainPtr dom;

    SFO_NEED_QEMU();
    dxml = sfo_test_virt_domain_xml("exec-json", 128, NULL, NULL, NULL, NULL);
    dom = sfo_test_virt_domain(&sfo_virt, dxml, FALSE, TRUE, VIR_DOMAIN_START_PAUSED);
    plan = sfo_test_plan(SFO_PLAN_PLUG, "v-json", NULL);
    exec = sfo_test_exec(NULL, 1000);
    assert_int_equal(sfo_exec_run(exec, plan, SFO_EXEC_RUN_DOMAIN_XML, &result), 0);
    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_COMPLETED);
    live = sfo_test_virt_xml(dom, FALSE);

    assert_int_equal(sfo_exec_result_format_json(result, 0, &json), 0);
    obj = json_tokener_parse(json);
    assert_non_null(obj);
    assert_true(json_object_object_get_ex(obj, "status", &v));
    assert_string_equal(json_object_get_string(v), "completed");
    assert_true(json_object_object_get_ex(obj, "steps", &steps));
    assert_int_equal(json_object_array_length(steps), 1);
    assert_true(json_object_object_get_ex(json_object_array_get_idx(steps, 0), "outcome", &v));
    assert_string_equal(json_object_get_string(v), "done");
    assert_true(json_object_object_get_ex(obj, "domains", &v));
    assert_true(json_object_object_get_ex(v, sfo_virt.uri, &v));
    assert_string_equal(json_object_get_string(v), live);

    /* without SFO_EXEC_RUN_DOMAIN_XML the run reads no final XML */
    {
        g_autoptr(sfo_exec_result) again = NULL;
        g_autofree char *again_json = NULL;
        g_autoptr(json_object) again_obj = NULL;
        json_object *domains = NULL;

        again = sfo_test_run(exec, plan);
        assert_int_equal(sfo_exec_result_status(again), SFO_EXEC_COMPLETED);
        assert_int_equal(sfo_exec_result_format_json(again, 0, &again_json), 0);
        again_obj = json_tokener_parse(again_json);
        assert_true(json_object_object_get_ex(again_obj, "domains", &domains));
        assert_int_equal(json_object_object_length(domains), 0);
    }

    assert_int_equal(sfo_exec_result_format_text(result, 0, &text), 0);
    assert_non_null(strstr(text, "step 0: attach nic ua-v-json on h1: done in "));
    assert_non_null(strstr(text, "plug: completed"));
    virDomainFree(dom);
}

/*
 * libvirt's test driver (test:///default, domain "test") has no hot plug at
 * all: the VF hold taken first is released again, and the journal says so.
 * Needs no QEMU, so this case also runs under valgrind.
 */
static void
test_exec__undo_on_test_driver(void **state G_GNUC_UNUSED)
{
    g_autofree char *dir = g_dir_make_tmp("sfo-exec-test-XXXXXX", NULL);
    g_autofree char *journal = g_build_filename(dir, "j.jsonl", NULL);
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    g_autofree char *text = NULL;
    const sfo_exec_step_result *release;

    assert_int_equal(sfo_plan_build(sfo_inv, SFO_PLAN_PLUG, "n-test", NULL, 0, &plan), 0);
    assert_int_equal(sfo_exec_open("test:///default", NULL, 0, &exec), 0);
    assert_int_equal(sfo_exec_set_journal(exec, journal), 0);
    assert_int_equal(sfo_exec_run(exec, plan, 0, &result), 0);
    assert_int_equal(sfo_exec_result_status(result), SFO_EXEC_UNDONE);
    assert_string_equal(sfo_exec_result_error_key(result), "VM_INTERFACE_PLUG_FAILED");
    assert_non_null(strstr(sfo_exec_result_error_message(result), "not supported"));
    assert_int_equal(result->steps->len, 2); /* the hold, then the standby's attach */
    release = sfo_test_result_step(result->undone, result->undone->len - 1);
    assert_int_equal(release->step->op, SFO_PLAN_OP_RELEASE_VF);
    assert_int_equal(release->outcome, SFO_EXEC_OUTCOME_DONE);
    assert_int_equal(sfo_test_journal_count(journal, "reserve"), 1);
    assert_int_equal(sfo_test_journal_count(journal, "release"), 1);
    assert_int_equal(sfo_test_journal_count(journal, "end"), 1);
    assert_int_equal(sfo_exec_result_format_text(result, 0, &text), 0);
    assert_non_null(strstr(text, "undo of step 0: release-vf vf 0000:3b:03.0 on h1: done"));
    g_clear_pointer(&exec, sfo_exec_free); /* unlocks the journal */
    g_unlink(journal);
    g_rmdir(dir);
}

/*
 * Writes @before (@before_len bytes, NULs included), the journal @text and
 * @after (@after_len bytes) into @path: opening it must fail with
 * JOURNAL_CORRUPT saying @what, and leave the file byte for byte as it was.
 */
static void
sfo_test_journal_refused_len(const char *path, const char *before, size_t before_len,
                             const char *text, const char *after, size_t after_len,
                             const char *what)
{
    g_autoptr(GByteArray) bytes = g_byte_array_new();
    g_autofree char *read_back = NULL;
    sfo_journal *journal = NULL;
    gsize len = 0;

    g_byte_array_append(bytes, (const guint8 *)before, (guint)before_len);
    g_byte_array_append(bytes, (const guint8 *)text, (guint)strlen(text));
    g_byte_array_append(bytes, (const guint8 *)after, (guint)after_len);
    assert_true(g_file_set_contents(path, (const char *)bytes->data, bytes->len, NULL));
    assert_int_equal(sfo_journal_file_open(path, &journal), SFO_EINVALID);
    assert_null(journal);
    assert_string_equal(sfo_error_last()->key, "JOURNAL_CORRUPT");
    if (!strstr(sfo_error_last()->message, what))
        fail_msg("'%s' does not say '%s'", sfo_error_last()->message, what);
    assert_true(g_file_get_contents(path, &read_back, &len, NULL));
    assert_int_equal(len, bytes->len);
    assert_memory_equal(read_back, bytes->data, len);
}

/* sfo_test_journal_refused_len() of string literals, NULs included */
#define sfo_test_journal_refused(path, text, before, after, what) \
    sfo_test_journal_refused_len(path, before, sizeof(before) - 1, text, after, sizeof(after) - 1, \
                                 what)

/* The journal file: locked while in use, a torn last line is ignored, a bad line is not */
static void
test_exec__journal_file(void **state G_GNUC_UNUSED)
{
    g_autofree char *dir = g_dir_make_tmp("sfo-journal-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "j.jsonl", NULL);
    g_autofree char *id = NULL;
    g_autofree char *holder = NULL;
    g_autofree char *text = NULL;
    g_autofree char *torn = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    g_autoptr(GPtrArray) open_entries = NULL;
    sfo_journal *journal = NULL;
    sfo_journal *second = NULL;
    sfo_journal_entry *entry;

    assert_int_equal(
        sfo_plan_build(sfo_inv, SFO_PLAN_UNPLUG, "n-plug", NULL, SFO_PLAN_EMULATED, &plan), 0);
    assert_int_equal(sfo_journal_file_open(path, &journal), 0);
    assert_int_equal(sfo_journal_file_open(path, &second), SFO_EIO);
    assert_string_equal(sfo_error_last()->key, "JOURNAL_LOCKED");
    assert_int_equal(journal->ops->begin(journal, plan, "test:///default", NULL, &id), 0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 0, SFO_JOURNAL_DONE, NULL, NULL), 0);
    assert_int_equal(journal->ops->record(journal, id, FALSE, 1, SFO_JOURNAL_FAILED, "K", "m"), 0);
    assert_int_equal(journal->ops->record(journal, id, TRUE, 0, SFO_JOURNAL_STARTED, NULL, NULL),
                     0);
    assert_int_equal(journal->ops->reserve_vf(journal, id, "h1", "vf", "nicA", &holder), 0);
    assert_null(holder);
    assert_int_equal(journal->ops->reserve_vf(journal, id, "h1", "vf", "nicB", &holder), 0);
    assert_string_equal(holder, "nicA");
    /* releasing another NIC's hold does nothing */
    assert_int_equal(journal->ops->release_vf(journal, id, "h1", "vf", "nicB"), 0);
    sfo_journal_free(journal);

    /* a crash cut the last line short: it is ignored and cut off, the rest reads back */
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    torn = g_strconcat(text, "{\"type\":\"step\",\"sequ", NULL);
    assert_true(g_file_set_contents(path, torn, -1, NULL));
    assert_int_equal(sfo_journal_file_open(path, &journal), 0);
    g_clear_pointer(&holder, g_free);
    assert_int_equal(journal->ops->reserve_vf(journal, "x", "h1", "vf", "nicC", &holder), 0);
    assert_string_equal(holder, "nicA"); /* the hold survived */
    assert_int_equal(journal->ops->unfinished(journal, &open_entries), 0);
    assert_int_equal(open_entries->len, 1);
    entry = open_entries->pdata[0];
    assert_string_equal(entry->id, id);
    assert_string_equal(entry->source_uri, "test:///default");
    assert_int_equal(entry->step_phase[0], SFO_JOURNAL_DONE);
    assert_int_equal(entry->step_phase[1], SFO_JOURNAL_FAILED);
    assert_int_equal(entry->step_phase[2], -1);
    assert_int_equal(entry->undo_phase[0], SFO_JOURNAL_STARTED);
    assert_int_equal(journal->ops->finish(journal, id, "undone"), 0);
    g_clear_pointer(&open_entries, g_ptr_array_unref);
    assert_int_equal(journal->ops->unfinished(journal, &open_entries), 0);
    assert_int_equal(open_entries->len, 0);
    sfo_journal_free(journal);

    /* a bad line in the middle is corruption, not a crash */
    g_clear_pointer(&text, g_free);
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_free(torn);
    torn = g_strconcat("not json\n", text, NULL);
    assert_true(g_file_set_contents(path, torn, -1, NULL));
    assert_int_equal(sfo_journal_file_open(path, &journal), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "JOURNAL_CORRUPT");

    /* read by length: a NUL byte is corruption, wherever it is, and the file stays as it was */
    sfo_test_journal_refused(path, text, "\0\n", "", "line 1 is not a journal record");
    sfo_test_journal_refused(path, text, "", "{\"type\":\"end\",\0\"sequence\":\"x\"}\n",
                             "is not a journal record");
    sfo_test_journal_refused(path, text, "", "garbage\0without a newline",
                             "is not the start of a journal record");
    /* an escaped NUL too: "end\u0000x" is no "end", a sequence id with one names none */
    sfo_test_journal_refused(path, text, "", "{\"type\":\"end\\u0000\",\"sequence\":\"x\"}\n",
                             "is not a journal record");
    /* one object a line, nothing after it */
    sfo_test_journal_refused(path, text, "", "{\"type\":\"end\",\"sequence\":\"x\"} {}\n",
                             "is not a journal record");

    /* what a crash leaves at the end is cut off: a record's start, or zeros that never got data */
    {
        static const char zeros[8] = { 0 };
        g_autoptr(GByteArray) bytes = g_byte_array_new();
        g_autofree char *after = NULL;
        gsize len = 0;

        g_byte_array_append(bytes, (const guint8 *)text, (guint)strlen(text));
        g_byte_array_append(bytes, (const guint8 *)zeros, sizeof(zeros));
        assert_true(g_file_set_contents(path, (const char *)bytes->data, bytes->len, NULL));
        assert_int_equal(sfo_journal_file_open(path, &journal), 0);
        sfo_journal_free(journal);
        assert_true(g_file_get_contents(path, &after, &len, NULL));
        assert_int_equal(len, strlen(text));
        assert_string_equal(after, text);
    }
    g_unlink(path);
    g_rmdir(dir);
}

static void
test_exec__arguments(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) run = NULL;
    g_autoptr(sfo_plan) snapshot = NULL;
    g_autoptr(sfo_exec) exec = NULL;
    sfo_exec_result *result = NULL;
    sfo_exec *bad = NULL;

    assert_int_equal(sfo_exec_open("qemu+unix:///system?socket=/nonexistent/sock", NULL, 0, &bad),
                     SFO_EIO);
    assert_string_equal(sfo_error_last()->key, "HOST_CONNECTION_FAILED");
    assert_non_null(strstr(sfo_error_last()->message, "/nonexistent/sock"));
    assert_null(bad);
    assert_int_equal(sfo_exec_open(NULL, NULL, 1, &bad), SFO_EINVALID);

    /* a run plan only carries the interfaces: exec does not start domains from it */
    assert_int_equal(sfo_plan_build(sfo_inv, SFO_PLAN_RUN, "vm-plug", NULL, 0, &run), 0);
    assert_int_equal(sfo_exec_open(NULL, NULL, 0, &exec), 0);
    assert_int_equal(sfo_exec_run(exec, run, 0, &result), SFO_EINVALID);
    assert_null(result);
    /* a snapshot needs somewhere to write the memory: refused before anything is unplugged */
    assert_int_equal(sfo_plan_build(sfo_inv, SFO_PLAN_SNAPSHOT, "vm-plug", NULL, 0, &snapshot), 0);
    assert_true(sfo_plan_step_count(snapshot) > 1);
    assert_int_equal(sfo_exec_run(exec, snapshot, 0, &result), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "SNAPSHOT_MEMORY_FILE_NOT_SET");
    assert_null(result);
    /* reconcile needs a journal */
    assert_int_equal(sfo_exec_reconcile(exec, 0, &result), SFO_EINVALID);
    assert_int_equal(sfo_exec_set_journal(exec, "/proc/sfo-no/journal"), SFO_EIO);
    assert_string_equal(sfo_error_last()->key, "JOURNAL_UNWRITABLE");
    assert_int_equal(sfo_exec_result_status(NULL), SFO_EINVALID);
    assert_null(sfo_exec_result_error_key(NULL));
    sfo_exec_result_free(NULL);
    sfo_exec_free(NULL);
    assert_string_equal(sfo_exec_status_to_string(SFO_EXEC_UNDO_FAILED), "undo-failed");
}

int
main(void)
{
    const struct CMUnitTest without_qemu[] = {
        cmocka_unit_test(test_exec__undo_on_test_driver),
        cmocka_unit_test(test_exec__journal_file),
        cmocka_unit_test(test_exec__arguments),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec__plug_live),
        cmocka_unit_test(test_exec__unplug_timeout),
        cmocka_unit_test(test_exec__attach_fails_halfway),
        cmocka_unit_test(test_exec__attach_to_the_part_missing_it),
        cmocka_unit_test(test_exec__detach_from_the_definition_only),
        cmocka_unit_test(test_exec__detach_leaves_another_mac),
        cmocka_unit_test(test_exec__detach_from_the_live_domain_only),
        cmocka_unit_test(test_exec__domain_missing),
        cmocka_unit_test(test_exec__refused),
        SFO_TEST_JOURNAL_CASE(file, test_exec__reconcile_rolls_back),
        SFO_TEST_JOURNAL_CASE(store, test_exec__reconcile_rolls_back),
        SFO_TEST_JOURNAL_CASE(file, test_exec__reconcile_rolls_forward),
        SFO_TEST_JOURNAL_CASE(store, test_exec__reconcile_rolls_forward),
        cmocka_unit_test(test_exec__vf_held_elsewhere),
        cmocka_unit_test(test_exec__result_formats),
        cmocka_unit_test(test_exec__undo_on_test_driver),
        cmocka_unit_test(test_exec__journal_file),
        cmocka_unit_test(test_exec__arguments),
    };

    if (sfo_test_virt_under_valgrind()) {
        /* sfo-test-virt.c says why QEMU cannot be started from under valgrind */
        printf("# under valgrind: only the cases without QEMU; the others run in the plain and "
               "ASan/UBSan builds\n");
        return cmocka_run_group_tests_name("exec without QEMU", without_qemu, sfo_test_group_setup,
                                           sfo_test_group_teardown);
    }
    return cmocka_run_group_tests_name("exec", tests, sfo_test_group_setup,
                                       sfo_test_group_teardown);
}
