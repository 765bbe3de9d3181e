/*
 * test-plan.c: plans of hot plug, unplug, migration (core/plan)
 *
 * Golden files: tests/data/plan/NAME.json is a request {"inventory",
 * "action", "subject", "host"?, "emulated"?} and NAME.out.json the plan
 * sfo_plan_format_json() prints for it (SFO_TEST_REGENERATE=1 rewrites
 * them). Beside the byte comparison, every plan is checked for the
 * properties the sequencer promises (docs/sequencer.md), so a regenerated
 * golden file with a wrong order still fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-test.h"

#include "model/sfo-domain.h"
#include "plan/sfo-plan.h"

typedef struct {
    const char *name;
    const char *refused_by; /* NULL: the plan has steps (or is empty, see steps) */
    int steps;              /* expected number of steps */
} sfo_plan_case;

static const sfo_plan_case sfo_plan_cases[] = {
    { "plug-failover", NULL, 2 },
    { "plug-reserve-vf", NULL, 4 },
    { "plug-virtio", NULL, 1 },
    { "plug-vf-no-failover", NULL, 1 },
    { "plug-no-free-vf", "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF", 0 },
    { "plug-network-missing", "ACTION_TYPE_FAILED_FAILOVER_NETWORK_MISSING_ON_HOST", 0 },
    { "plug-vm-down", NULL, 0 },
    { "plug-emulated", NULL, 2 },
    { "plug-emulated-bridge", NULL, 2 },
    { "unplug-failover", NULL, 4 },
    { "unplug-virtio", NULL, 2 },
    { "unplug-vf-no-failover", NULL, 2 },
    { "unplug-emulated", NULL, 4 },
    { "migrate", NULL, 11 },
    { "migrate-emulated", NULL, 11 },
    { "migrate-emulated-bridge", NULL, 11 },
    { "migrate-hostdev-pool", NULL, 6 },
    { "migrate-offline", NULL, 11 },
    { "migrate-same-host", "ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST", 0 },
    { "migrate-network-missing", "ACTION_TYPE_FAILED_FAILOVER_NETWORK_MISSING_ON_HOST", 0 },
    { "migrate-no-free-vf", "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF", 0 },
    { "migrate-vm-down", "ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING", 0 },
    { "save", NULL, 5 },
    { "restore", NULL, 3 },
    { "snapshot", NULL, 7 },
    { "run", NULL, 1 },
    { "run-emulated", NULL, 1 },
};

/* Builds the plan of request tests/data/plan/@name.json; fails the test on error. */
static sfo_plan *
sfo_test_plan_request(const char *name)
{
    g_autofree char *file = g_strconcat(name, ".json", NULL);
    g_autofree char *text = sfo_test_read_data("plan", file);
    g_autoptr(json_object) req = json_tokener_parse(text);
    g_autoptr(sfo_inventory) inv = NULL;
    json_object *v = NULL;
    const char *action = NULL;
    const char *subject = NULL;
    const char *host = NULL;
    unsigned int flags = 0;
    sfo_plan *plan = NULL;

    assert_non_null(req);
    if (json_object_object_get_ex(req, "inventory", &v))
        inv = sfo_test_load_inventory("plan", json_object_get_string(v));
    if (json_object_object_get_ex(req, "action", &v))
        action = json_object_get_string(v);
    if (json_object_object_get_ex(req, "subject", &v))
        subject = json_object_get_string(v);
    if (json_object_object_get_ex(req, "host", &v))
        host = json_object_get_string(v);
    if (json_object_object_get_ex(req, "emulated", &v) && json_object_get_boolean(v))
        flags |= SFO_PLAN_EMULATED;
    if (json_object_object_get_ex(req, "emulated_bridge", &v) && json_object_get_boolean(v))
        flags |= SFO_PLAN_EMULATED | SFO_PLAN_EMULATED_BRIDGE;
    assert_non_null(inv);
    if (sfo_plan_build(inv, sfo_plan_action_from_string(action), subject, host, flags, &plan) < 0)
        fail_msg("%s: %s", name, sfo_error_last()->message);
    return plan;
}

static const sfo_plan_step *
sfo_test_step(const sfo_plan *plan, guint i)
{
    return g_ptr_array_index(plan->steps, i);
}

/* The index of the first step with @op on @device (and @role unless -1), or -1 */
static int
sfo_test_find(const sfo_plan *plan, sfo_plan_op op, sfo_plan_device device, int role)
{
    guint i;

    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *s = sfo_test_step(plan, i);

        if (s->op == op && s->device == device && (role < 0 || (int)s->role == role))
            return (int)i;
    }
    return -1;
}

/*
 * Properties every plan has: undo steps name earlier steps, run in reverse,
 * never reach past the commit step; attach XML is one interface whose alias
 * and MAC are the step's; a detach is followed by a wait for the same alias.
 */
static void
sfo_test_plan_invariants(const char *name, const sfo_plan *plan)
{
    int commit = sfo_plan_commit_index(plan);
    int last_undone = G_MAXINT;
    guint i;
    guint j;

    for (i = 0; i < plan->undo->len; i++) {
        const sfo_plan_step *u = g_ptr_array_index(plan->undo, i);
        const sfo_plan_step *s;

        if (u->undoes > last_undone)
            fail_msg("%s: undo step %u reverts step %d after step %d", name, i, u->undoes,
                     last_undone);
        last_undone = u->undoes;
        if (commit >= 0 && u->undoes > commit)
            fail_msg("%s: undo step %u reverts step %d, after the commit step %d", name, i,
                     u->undoes, commit);
        s = sfo_test_step(plan, u->undoes);
        /* an undo runs where its step ran, on the same device */
        assert_int_equal(u->role, s->role);
        assert_string_equal(u->host_id ? u->host_id : "", s->host_id ? s->host_id : "");
        assert_string_equal(u->alias ? u->alias : "", s->alias ? s->alias : "");
    }
    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *s = sfo_test_step(plan, i);

        assert_int_equal(s->index, (int)i);
        if (s->op == SFO_PLAN_OP_ATTACH || s->op == SFO_PLAN_OP_DETACH) {
            g_autoptr(sfo_domain) dom = NULL;
            const sfo_domain_device *dev;

            assert_non_null(s->xml);
            if (sfo_domain_parse(s->xml, &dom) < 0)
                fail_msg("%s: step %u: %s", name, i, sfo_error_last()->message);
            assert_int_equal(dom->devices->len, 1);
            dev = g_ptr_array_index(dom->devices, 0);
            assert_string_equal(dev->alias, s->alias);
            assert_string_equal(dev->mac, s->mac);
        }
        if (s->op == SFO_PLAN_OP_DETACH) {
            gboolean waited = FALSE;

            for (j = i + 1; j < plan->steps->len && !waited; j++) {
                const sfo_plan_step *w = sfo_test_step(plan, j);

                waited = w->op == SFO_PLAN_OP_WAIT_REMOVED && strcmp(w->alias, s->alias) == 0;
            }
            if (!waited)
                fail_msg("%s: step %u detaches %s but nothing waits for its removal", name, i,
                         s->alias);
        }
        if (i > (guint)commit && commit >= 0 && s->op == SFO_PLAN_OP_DETACH)
            fail_msg("%s: step %u detaches after the commit step", name, i);
    }
}

static void
test_plan__golden(void **state G_GNUC_UNUSED)
{
    size_t c;

    for (c = 0; c < G_N_ELEMENTS(sfo_plan_cases); c++) {
        const sfo_plan_case *tc = &sfo_plan_cases[c];
        g_autoptr(sfo_plan) plan = sfo_test_plan_request(tc->name);
        g_autofree char *golden = g_strconcat(tc->name, ".out.json", NULL);
        g_autofree char *json = NULL;

        assert_int_equal(sfo_plan_format_json(plan, 0, &json), 0);
        sfo_test_compare_golden("plan", golden, json);
        if (tc->refused_by) {
            if (!sfo_plan_is_refused(plan) ||
                !sfo_violations_has_key(plan->violations, tc->refused_by))
                fail_msg("%s: expected a refusal with %s", tc->name, tc->refused_by);
            assert_int_equal(sfo_plan_undo_count(plan), 0);
        } else if (sfo_plan_is_refused(plan)) {
            fail_msg("%s: refused with %s", tc->name, sfo_violations_key(plan->violations, 0));
        }
        if ((int)sfo_plan_step_count(plan) != tc->steps)
            fail_msg("%s: %zu steps, expected %d", tc->name, sfo_plan_step_count(plan), tc->steps);
        sfo_test_plan_invariants(tc->name, plan);
    }
}

/* plug: the standby is attached before the VF; unplug: the VF leaves (and is waited for) first */
static void
test_plan__plug_unplug_order(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plug = sfo_test_plan_request("plug-failover");
    g_autoptr(sfo_plan) unplug = sfo_test_plan_request("unplug-failover");
    g_autoptr(sfo_plan) reserve = sfo_test_plan_request("plug-reserve-vf");
    int standby = sfo_test_find(plug, SFO_PLAN_OP_ATTACH, SFO_PLAN_DEVICE_STANDBY, -1);
    int vf = sfo_test_find(plug, SFO_PLAN_OP_ATTACH, SFO_PLAN_DEVICE_VF, -1);

    assert_true(standby >= 0 && vf > standby);
    assert_string_equal(sfo_test_step(plug, vf)->vf_address, "0000:3b:02.0");
    assert_non_null(strstr(sfo_test_step(plug, vf)->xml, "persistent=\"ua-p-br\""));

    assert_int_equal(sfo_test_find(unplug, SFO_PLAN_OP_DETACH, SFO_PLAN_DEVICE_VF, -1), 0);
    assert_int_equal(sfo_test_find(unplug, SFO_PLAN_OP_WAIT_REMOVED, SFO_PLAN_DEVICE_VF, -1), 1);
    assert_int_equal(sfo_test_find(unplug, SFO_PLAN_OP_DETACH, SFO_PLAN_DEVICE_STANDBY, -1), 2);
    assert_int_equal(sfo_test_find(unplug, SFO_PLAN_OP_WAIT_REMOVED, SFO_PLAN_DEVICE_STANDBY, -1),
                     3);

    /* without a VF in the inventory, the first free VF of the network is held, then used */
    assert_int_equal(sfo_test_step(reserve, 0)->op, SFO_PLAN_OP_RESERVE_VF);
    assert_string_equal(sfo_test_step(reserve, 0)->vf_address, "0000:3b:02.2");
    assert_string_equal(sfo_test_step(reserve, 2)->vf_address, "0000:3b:02.2");
    assert_int_equal(sfo_test_step(reserve, 3)->op, SFO_PLAN_OP_RELEASE_VF);
}

/*
 * migrate: only VFs move; the standby and the plain virtio NIC are never
 * touched; the VFs come back on the destination with the destination's VF
 * addresses, and the undo plugs them back on the source with the source's.
 */
static void
test_plan__migrate(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plan = sfo_test_plan_request("migrate");
    int commit = sfo_plan_commit_index(plan);
    const sfo_plan_step *migrate;
    guint i;
    guint undone_attach = 0;

    assert_true(commit > 0);
    migrate = sfo_test_step(plan, commit);
    assert_int_equal(migrate->op, SFO_PLAN_OP_MIGRATE);
    assert_true(migrate->live);
    assert_string_equal(migrate->host_id, "h1");
    assert_string_equal(migrate->destination_host_id, "h2");
    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *s = sfo_test_step(plan, i);

        assert_int_not_equal(s->device, SFO_PLAN_DEVICE_STANDBY);
        assert_int_not_equal(s->device, SFO_PLAN_DEVICE_NIC);
        if ((int)i < commit && s->op != SFO_PLAN_OP_RESERVE_VF)
            assert_int_equal(s->role, SFO_PLAN_ROLE_SOURCE);
        if ((int)i > commit)
            assert_int_equal(s->role, SFO_PLAN_ROLE_DESTINATION);
    }
    /* destination VFs: the free ones of h2, in NIC order */
    assert_string_equal(sfo_test_step(plan, 0)->vf_address, "0000:3b:02.1");
    assert_string_equal(sfo_test_step(plan, 1)->vf_address, "0000:3b:02.2");
    assert_string_equal(sfo_test_step(plan, commit + 1)->vf_address, "0000:3b:02.1");
    assert_non_null(strstr(sfo_test_step(plan, commit + 1)->xml, "slot=\"0x02\" function=\"0x1\""));
    for (i = 0; i < plan->undo->len; i++) {
        const sfo_plan_step *u = g_ptr_array_index(plan->undo, i);

        if (u->op == SFO_PLAN_OP_ATTACH) {
            undone_attach++;
            assert_int_equal(u->role, SFO_PLAN_ROLE_SOURCE);
            assert_string_equal(u->host_id, "h1");
        }
        if (u->op == SFO_PLAN_OP_RELEASE_VF)
            assert_int_equal(u->role, SFO_PLAN_ROLE_DESTINATION);
    }
    assert_int_equal(undone_attach, 2); /* both VFs plugged back on the source */
    assert_int_equal(((sfo_plan_step *)g_ptr_array_index(plan->undo, 0))->op, SFO_PLAN_OP_ATTACH);
}

/* A planner never hands one free VF to two plans (a host evacuation) */
static void
test_plan__planner_holds_vfs(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("plan", "inventory.json");
    g_autoptr(sfo_planner) planner = sfo_planner_new(inv, 0);
    g_autoptr(sfo_plan) first = NULL;
    g_autoptr(sfo_plan) second = NULL;
    g_autoptr(sfo_plan) alone = NULL;

    assert_int_equal(sfo_planner_build(planner, SFO_PLAN_MIGRATE, "vm1", "h2", &first), 0);
    assert_false(sfo_plan_is_refused(first));
    assert_int_equal(sfo_planner_build(planner, SFO_PLAN_MIGRATE, "vm1", "h2", &second), 0);
    assert_true(sfo_plan_is_refused(second));
    assert_true(
        sfo_violations_has_key(second->violations, "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF"));
    /* a refused plan holds nothing, and a fresh planner starts from the inventory */
    assert_int_equal(sfo_plan_build(inv, SFO_PLAN_MIGRATE, "vm1", "h2", 0, &alone), 0);
    assert_false(sfo_plan_is_refused(alone));
}

static void
test_plan__json_round_trip(void **state G_GNUC_UNUSED)
{
    size_t c;

    for (c = 0; c < G_N_ELEMENTS(sfo_plan_cases); c++) {
        g_autoptr(sfo_plan) plan = sfo_test_plan_request(sfo_plan_cases[c].name);
        g_autoptr(sfo_plan) back = NULL;
        g_autoptr(json_object) obj = sfo_plan_to_json(plan);
        g_autoptr(json_object) again = NULL;

        if (sfo_plan_is_refused(plan))
            continue; /* violations are not read back: the journal only keeps plans that ran */
        assert_int_equal(sfo_plan_from_json(obj, &back), 0);
        again = sfo_plan_to_json(back);
        assert_string_equal(json_object_to_json_string(obj), json_object_to_json_string(again));
    }
}

static void
test_plan__json_rejects(void **state G_GNUC_UNUSED)
{
    static const char *const bad[] = {
        "[]",
        "{\"action\":\"fly\",\"steps\":[],\"undo\":[]}",
        "{\"action\":\"plug\",\"undo\":[]}",
        "{\"action\":\"plug\",\"steps\":[{\"index\":0,\"op\":\"dance\"}],\"undo\":[]}",
        "{\"action\":\"plug\",\"steps\":[{\"index\":1,\"op\":\"attach\"}],\"undo\":[]}",
        "{\"action\":\"plug\",\"steps\":[{\"index\":0,\"op\":\"attach\",\"role\":\"x\"}],"
        "\"undo\":[]}",
        "{\"action\":\"plug\",\"steps\":[{\"index\":0,\"op\":\"attach\"}],"
        "\"undo\":[{\"undoes\":3,\"op\":\"detach\"}]}",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(json_object) obj = json_tokener_parse(bad[i]);
        g_autoptr(sfo_plan) plan = NULL;

        assert_non_null(obj);
        assert_int_equal(sfo_plan_from_json(obj, &plan), SFO_EINVALID);
        assert_null(plan);
    }
}

static void
test_plan__errors(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("plan", "inventory.json");
    sfo_plan *plan = NULL;

    assert_int_equal(sfo_plan_build(inv, SFO_PLAN_PLUG, "nope", NULL, 0, &plan), SFO_ENOTFOUND);
    assert_string_equal(sfo_error_last()->key, "NIC_NOT_FOUND");
    assert_int_equal(sfo_plan_build(inv, SFO_PLAN_SAVE, "nope", NULL, 0, &plan), SFO_ENOTFOUND);
    assert_string_equal(sfo_error_last()->key, "VM_NOT_FOUND");
    assert_int_equal(sfo_plan_build(inv, SFO_PLAN_MIGRATE, "vm1", "nope", 0, &plan), SFO_ENOTFOUND);
    assert_string_equal(sfo_error_last()->key, "HOST_NOT_FOUND");
    assert_int_equal(sfo_plan_build(inv, SFO_PLAN_MIGRATE, "vm1", NULL, 0, &plan), SFO_EINVALID);
    assert_int_equal(sfo_plan_build(inv, 99, "vm1", NULL, 0, &plan), SFO_EINVALID);
    assert_int_equal(sfo_plan_build(inv, SFO_PLAN_PLUG, "nic1", NULL, 8, &plan), SFO_EINVALID);
    assert_int_equal(sfo_plan_build(NULL, SFO_PLAN_PLUG, "nic1", NULL, 0, &plan), SFO_EINVALID);
    assert_null(plan);
    assert_int_equal(sfo_plan_format_json(NULL, 0, NULL), SFO_EINVALID);
    assert_int_equal(sfo_plan_step_count(NULL), 0);
    sfo_plan_free(NULL);
}

static void
test_plan__action_names(void **state G_GNUC_UNUSED)
{
    int a;

    for (a = 0; a < SFO_PLAN_ACTION_LAST; a++)
        assert_int_equal(sfo_plan_action_from_string(sfo_plan_action_to_string(a)), a);
    assert_int_equal(sfo_plan_action_from_string("teleport"), SFO_EINVALID);
    assert_null(sfo_plan_action_to_string(SFO_PLAN_ACTION_LAST));
    for (a = 0; a < SFO_PLAN_OP_LAST; a++)
        assert_int_equal(sfo_plan_op_from_string(sfo_plan_op_to_string(a)), a);
    for (a = 0; a < SFO_PLAN_ROLE_LAST; a++)
        assert_int_equal(sfo_plan_role_from_string(sfo_plan_role_to_string(a)), a);
    for (a = 0; a < SFO_PLAN_DEVICE_LAST; a++)
        assert_int_equal(sfo_plan_device_from_string(sfo_plan_device_to_string(a)), a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan__golden),
        cmocka_unit_test(test_plan__plug_unplug_order),
        cmocka_unit_test(test_plan__migrate),
        cmocka_unit_test(test_plan__planner_holds_vfs),
        cmocka_unit_test(test_plan__json_round_trip),
        cmocka_unit_test(test_plan__json_rejects),
        cmocka_unit_test(test_plan__errors),
        cmocka_unit_test(test_plan__action_names),
    };

    return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
