/*
 * test-rules.c: core/rules: every rule key, oVirt's acceptance cases, the drivers
 *
 * The fixture tests/data/rules/base.json is clean (check finds nothing);
 * each case adds, changes or breaks one thing and asserts the exact key,
 * severity and subject, plus a close case that must not trigger it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "sfo-test.h"
#include "rules/sfo-rules-priv.h"
#include "util/sfo-messages.h"

#define ERR SFO_SEVERITY_ERROR
#define WARN SFO_SEVERITY_WARNING

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */
/* ------------------------------------------------------------------------ */

static sfo_inventory *
load_base(void)
{
    return sfo_test_load_inventory("rules", "base.json");
}

static void
set_str(char **field, const char *value)
{
    g_free(*field);
    *field = g_strdup(value);
}

static void
dump(const sfo_violations *v)
{
    size_t i;

    fprintf(stderr, "# %zu violation(s):\n", sfo_violations_count(v));
    for (i = 0; i < sfo_violations_count(v); i++)
        fprintf(stderr, "#   %s %s/%s: %s\n", sfo_violations_key(v, i),
                sfo_violations_subject_type(v, i), sfo_violations_subject_id(v, i),
                sfo_violations_message(v, i));
}

static sfo_violations *
validate(const sfo_inventory *inv, int action, const char *json)
{
    sfo_violations *v = NULL;

    if (sfo_rules_validate(inv, action, json, 0, &v) < 0)
        fail_msg("sfo_rules_validate(%s) failed: %s", sfo_action_to_string(action),
                 sfo_error_last()->message);
    return v;
}

static sfo_violations *
check(const sfo_inventory *inv)
{
    sfo_violations *v = NULL;

    assert_int_equal(sfo_rules_check(inv, 0, &v), 0);
    return v;
}

static size_t
count_key(const sfo_violations *v, const char *key)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < sfo_violations_count(v); i++)
        n += g_str_equal(sfo_violations_key(v, i), key);
    return n;
}

/* The index of the one violation with @key, after checking its severity and subject */
static size_t
assert_one(const sfo_violations *v, const char *key, int severity, const char *subject_type,
           const char *subject_id)
{
    size_t i;

    if (count_key(v, key) != 1) {
        dump(v);
        fail_msg("expected exactly one %s", key);
    }
    for (i = 0; !g_str_equal(sfo_violations_key(v, i), key); i++)
        ;
    assert_int_equal(sfo_violations_severity(v, i), severity);
    assert_string_equal(sfo_violations_subject_type(v, i), subject_type);
    assert_string_equal(sfo_violations_subject_id(v, i), subject_id);
    return i;
}

/* @key is the only violation */
static size_t
assert_only(const sfo_violations *v, const char *key, int severity, const char *subject_type,
            const char *subject_id)
{
    if (sfo_violations_count(v) != 1) {
        dump(v);
        fail_msg("expected only %s", key);
    }
    return assert_one(v, key, severity, subject_type, subject_id);
}

static void
assert_clean(const sfo_violations *v)
{
    if (sfo_violations_count(v) != 0) {
        dump(v);
        fail_msg("expected no violations");
    }
}

static void
assert_no_key(const sfo_violations *v, const char *key)
{
    if (count_key(v, key) != 0) {
        dump(v);
        fail_msg("unexpected %s", key);
    }
}

/* A vNIC profile object: @extra is more JSON members, e.g. ", \"qos\": {\"id\": \"q\"}" */
static char *
profile_json(const char *id, const char *network, gboolean pt, gboolean migratable,
             const char *failover, const char *extra)
{
    g_autofree char *fo =
        failover ? g_strdup_printf(", \"failover\": {\"id\": \"%s\"}", failover) : g_strdup("");

    return g_strdup_printf("{\"id\": \"%s\", \"name\": \"%s-name\", \"network\": {\"id\": \"%s\"},"
                           " \"pass_through\": {\"mode\": \"%s\"}, \"migratable\": %s%s%s}",
                           id, id, network, pt ? "enabled" : "disabled",
                           migratable ? "true" : "false", fo, extra ? extra : "");
}

static sfo_violations *
validate_profile(const sfo_inventory *inv, int action, const char *id, const char *network,
                 gboolean pt, gboolean migratable, const char *failover, const char *extra)
{
    g_autofree char *json = profile_json(id, network, pt, migratable, failover, extra);

    return validate(inv, action, json);
}

/* A NIC object named "vfN" with MAC 56:6f:1a:2b:01:NN */
static sfo_violations *
validate_nic(const sfo_inventory *inv, int action, const char *id, const char *vm,
             const char *profile, const char *interface, const char *mac)
{
    g_autofree char *prof =
        profile ? g_strdup_printf(", \"vnic_profile\": {\"id\": \"%s\"}", profile) : g_strdup("");
    g_autofree char *json = g_strdup_printf(
        "{\"id\": \"%s\", \"name\": \"%s-name\", \"vm\": {\"id\": \"%s\"}%s, \"interface\": \"%s\","
        " \"mac\": {\"address\": \"%s\"}, \"plugged\": true}",
        id, id, vm, prof, interface, mac ? mac : "56:6f:1a:2b:01:01");

    return validate(inv, action, json);
}

#define ADD_PROFILE SFO_ACTION_ADD_VNIC_PROFILE
#define UPDATE_PROFILE SFO_ACTION_UPDATE_VNIC_PROFILE
#define PT "pci_passthrough"

/* ------------------------------------------------------------------------ */
/* actions, check                                                           */
/* ------------------------------------------------------------------------ */

static void
test_rules__action_names_round_trip(void **state)
{
    int i;

    for (i = 0; i < SFO_ACTION_LAST; i++)
        assert_int_equal(sfo_action_from_string(sfo_action_to_string(i)), i);
    assert_string_equal(sfo_action_to_string(SFO_ACTION_ADD_VNIC_PROFILE), "add-vnic-profile");
    assert_string_equal(sfo_action_to_string(SFO_ACTION_PLUG_NIC), "plug-nic");
    assert_int_equal(sfo_action_from_string("migrate-vm"), SFO_ACTION_MIGRATE_VM);
    assert_null(sfo_action_to_string(SFO_ACTION_LAST));
    assert_null(sfo_action_to_string(-1));
    assert_int_equal(sfo_action_from_string("unplug-nic"), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_INVALID_ARGUMENT);
    assert_int_equal(sfo_action_from_string(NULL), SFO_EINVALID);
    assert_string_equal(sfo_rules_action_verb(SFO_RULES_CHECK), "VAR__ACTION__USE");
    assert_string_equal(sfo_rules_action_verb(SFO_ACTION_UPDATE_NIC), "VAR__ACTION__UPDATE");
    assert_string_equal(sfo_rules_action_verb(SFO_ACTION_PLUG_NIC), "VAR__ACTION__HOT_PLUG");
    /* every verb is a catalogue word, so each locale has its own */
    for (i = SFO_RULES_CHECK; i < SFO_ACTION_LAST; i++)
        assert_non_null(sfo_messages_lookup(sfo_rules_action_verb(i)));
    assert_string_equal(sfo_messages_lookup("VAR__ACTION__UPDATE"), "edit");
}

static void
test_rules__check_clean_base_is_empty(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = check(inv);

    assert_clean(v);
    assert_int_equal(sfo_violations_error_count(v), 0);
}

static void
test_rules__check_collects_every_violation(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = NULL;
    sfo_vnic_profile *p = sfo_inventory_find_vnic_profile(inv, "p-vf-spare");
    sfo_nic *nic4 = sfo_inventory_find_nic(inv, "nic4");

    /* three rules on one profile, one on a NIC: four, none stopping the others */
    p->migratable = FALSE;
    set_str(&p->failover_id, "p-pt");
    set_str(&p->qos_id, "q1");
    set_str(&nic4->mac, "56:6f:1a:2b:00:03");
    v = check(inv);
    assert_int_equal(sfo_violations_count(v), 4);
    assert_one(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID", ERR, "vnic_profile",
               "p-vf-spare");
    assert_one(v, "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH", ERR,
               "vnic_profile", "p-vf-spare");
    assert_one(v, "ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES", ERR,
               "vnic_profile", "p-vf-spare");
    /* the duplicate MAC pair once, on the later NIC */
    assert_one(v, "NETWORK_MAC_ADDRESS_IN_USE", ERR, "nic", "nic4");
}

static void
test_rules__profile_breaking_three_rules_yields_three(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = validate_profile(inv, ADD_PROFILE, "p-bad", "net-vf", TRUE, FALSE,
                                                   "p-pt", ", \"qos\": {\"id\": \"q1\"}");

    assert_int_equal(sfo_violations_count(v), 3);
    assert_one(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID", ERR, "vnic_profile",
               "p-bad");
    assert_one(v, "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH", ERR,
               "vnic_profile", "p-bad");
    assert_one(v, "ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES", ERR,
               "vnic_profile", "p-bad");
}

static void
test_rules__check_survives_dangling_references(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = NULL;

    set_str(&sfo_inventory_find_vnic_profile(inv, "p-vf")->failover_id, "p-gone");
    set_str(&sfo_inventory_find_vnic_profile(inv, "p-br")->network_id, "net-gone");
    set_str(&sfo_inventory_find_nic(inv, "nic2")->vnic_profile_id, "p-gone");
    set_str(&sfo_inventory_find_nic(inv, "nic6")->vm_id, "vm-gone");
    set_str(&sfo_inventory_find_vm(inv, "vm4")->cluster_id, "cl-gone");
    set_str(&sfo_inventory_find_vnic_profile(inv, "p-vf-spare")->network_id, NULL);
    /* the reverse indexes are keyed by the links just changed */
    assert_int_equal(sfo_inventory_index(inv), 0);
    v = check(inv);
    assert_int_equal(count_key(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID"), 1);
    assert_one(v, "ACTION_TYPE_FAILED_NETWORK_NOT_EXIST", ERR, "vnic_profile", "p-br");
    assert_one(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS", ERR, "nic", "nic2");
    assert_one(v, "ACTION_TYPE_FAILED_VM_NOT_FOUND", ERR, "nic", "nic6");
    assert_string_equal(sfo_violations_message(v, assert_one(v, "ACTION_TYPE_FAILED_VM_NOT_FOUND",
                                                             ERR, "nic", "nic6")),
                        "Cannot use interface 'net0' of VM 'vm-gone'. VM is not found.");
}

/* ------------------------------------------------------------------------ */
/* oVirt's acceptance cases (research/ovirt.md §8, items 1-13)              */
/* ------------------------------------------------------------------------ */

/* 1 */
static void
test_rules__ovirt_empty_failover_id_success(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, NULL, NULL);

    assert_clean(v);
}

/* 2 */
static void
test_rules__ovirt_failover_profile_passthrough_fail(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, "p-pt", NULL);
    size_t i = assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID", ERR,
                           "vnic_profile", "p-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add VM network interface profile 'p-new-name'. Failover must be "
                        "valid non-passthrough vNIC profile.");
}

/* 3 */
static void
test_rules__ovirt_failover_profile_external_network_fail(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, "p-ext", NULL);

    assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_NOT_SUPPORTED_WITH_EXTERNAL_NETWORK",
                ERR, "vnic_profile", "p-new");
}

/* 4 */
static void
test_rules__ovirt_failover_profile_success(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, "p-br", NULL);

    assert_no_key(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES");
    assert_clean(v);
}

/* 5 */
static void
test_rules__ovirt_profile_with_failover_not_passthrough_fail(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", FALSE, TRUE, "p-br", NULL);
    size_t i =
        assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH",
                    ERR, "vnic_profile", "p-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add VM network interface profile 'p-new-name'. Failover vNIC "
                        "profile is supported only for migratable passthrough vNIC profiles.");
}

/* 6 */
static void
test_rules__ovirt_profile_with_failover_not_migratable_fail(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, FALSE, "p-br", NULL);

    assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH", ERR,
                "vnic_profile", "p-new");
}

/* 7 */
static void
test_rules__ovirt_failover_id_pointing_to_self_fail(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, "p-new", NULL);
    size_t i = assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF",
                           ERR, "vnic_profile", "p-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add VM network interface profile 'p-new-name'. Failover vNIC "
                        "profile cannot point to itself.");
}

/* 8: p-vf is used by three VMs; keeping its failover is allowed */
static void
test_rules__ovirt_failover_did_not_change(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, UPDATE_PROFILE, "p-vf", "net-vf", TRUE, TRUE, "p-br", NULL);

    assert_no_key(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES");
    assert_clean(v);
}

/* 9 */
static void
test_rules__ovirt_failover_change_not_supported(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, UPDATE_PROFILE, "p-vf-spare", "net-vf", TRUE, TRUE, "p-br", NULL);
    size_t i = assert_only(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE", ERR, "vnic_profile",
                           "p-vf-spare");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot edit VM network interface profile 'p-vf-spare-name'. This VM "
                        "network interface profile is used by VM:  cache1. - Please remove it "
                        "from this VM and try again.");
}

/* 10 */
static void
test_rules__ovirt_no_failover_cluster_4_5_valid(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm45", "p-pt-mig", PT, NULL);

    assert_clean(v);
}

/* 11 */
static void
test_rules__ovirt_no_failover_cluster_4_6_valid(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm46", "p-pt-mig", PT, NULL);

    assert_clean(v);
}

/* 12 */
static void
test_rules__ovirt_failover_cluster_4_5_fail(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm45", "p-vf", PT, NULL);
    size_t i = assert_only(
        v,
        "ACTION_TYPE_FAILED_VM_INTERFACE_WITH_FAILOVER_IS_SUPPORTED_ONLY_IN_CLUSTER_4_6_AND_ABOVE",
        ERR, "nic", "nic-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add interface 'nic-new-name' of VM 'old-cluster-vm'. VM interface "
                        "with failover vNIC profile is supported only in cluster level >= 4.6.");
}

/* 13 */
static void
test_rules__ovirt_failover_cluster_4_6_valid(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm46", "p-vf", PT, NULL);

    assert_no_key(
        v,
        "ACTION_TYPE_FAILED_VM_INTERFACE_WITH_FAILOVER_IS_SUPPORTED_ONLY_IN_CLUSTER_4_6_AND_ABOVE");
    assert_clean(v);
}

/* ------------------------------------------------------------------------ */
/* profile state rules                                                      */
/* ------------------------------------------------------------------------ */

static void
test_rules__profile_failover_target_missing(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, "p-nope", NULL);

    /* the checks that need the target are skipped */
    assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID", ERR, "vnic_profile",
                "p-new");
}

static void
test_rules__profile_self_on_update(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = NULL;

    /* p-pt-mig is used by no VM and is nobody's failover: only rule 1 */
    v = validate_profile(inv, UPDATE_PROFILE, "p-pt-mig", "net-vf", TRUE, TRUE, "p-pt-mig", NULL);
    assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF", ERR,
                "vnic_profile", "p-pt-mig");
}

static void
test_rules__profile_failover_other_data_center(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, "p-dc2", NULL);
    size_t i = assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_NOT_IN_SAME_DATA_CENTER",
                           ERR, "vnic_profile", "p-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add VM network interface profile 'p-new-name'. Failover vNIC "
                        "profile remote-profile is in another data center.");
}

static void
test_rules__profile_passthrough_properties(void **state)
{
    const char *extras[] = {
        ", \"port_mirroring\": true",
        ", \"qos\": {\"id\": \"q1\"}",
        ", \"network_filter\": {\"id\": \"vdsm-no-mac-spoofing\"}",
    };
    g_autoptr(sfo_inventory) inv = load_base();
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(extras); i++) {
        g_autoptr(sfo_violations) v =
            validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, NULL, extras[i]);
        g_autoptr(sfo_violations) virtio =
            validate_profile(inv, ADD_PROFILE, "p-new", "net-br", FALSE, FALSE, NULL, extras[i]);

        assert_only(v, "ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES",
                    ERR, "vnic_profile", "p-new");
        /* the virtio (failover) side may have them */
        assert_clean(virtio);
    }
}

static void
test_rules__profile_network_not_exist(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-nope", FALSE, FALSE, NULL, NULL);
    g_autoptr(sfo_violations) ok =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-br", FALSE, FALSE, NULL, NULL);
    size_t i = assert_only(v, "ACTION_TYPE_FAILED_NETWORK_NOT_EXIST", ERR, "vnic_profile", "p-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add VM network interface profile 'p-new-name'. Network with id "
                        "net-nope doesn't exist.");
    assert_clean(ok);
}

/* ------------------------------------------------------------------------ */
/* profile transition rules                                                 */
/* ------------------------------------------------------------------------ */

static void
test_rules__update_of_failover_target_refused(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = NULL;
    g_autoptr(sfo_violations) ok = NULL;
    size_t i;

    /* identical to the stored p-br, still refused */
    v = validate(inv, UPDATE_PROFILE,
                 "{\"id\": \"p-br\", \"name\": \"failover-br\", \"network\": {\"id\": \"net-br\"},"
                 " \"pass_through\": {\"mode\": \"disabled\"}}");
    i = assert_only(v, "ACTION_TYPE_FAILED_UPDATE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED", ERR,
                    "vnic_profile", "p-br");
    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot edit VM network interface profile 'failover-br'. Profile is "
                        "selected as failover for: vf-failover.");
    /* p-jumbo is the failover of p-vf-jumbo; p-ext is nobody's */
    ok = validate_profile(inv, UPDATE_PROFILE, "p-ext", "net-ext", FALSE, FALSE, NULL, NULL);
    assert_clean(ok);
}

static void
test_rules__failover_users_list_is_capped(void **state)
{
    g_autoptr(GString) json = g_string_new(NULL);
    g_autoptr(sfo_inventory) inv = NULL;
    g_autoptr(sfo_violations) v = NULL;
    const sfo_violation *viol;
    int i;

    g_string_append(json, "{\"data_centers\": [{\"id\": \"dc\", \"name\": \"dc\"}],"
                          " \"networks\": [{\"id\": \"n\", \"name\": \"n\","
                          " \"data_center\": {\"id\": \"dc\"}}],"
                          " \"vnic_profiles\": [{\"id\": \"t\", \"name\": \"target\","
                          " \"network\": {\"id\": \"n\"}}");
    for (i = 7; i >= 1; i--)
        g_string_append_printf(json,
                               ", {\"id\": \"u%d\", \"name\": \"user%d\","
                               " \"network\": {\"id\": \"n\"}, \"pass_through\":"
                               " {\"mode\": \"enabled\"}, \"migratable\": true,"
                               " \"failover\": {\"id\": \"t\"}}",
                               i, i);
    g_string_append(json, "]}");
    assert_int_equal(sfo_inventory_load_string(json->str, 0, &inv), 0);

    v = validate(inv, SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"t\"}");
    i = (int)assert_only(v, "ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED", ERR,
                         "vnic_profile", "t");
    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot remove VM network interface profile 'target'. Profile is "
                        "selected as failover for: user1, user2, user3, user4, user5, ....");
    viol = g_ptr_array_index(v->items, i);
    assert_string_equal(g_ptr_array_index(viol->args, viol->args->len - 2),
                        "ENTITIES_USING_FAILOVER_COUNTER");
    assert_string_equal(g_ptr_array_index(viol->args, viol->args->len - 1), "7");
}

static void
test_rules__join_names(void **state)
{
    g_autoptr(GPtrArray) few = g_ptr_array_new();
    g_autoptr(GPtrArray) six = g_ptr_array_new();
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    const char *names[] = { "f", "e", "d", "c", "b", "a" };
    size_t i;

    g_ptr_array_add(few, (gpointer) "web1");
    g_ptr_array_add(few, (gpointer) "db1");
    for (i = 0; i < G_N_ELEMENTS(names); i++)
        g_ptr_array_add(six, (gpointer)names[i]);
    a = sfo_rules_join_names(few, SFO_RULES_MAX_NAMES);
    b = sfo_rules_join_names(six, SFO_RULES_MAX_NAMES);
    assert_string_equal(a, "db1, web1");
    assert_string_equal(b, "a, b, c, d, e, ...");
}

static void
test_rules__update_failover_used_by_many_vms(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, UPDATE_PROFILE, "p-vf", "net-vf", TRUE, TRUE, "p-br2", NULL);
    size_t i =
        assert_only(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES", ERR, "vnic_profile", "p-vf");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot edit VM network interface profile 'p-vf-name'. This VM network "
                        "interface profile is used by VMs (3): db1, legacy-app, web1 - Please "
                        "detach VMs using this profile and try again.");
}

static void
test_rules__update_failover_removed_while_used(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, UPDATE_PROFILE, "p-vf-spare", "net-vf", TRUE, TRUE, NULL, NULL);
    g_autoptr(sfo_violations) unused =
        validate_profile(inv, UPDATE_PROFILE, "p-vf-jumbo", "net-vf", TRUE, TRUE, "p-br", NULL);

    /* NULL-aware: clearing the failover is a change */
    assert_only(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE", ERR, "vnic_profile", "p-vf-spare");
    /* a profile no VM uses may change its failover */
    assert_clean(unused);
}

static void
test_rules__update_passthrough_or_mirroring_while_used(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) pt =
        validate_profile(inv, UPDATE_PROFILE, "p-pt", "net-vf", FALSE, FALSE, NULL, NULL);
    g_autoptr(sfo_violations) pm = validate(
        inv, UPDATE_PROFILE,
        "{\"id\": \"p-virtio\", \"name\": \"vm-br-plain\", \"network\": {\"id\": \"net-br\"},"
        " \"port_mirroring\": false, \"qos\": {\"id\": \"q1\"}}");
    g_autoptr(sfo_violations) same =
        validate(inv, UPDATE_PROFILE,
                 "{\"id\": \"p-virtio\", \"name\": \"renamed\", \"network\": {\"id\": \"net-br\"},"
                 " \"port_mirroring\": true}");
    size_t i;

    assert_only(pt, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE", ERR, "vnic_profile", "p-pt");
    i = assert_only(pm, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES", ERR, "vnic_profile",
                    "p-virtio");
    /* distinct VMs: vm1, vm2, vm45, vm-i440 */
    assert_non_null(strstr(sfo_violations_message(pm, i), "used by VMs (4): db1, old-cluster-vm, "
                                                          "pc-vm, web1"));
    assert_clean(same);
}

static void
test_rules__remove_failover_target_refused(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate(inv, SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"p-br\"}");
    g_autoptr(sfo_violations) ok =
        validate(inv, SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"p-ext\"}");
    size_t i = assert_only(v, "ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED", ERR,
                           "vnic_profile", "p-br");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot remove VM network interface profile 'failover-br'. Profile is "
                        "selected as failover for: vf-failover.");
    assert_clean(ok);
}

static void
test_rules__remove_used_profile_refused(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) one =
        validate(inv, SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"p-pt\"}");
    g_autoptr(sfo_violations) many =
        validate(inv, SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"p-virtio\"}");
    size_t i =
        assert_only(one, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE", ERR, "vnic_profile", "p-pt");

    assert_string_equal(sfo_violations_message(one, i),
                        "Cannot remove VM network interface profile 'vf-plain'. This VM network "
                        "interface profile is used by VM:  legacy-app. - Please remove it from "
                        "this VM and try again.");
    assert_only(many, "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES", ERR, "vnic_profile",
                "p-virtio");
}

static void
test_rules__unknown_profile_on_update_and_remove(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) upd =
        validate_profile(inv, UPDATE_PROFILE, "p-nope", "net-br", FALSE, FALSE, NULL, NULL);
    g_autoptr(sfo_violations) rm =
        validate(inv, SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"p-nope\"}");
    size_t i;

    assert_only(upd, "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS", ERR, "vnic_profile", "p-nope");
    i = assert_only(rm, "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS", ERR, "vnic_profile",
                    "p-nope");
    assert_string_equal(sfo_violations_message(rm, i),
                        "Cannot remove VM network interface profile 'p-nope'. The specified VM "
                        "network interface profile doesn't exist.");
}

/* ------------------------------------------------------------------------ */
/* NIC rules                                                                */
/* ------------------------------------------------------------------------ */

static void
test_rules__nic_unknown_vm_profile_and_nic(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) vm =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-nope", NULL, "virtio", NULL);
    g_autoptr(sfo_violations) prof =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-nope", "virtio", NULL);
    g_autoptr(sfo_violations) upd =
        validate_nic(inv, SFO_ACTION_UPDATE_NIC, "nic-nope", "vm-empty", NULL, "virtio", NULL);
    g_autoptr(sfo_violations) ok = validate_nic(inv, SFO_ACTION_UPDATE_NIC, "nic2", "vm1",
                                                "p-virtio", "virtio", "56:6f:1a:2b:00:02");
    size_t i;

    i = assert_only(vm, "ACTION_TYPE_FAILED_VM_NOT_FOUND", ERR, "nic", "nic-new");
    assert_string_equal(sfo_violations_message(vm, i),
                        "Cannot add interface 'nic-new-name' of VM 'vm-nope'. VM is not found.");
    assert_only(prof, "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS", ERR, "nic", "nic-new");
    i = assert_only(upd, "VM_INTERFACE_NOT_EXIST", ERR, "nic", "nic-nope");
    assert_string_equal(sfo_violations_message(upd, i),
                        "Cannot edit interface 'nic-nope-name' of VM 'empty'. The VM Network "
                        "Interface does not exist.");
    /* an update keeping its own MAC does not clash with itself */
    assert_clean(ok);
}

static void
test_rules__nic_type_must_match_profile(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) virtio_on_pt =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-pt-mig", "virtio", NULL);
    g_autoptr(sfo_violations) pt_on_virtio =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-br", PT, NULL);
    g_autoptr(sfo_violations) no_profile =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", NULL, PT, NULL);
    g_autoptr(sfo_violations) e1000 =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-br", "e1000", NULL);

    assert_only(virtio_on_pt, "ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE", ERR, "nic",
                "nic-new");
    assert_only(pt_on_virtio, "ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE", ERR, "nic",
                "nic-new");
    assert_clean(no_profile);
    assert_clean(e1000);
}

static void
test_rules__nic_mac_in_use(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", NULL,
                                               "virtio", "56:6F:1A:2B:00:01");
    g_autoptr(sfo_violations) ok = validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty",
                                                NULL, "virtio", "56:6f:1a:2b:00:ff");
    size_t i = assert_only(v, "NETWORK_MAC_ADDRESS_IN_USE", ERR, "nic", "nic-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "MAC Address 56:6f:1a:2b:00:01 is already in use by VM or snapshot: "
                        "web1.");
    assert_clean(ok);
}

static void
test_rules__nic_failover_profile_shared_in_vm(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm1", "p-vf", PT, NULL);
    g_autoptr(sfo_violations) other_failover =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm1", "p-vf-spare", PT, NULL);
    g_autoptr(sfo_violations) other_vm =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-vf", PT, NULL);
    size_t i =
        assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE", ERR,
                    "nic", "nic-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add interface 'nic-new-name' of VM 'web1'. Failover vNIC profile "
                        "failover-br is already used by interface vf0 of the same VM; two "
                        "interfaces of one VM cannot share a failover vNIC profile.");
    assert_clean(other_failover);
    assert_clean(other_vm);
}

static void
test_rules__nic_failover_profile_shared_reported_once(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) chk = NULL;
    g_autoptr(sfo_violations) run = NULL;
    g_autoptr(sfo_violations) plug = NULL;
    sfo_nic *nic2 = sfo_inventory_find_nic(inv, "nic2");

    /* vm1: nic1 and nic2 both on p-vf, so both standbys would be ua-p-br */
    set_str(&nic2->vnic_profile_id, "p-vf");
    nic2->interface = SFO_NIC_INTERFACE_PCI_PASSTHROUGH;
    chk = check(inv);
    assert_only(chk, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE", ERR,
                "nic", "nic2");
    run = validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm1\"}");
    assert_only(run, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE", ERR,
                "nic", "nic2");

    /* vm3: nic10 (unplugged) shares with nic5 once nic5 is on p-vf too */
    set_str(&sfo_inventory_find_nic(inv, "nic5")->vnic_profile_id, "p-vf");
    plug = validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm3\"}");
    assert_only(plug, "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE", ERR,
                "nic", "nic5");
}

static void
test_rules__nic_failover_network_not_in_cluster(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-vfonly", "p-vf", PT, NULL);
    g_autoptr(sfo_violations) ok =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-vf", PT, NULL);
    size_t i = assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_NOT_ATTACHED_TO_CLUSTER", ERR,
                           "nic", "nic-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add interface 'nic-new-name' of VM 'vfonly-vm'. The failover "
                        "network vm-br is not attached to cluster No-bridge.");
    assert_clean(ok);
}

static void
test_rules__nic_failover_vlan_mismatch(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-vf-v200", PT, NULL);
    g_autoptr(sfo_violations) untagged =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-vf-untagged", PT, NULL);
    size_t i =
        assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_VLAN_MISMATCH", ERR, "nic", "nic-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add interface 'nic-new-name' of VM 'empty'. The passthrough "
                        "network sriov-vf (VLAN 100) and the failover network vlan200 (VLAN 200) "
                        "must be on the same VLAN.");
    i = assert_only(untagged, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_VLAN_MISMATCH", ERR, "nic",
                    "nic-new");
    assert_non_null(
        strstr(sfo_violations_message(untagged, i), "the failover network untagged (VLAN none)"));
}

static void
test_rules__nic_failover_mtu_mismatch_warns(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-vf-jumbo", PT, NULL);
    size_t i = assert_only(v, "WARNING_FAILOVER_NETWORK_MTU_MISMATCH", WARN, "nic", "nic-new");

    assert_int_equal(sfo_violations_error_count(v), 0);
    assert_string_equal(sfo_violations_message(v, i),
                        "The passthrough network sriov-vf (MTU 1500) and the failover network "
                        "jumbo (MTU 9000) of interface 'nic-new-name' of VM 'empty' differ in "
                        "MTU; traffic may be dropped after a failover.");
}

static void
test_rules__nic_failover_mtu_default_is_1500(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = NULL;

    /* an explicit 1500 equals the default */
    sfo_inventory_find_network(inv, "net-jumbo")->mtu = 1500;
    v = validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-empty", "p-vf-jumbo", PT, NULL);
    assert_clean(v);
}

static void
test_rules__nic_failover_guest_os(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-win7", "p-vf", PT, NULL);
    g_autoptr(sfo_violations) no_failover =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-win7", "p-pt-mig", PT, NULL);
    size_t i = assert_only(v, "WARNING_FAILOVER_GUEST_OS_NOT_SUPPORTED", WARN, "nic", "nic-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "interface 'nic-new-name' of VM 'old-windows' uses a failover vNIC "
                        "profile, but guest OS type windows_7x64 has no failover driver (needs "
                        "RHEL/CentOS 8 or later, Linux kernel 4.18 or later, or Windows with "
                        "virtio-win 0.1.189 or later).");
    assert_clean(no_failover);
    assert_true(sfo_rules_guest_os_supports_failover("rhel_8x64"));
    assert_true(sfo_rules_guest_os_supports_failover("windows_2022"));
    assert_true(sfo_rules_guest_os_supports_failover("debian_10"));
    assert_false(sfo_rules_guest_os_supports_failover("rhel_7x64"));
    assert_false(sfo_rules_guest_os_supports_failover("other_linux"));
    assert_false(sfo_rules_guest_os_supports_failover(NULL));
}

static void
test_rules__nic_failover_requires_q35(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-i440", "p-vf", PT, NULL);
    g_autoptr(sfo_violations) own_q35 =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-i440-q35", "p-vf", PT, NULL);
    g_autoptr(sfo_violations) no_failover =
        validate_nic(inv, SFO_ACTION_ADD_NIC, "nic-new", "vm-i440", "p-pt-mig", PT, NULL);
    size_t i =
        assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_REQUIRES_PCIE_MACHINE", ERR, "nic", "nic-new");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot add interface 'nic-new-name' of VM 'pc-vm'. Failover needs a Q35 "
                        "(PCI Express) chipset to hot-unplug the VF, but the VM's chipset is "
                        "i440fx_sea_bios.");
    /* the VM's own bios type wins over its cluster's */
    assert_no_key(own_q35, "ACTION_TYPE_FAILED_FAILOVER_REQUIRES_PCIE_MACHINE");
    assert_clean(own_q35);
    assert_clean(no_failover);
}

static void
test_rules__check_reports_nic_state_rules(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = NULL;
    sfo_nic *nic6 = sfo_inventory_find_nic(inv, "nic6");

    /* the virtio NIC of a 4.5 VM becomes a failover VF: check sees it (a state rule) */
    set_str(&nic6->vnic_profile_id, "p-vf");
    nic6->interface = SFO_NIC_INTERFACE_PCI_PASSTHROUGH;
    v = check(inv);
    assert_only(
        v,
        "ACTION_TYPE_FAILED_VM_INTERFACE_WITH_FAILOVER_IS_SUPPORTED_ONLY_IN_CLUSTER_4_6_AND_ABOVE",
        ERR, "nic", "nic6");
    assert_string_equal(sfo_violations_message(v, 0),
                        "Cannot use interface 'net0' of VM 'old-cluster-vm'. VM interface with "
                        "failover vNIC profile is supported only in cluster level >= 4.6.");
}

/* ------------------------------------------------------------------------ */
/* hot plug, run, migrate                                                   */
/* ------------------------------------------------------------------------ */

static void
test_rules__plug_checks_the_running_host(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) ok = NULL;
    g_autoptr(sfo_violations) v = NULL;
    g_autoptr(sfo_violations) unknown = NULL;
    size_t i;

    /* nic10 (vf1 of vm3 on host1) */
    ok = validate_nic(inv, SFO_ACTION_PLUG_NIC, "nic10", "vm3", "p-vf", PT, "56:6f:1a:2b:00:0a");
    assert_clean(ok);
    set_str(&sfo_inventory_find_vm(inv, "vm3")->host_id, "host3");
    v = validate_nic(inv, SFO_ACTION_PLUG_NIC, "nic10", "vm3", "p-vf", PT, "56:6f:1a:2b:00:0a");
    i = assert_only(v, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_MISSING_ON_HOST", ERR, "nic", "nic10");
    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot hot plug interface 'nic10-name' of VM 'legacy-app'. Host host3 "
                        "lacks the network(s) vm-br that the interface needs.");
    unknown = validate_nic(inv, SFO_ACTION_PLUG_NIC, "nic-nope", "vm-empty", NULL, "virtio", NULL);
    assert_only(unknown, "VM_INTERFACE_NOT_EXIST", ERR, "nic", "nic-nope");
}

static void
test_rules__run_vm(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) ok = validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm1\"}");
    g_autoptr(sfo_violations) no_vf_net =
        validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm1\", \"host\": {\"id\": \"host4\"}}");
    g_autoptr(sfo_violations) no_host =
        validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm2\", \"host\": {\"id\": \"h-nope\"}}");
    g_autoptr(sfo_violations) no_vm = validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm-nope\"}");
    size_t i;

    assert_clean(ok);
    i = assert_only(no_vf_net, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_MISSING_ON_HOST", ERR, "nic",
                    "nic1");
    assert_non_null(
        strstr(sfo_violations_message(no_vf_net, i), "Host host4 lacks the network(s) sriov-vf "));
    i = assert_only(no_host, "ACTION_TYPE_FAILED_HOST_NOT_EXIST", ERR, "vm", "vm2");
    assert_string_equal(sfo_violations_message(no_host, i), "The selected Host does not exist.");
    i = assert_only(no_vm, "ACTION_TYPE_FAILED_VM_NOT_FOUND", ERR, "vm", "vm-nope");
    assert_string_equal(sfo_violations_message(no_vm, i),
                        "Cannot run VM 'vm-nope'. VM is not found.");
}

static void
test_rules__run_vm_checks_only_plugged_nics(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = NULL;
    g_autoptr(sfo_violations) unplugged = NULL;
    sfo_nic *nic6 = sfo_inventory_find_nic(inv, "nic6");

    /* rule 7 also at run (oVirt checks it only on add/update) */
    set_str(&nic6->vnic_profile_id, "p-vf");
    nic6->interface = SFO_NIC_INTERFACE_PCI_PASSTHROUGH;
    v = validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm45\"}");
    assert_only(
        v,
        "ACTION_TYPE_FAILED_VM_INTERFACE_WITH_FAILOVER_IS_SUPPORTED_ONLY_IN_CLUSTER_4_6_AND_ABOVE",
        ERR, "nic", "nic6");
    nic6->plugged = FALSE;
    unplugged = validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm45\"}");
    assert_clean(unplugged);
}

static void
test_rules__migrate_vm(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) ok = validate(
        inv, SFO_ACTION_MIGRATE_VM, "{\"vm\": {\"id\": \"vm1\"}, \"host\": {\"id\": \"host2\"}}");
    g_autoptr(sfo_violations) no_bridge = validate(
        inv, SFO_ACTION_MIGRATE_VM, "{\"vm\": {\"id\": \"vm1\"}, \"host\": {\"id\": \"host3\"}}");
    g_autoptr(sfo_violations) no_host = validate(
        inv, SFO_ACTION_MIGRATE_VM, "{\"vm\": {\"id\": \"vm1\"}, \"host\": {\"id\": \"h-nope\"}}");
    size_t i;

    assert_clean(ok);
    i = assert_only(no_bridge, "ACTION_TYPE_FAILED_FAILOVER_NETWORK_MISSING_ON_HOST", ERR, "nic",
                    "nic1");
    assert_string_equal(sfo_violations_message(no_bridge, i),
                        "Cannot migrate interface 'vf0' of VM 'web1'. Host host3 lacks the "
                        "network(s) vm-br that the interface needs.");
    assert_only(no_host, "ACTION_TYPE_FAILED_HOST_NOT_EXIST", ERR, "vm", "vm1");
}

static void
test_rules__migrate_non_migratable_passthrough(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v = validate(
        inv, SFO_ACTION_MIGRATE_VM, "{\"vm\": {\"id\": \"vm3\"}, \"host\": {\"id\": \"host2\"}}");
    g_autoptr(sfo_violations) unplugged = NULL;
    size_t i = assert_only(
        v, "ACTION_TYPE_FAILED_MIGRATION_OF_NON_MIGRATABLE_PASSTHROUGH_VNICS_IS_NOT_SUPPORTED", ERR,
        "vm", "vm3");

    assert_string_equal(sfo_violations_message(v, i),
                        "Cannot migrate VM 'legacy-app'. Migration is not supported for VMs "
                        "containing 'non migratable' 'passthrough' VM Network Interfaces (VM: "
                        "legacy-app, problematic interfaces: vf-legacy). You can mark VM Network "
                        "Interfaces as migratable or unplug it to be able to migrate.");
    sfo_inventory_find_nic(inv, "nic5")->plugged = FALSE;
    unplugged = validate(inv, SFO_ACTION_MIGRATE_VM,
                         "{\"vm\": {\"id\": \"vm3\"}, \"host\": {\"id\": \"host2\"}}");
    assert_clean(unplugged);
}

/* ------------------------------------------------------------------------ */
/* bad input                                                                */
/* ------------------------------------------------------------------------ */

static void
expect_invalid(const sfo_inventory *inv, int action, const char *json, const char *key)
{
    sfo_violations *v = NULL;

    assert_int_equal(sfo_rules_validate(inv, action, json, 0, &v), SFO_EINVALID);
    assert_null(v);
    assert_string_equal(sfo_error_last()->key, key);
}

static void
test_rules__validate_rejects_malformed_objects(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    sfo_violations *v = NULL;

    expect_invalid(inv, SFO_ACTION_ADD_NIC, "{", SFO_KEY_INVENTORY_SYNTAX_ERROR);
    expect_invalid(inv, SFO_ACTION_REMOVE_VNIC_PROFILE, "{}", SFO_KEY_INVENTORY_MISSING_FIELD);
    expect_invalid(inv, SFO_ACTION_RUN_VM, "{\"id\": 7}", SFO_KEY_INVENTORY_WRONG_TYPE);
    expect_invalid(inv, SFO_ACTION_RUN_VM, "[]", SFO_KEY_INVENTORY_WRONG_TYPE);
    expect_invalid(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm1\", \"host\": \"host1\"}",
                   SFO_KEY_INVENTORY_WRONG_TYPE);
    expect_invalid(inv, SFO_ACTION_MIGRATE_VM, "{\"vm\": {\"id\": \"vm1\"}}",
                   SFO_KEY_INVENTORY_MISSING_FIELD);
    assert_non_null(strstr(sfo_error_last()->message, "host.id"));
    expect_invalid(inv, SFO_ACTION_ADD_NIC,
                   "{\"id\": \"n\", \"name\": \"n\", \"vm\": {\"id\": \"vm1\"}}",
                   SFO_KEY_INVENTORY_MISSING_FIELD);
    expect_invalid(inv, ADD_PROFILE, "{\"id\": \"p\", \"name\": \"p\"}",
                   SFO_KEY_INVENTORY_MISSING_FIELD);
    expect_invalid(inv, SFO_ACTION_LAST, "{}", SFO_KEY_INVALID_ARGUMENT);
    assert_int_equal(sfo_rules_validate(inv, SFO_ACTION_RUN_VM, "{\"id\": \"vm1\"}", 1, &v),
                     SFO_EINVALID);
    assert_int_equal(sfo_rules_validate(inv, SFO_ACTION_RUN_VM, NULL, 0, &v), SFO_EINVALID);
    assert_int_equal(sfo_rules_check(NULL, 0, &v), SFO_EINVALID);
    assert_int_equal(sfo_rules_check(inv, 2, &v), SFO_EINVALID);
    assert_null(v);
}

static void
test_rules__violations_json_carries_args(void **state)
{
    g_autoptr(sfo_inventory) inv = load_base();
    g_autoptr(sfo_violations) v =
        validate_profile(inv, ADD_PROFILE, "p-new", "net-vf", TRUE, TRUE, "p-dc2", NULL);
    g_autofree char *json = NULL;

    assert_int_equal(sfo_violations_format_json(v, 0, &json), 0);
    /* the words are catalogue keys, the name is data: a front end renders them per locale */
    assert_non_null(strstr(json, "\"action\":\"VAR__ACTION__ADD\""));
    assert_non_null(strstr(json, "\"type\":\"VAR__TYPE__VNIC_PROFILE\""));
    assert_non_null(strstr(json, "\"typeName\":\"p-new-name\""));
    assert_non_null(strstr(json, "Cannot add VM network interface profile 'p-new-name'."));
    assert_non_null(strstr(json, "\"FailoverProfileName\":\"remote-profile\""));
    assert_non_null(strstr(json, "\"subject\":{\"type\":\"vnic_profile\",\"id\":\"p-new\"}"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules__action_names_round_trip),
        cmocka_unit_test(test_rules__check_clean_base_is_empty),
        cmocka_unit_test(test_rules__check_collects_every_violation),
        cmocka_unit_test(test_rules__profile_breaking_three_rules_yields_three),
        cmocka_unit_test(test_rules__check_survives_dangling_references),
        cmocka_unit_test(test_rules__ovirt_empty_failover_id_success),
        cmocka_unit_test(test_rules__ovirt_failover_profile_passthrough_fail),
        cmocka_unit_test(test_rules__ovirt_failover_profile_external_network_fail),
        cmocka_unit_test(test_rules__ovirt_failover_profile_success),
        cmocka_unit_test(test_rules__ovirt_profile_with_failover_not_passthrough_fail),
        cmocka_unit_test(test_rules__ovirt_profile_with_failover_not_migratable_fail),
        cmocka_unit_test(test_rules__ovirt_failover_id_pointing_to_self_fail),
        cmocka_unit_test(test_rules__ovirt_failover_did_not_change),
        cmocka_unit_test(test_rules__ovirt_failover_change_not_supported),
        cmocka_unit_test(test_rules__ovirt_no_failover_cluster_4_5_valid),
        cmocka_unit_test(test_rules__ovirt_no_failover_cluster_4_6_valid),
        cmocka_unit_test(test_rules__ovirt_failover_cluster_4_5_fail),
        cmocka_unit_test(test_rules__ovirt_failover_cluster_4_6_valid),
        cmocka_unit_test(test_rules__profile_failover_target_missing),
        cmocka_unit_test(test_rules__profile_self_on_update),
        cmocka_unit_test(test_rules__profile_failover_other_data_center),
        cmocka_unit_test(test_rules__profile_passthrough_properties),
        cmocka_unit_test(test_rules__profile_network_not_exist),
        cmocka_unit_test(test_rules__update_of_failover_target_refused),
        cmocka_unit_test(test_rules__failover_users_list_is_capped),
        cmocka_unit_test(test_rules__join_names),
        cmocka_unit_test(test_rules__update_failover_used_by_many_vms),
        cmocka_unit_test(test_rules__update_failover_removed_while_used),
        cmocka_unit_test(test_rules__update_passthrough_or_mirroring_while_used),
        cmocka_unit_test(test_rules__remove_failover_target_refused),
        cmocka_unit_test(test_rules__remove_used_profile_refused),
        cmocka_unit_test(test_rules__unknown_profile_on_update_and_remove),
        cmocka_unit_test(test_rules__nic_unknown_vm_profile_and_nic),
        cmocka_unit_test(test_rules__nic_type_must_match_profile),
        cmocka_unit_test(test_rules__nic_mac_in_use),
        cmocka_unit_test(test_rules__nic_failover_profile_shared_in_vm),
        cmocka_unit_test(test_rules__nic_failover_profile_shared_reported_once),
        cmocka_unit_test(test_rules__nic_failover_network_not_in_cluster),
        cmocka_unit_test(test_rules__nic_failover_vlan_mismatch),
        cmocka_unit_test(test_rules__nic_failover_mtu_mismatch_warns),
        cmocka_unit_test(test_rules__nic_failover_mtu_default_is_1500),
        cmocka_unit_test(test_rules__nic_failover_guest_os),
        cmocka_unit_test(test_rules__nic_failover_requires_q35),
        cmocka_unit_test(test_rules__check_reports_nic_state_rules),
        cmocka_unit_test(test_rules__plug_checks_the_running_host),
        cmocka_unit_test(test_rules__run_vm),
        cmocka_unit_test(test_rules__run_vm_checks_only_plugged_nics),
        cmocka_unit_test(test_rules__migrate_vm),
        cmocka_unit_test(test_rules__migrate_non_migratable_passthrough),
        cmocka_unit_test(test_rules__validate_rejects_malformed_objects),
        cmocka_unit_test(test_rules__violations_json_carries_args),
    };

    return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
