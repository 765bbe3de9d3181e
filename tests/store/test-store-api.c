/*
 * test-store-api.c: what front ends read and write through the store, against a real PostgreSQL
 *
 * The calls the REST engine and the CLI build on (docs/store.md): get and list
 * in inventory format, the VM counts of profiles, merge updates, the unique
 * profile name per network, MAC allocation, users and tokens, and the
 * failover candidates of a profile. A throw-away cluster (store-test.c), a
 * new database per test holding examples/inventory.json.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "store-test.h"
#include "../unit/sfo-test.h"

/* ids of examples/inventory.json */
#define DC "b7c12721-fed1-49d9-847d-a601d4a7e227"
#define WEB1 "95edeee5-777a-4224-b25c-eebddcdf333f"
#define NET_VF "1fe46092-0f45-4bae-a0c7-82ebd06d4a71"
#define P_SRIOV_FAILOVER "5e60bdfc-920b-4a2c-84d4-517b497fa354"
#define P_SRIOV_PLAIN "66ae506a-0941-4e8a-9a68-3384d4976b07"
#define NIC_WEB1_VF "90886d6b-ccd6-412b-8621-d7cf84b048d0"
#define HOST1 "da7aad9e-74dc-4e2c-b5b2-0b2861d6cd01"
#define DB1 "6e94a27e-17f5-4822-a1d7-882a637080ad"
#define NET_BRIDGE "67b523b5-4e09-43c6-9807-ee04654a4a5e"
#define P_VIRTIO_FAILOVER "9819b960-fe29-44f5-9ffc-cd8624bdea69"
#define P_VM_BRIDGE "d467bfe4-bad1-4ab5-988f-f731c07d6485"
#define NIC_WEB1_VIRTIO "f94c2429-9faa-4b53-b5f5-097e7bdcb513"
#define UNKNOWN "00000000-0000-4000-8000-000000000000"

/* a new profile on the VF network whose failover is the example's virtio profile */
#define FAILOVER_PROFILE(id, name) \
    "{\"id\": \"" id "\", \"name\": \"" name "\", \"network\": {\"id\": \"" NET_VF "\"}, " \
    "\"pass_through\": {\"mode\": \"enabled\"}, \"migratable\": true, " \
    "\"failover\": {\"id\": \"" P_VIRTIO_FAILOVER "\"}}"

static sfo_inventory *
load_example(void)
{
    return sfo_store_test_load_example("inventory.json");
}

/* A new database holding examples/inventory.json */
static sfo_store *
open_example(void)
{
    sfo_store *store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = load_example();

    if (sfo_store_import(store, inv, 0, NULL) < 0)
        fail_msg("import: %s", sfo_error_last()->message);
    return store;
}

/* The inventory's collection @kind as the library writes it (an export gives the same) */
static json_object *
example_collection(const char *kind)
{
    g_autoptr(sfo_inventory) inv = load_example();
    g_autofree char *text = NULL;
    g_autoptr(json_object) root = NULL;
    json_object *coll = NULL;

    assert_int_equal(sfo_inventory_format(inv, 0, &text), 0);
    assert_int_equal(sfo_json_parse(text, "example", &root), 0);
    assert_true(json_object_object_get_ex(root, kind, &coll));
    return json_object_get(coll);
}

static json_object *
parse(const char *text)
{
    json_object *obj = NULL;

    assert_int_equal(sfo_json_parse(text, "result", &obj), 0);
    return obj;
}

/* ------------------------------------------------------------------------ */
/* reads                                                                    */
/* ------------------------------------------------------------------------ */

static const char *const kinds[] = {
    "data_centers", "clusters", "networks", "vnic_profiles", "vms", "nics", "hosts",
};
static const char *const not_found_keys[] = {
    SFO_KEY_DATA_CENTER_NOT_FOUND,  SFO_KEY_CLUSTER_NOT_FOUND, SFO_KEY_NETWORK_NOT_FOUND,
    SFO_KEY_VNIC_PROFILE_NOT_FOUND, SFO_KEY_VM_NOT_FOUND,      SFO_KEY_NIC_NOT_FOUND,
    SFO_KEY_HOST_NOT_FOUND,
};

static void
test_store_api__get_and_list_every_kind(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    size_t k;

    for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
        g_autoptr(json_object) expected = example_collection(kinds[k]);
        g_autoptr(json_object) listed = NULL;
        g_autofree char *text = NULL;
        size_t i;

        assert_int_equal(sfo_store_list(store, kinds[k], NULL, NULL, -1, 0, &text), 0);
        listed = parse(text);
        assert_true(json_object_equal(listed, expected));
        for (i = 0; i < json_object_array_length(expected); i++) {
            json_object *obj = json_object_array_get_idx(expected, i);
            json_object *id = json_object_object_get(obj, "id");
            g_autofree char *one = NULL;
            g_autoptr(json_object) got = NULL;

            assert_int_equal(sfo_store_get(store, kinds[k], json_object_get_string(id), 0, &one),
                             0);
            got = parse(one);
            assert_true(json_object_equal(got, obj));
        }
        assert_int_equal(sfo_store_get(store, kinds[k], UNKNOWN, 0, &text), SFO_ENOTFOUND);
        sfo_store_test_assert_error(SFO_ENOTFOUND, not_found_keys[k]);
    }
}

static void
test_store_api__list_filters(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *c = NULL;
    g_autofree char *d = NULL;
    g_autoptr(json_object) by_name = NULL;
    g_autoptr(json_object) by_vm = NULL;
    g_autoptr(json_object) limited = NULL;
    g_autoptr(json_object) none = NULL;
    size_t i;

    assert_int_equal(sfo_store_list(store, "vnic_profiles", "sriov-plain", NULL, -1, 0, &a), 0);
    by_name = parse(a);
    assert_int_equal(json_object_array_length(by_name), 1);
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_array_get_idx(by_name, 0), "id")),
        P_SRIOV_PLAIN);

    assert_int_equal(sfo_store_list(store, "nics", NULL, WEB1, -1, 0, &b), 0);
    by_vm = parse(b);
    assert_int_equal(json_object_array_length(by_vm), 2);
    for (i = 0; i < 2; i++) {
        json_object *vm = json_object_object_get(json_object_array_get_idx(by_vm, i), "vm");

        assert_string_equal(json_object_get_string(json_object_object_get(vm, "id")), WEB1);
    }

    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NET_VF, 1, 0, &c), 0);
    limited = parse(c);
    assert_int_equal(json_object_array_length(limited), 1);

    assert_int_equal(sfo_store_list(store, "nics", "no-such-name", NULL, -1, 0, &d), 0);
    none = parse(d);
    assert_int_equal(json_object_array_length(none), 0);

    /* no parent, a parent that is not an id, a kind that is not one, a negative limit */
    assert_int_equal(sfo_store_list(store, "data_centers", NULL, DC, -1, 0, &d), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT);
    assert_int_equal(sfo_store_list(store, "nics", NULL, "x' OR '1'='1", -1, 0, &d), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE);
    assert_int_equal(sfo_store_list(store, "profiles", NULL, NULL, -1, 0, &d), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT);
    assert_int_equal(sfo_store_get(store, "nics", "a b", 0, &d), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE);
    assert_int_equal(sfo_store_list(store, "nics", NULL, NULL, -2, 0, &d), SFO_EINVALID);
}

/* @text, a list of @kind, is byte for byte what the gets of its objects write, in order */
static void
assert_text_is_gets(sfo_store *store, const char *kind, const char *text)
{
    g_autoptr(json_object) listed = parse(text);
    g_autoptr(json_object) expected = json_object_new_array();
    size_t i;

    for (i = 0; i < json_object_array_length(listed); i++) {
        json_object *id = json_object_object_get(json_object_array_get_idx(listed, i), "id");
        g_autofree char *one = NULL;

        assert_int_equal(sfo_store_get(store, kind, json_object_get_string(id), 0, &one), 0);
        json_object_array_add(expected, parse(one));
    }
    assert_string_equal(text,
                        json_object_to_json_string_ext(
                            expected, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
add_profile(sfo_store *store, const char *json)
{
    if (sfo_store_add_vnic_profile(store, json, 0, NULL, NULL) < 0)
        fail_msg("add %s: %s", json, sfo_error_last()->message);
}

/*
 * Every field set (on one profile or another), references left out, names
 * that JSON must escape (a name holds no control character) or that are not
 * ASCII
 */
#define NAME_ESCAPED "q\\\"uote \\\\back/slash\\\\/ end"
#define NAME_UNICODE "r\u00e9seau \u7f51\u7edc \U0001F600"

static void
test_store_api__list_profiles_text(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autofree char *all = NULL;
    g_autofree char *by_name = NULL;
    g_autofree char *by_network = NULL;
    g_autofree char *limited = NULL;
    g_autofree char *none = NULL;
    g_autoptr(json_object) parsed = NULL;

    add_profile(store, FAILOVER_PROFILE("p-failover", "failover"));
    add_profile(store, "{\"id\": \"p-full\", \"name\": \"full\", "
                       "\"network\": {\"id\": \"" NET_BRIDGE "\"}, "
                       "\"pass_through\": {\"mode\": \"disabled\"}, \"migratable\": true, "
                       "\"port_mirroring\": true, \"qos\": {\"id\": \"qos-1\"}, "
                       "\"network_filter\": {\"id\": \"filter-1\"}}");
    add_profile(store, "{\"id\": \"p-unicode\", \"name\": \"" NAME_UNICODE "\", "
                       "\"network\": {\"id\": \"" NET_BRIDGE "\"}, "
                       "\"pass_through\": {\"mode\": \"disabled\"}, "
                       "\"migratable\": false, \"port_mirroring\": false}");
    add_profile(store, "{\"id\": \"p-escaped\", \"name\": \"" NAME_ESCAPED "\", "
                       "\"network\": {\"id\": \"" NET_BRIDGE "\"}}");

    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NULL, -1, 0, &all), 0);
    assert_text_is_gets(store, "vnic_profiles", all);
    parsed = parse(all);
    assert_int_equal(json_object_array_length(parsed), 10);
    assert_string_equal(json_object_get_string(
                            json_object_object_get(json_object_array_get_idx(parsed, 8), "name")),
                        "r\u00e9seau \u7f51\u7edc \U0001F600");
    assert_non_null(strstr(all, "\"name\":\"r\u00e9seau")); /* UTF-8 as it is, not \u escapes */
    assert_null(strstr(all, "null"));

    /* the filtered statement (unprepared), a limit, and no match */
    assert_int_equal(sfo_store_list(store, "vnic_profiles", NAME_UNICODE, NULL, -1, 0, &by_name),
                     0);
    assert_text_is_gets(store, "vnic_profiles", by_name);
    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NET_BRIDGE, -1, 0, &by_network),
                     0);
    assert_text_is_gets(store, "vnic_profiles", by_network);
    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NULL, 2, 0, &limited), 0);
    assert_text_is_gets(store, "vnic_profiles", limited);
    assert_int_equal(sfo_store_list(store, "vnic_profiles", "no-such-name", NULL, -1, 0, &none), 0);
    assert_string_equal(none, "[]");
    g_clear_pointer(&none, g_free);
    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NULL, 0, 0, &none), 0);
    assert_string_equal(none, "[]");
}

/* @kind's list (of @parent, at most @limit) is what the gets of its objects write */
static void
assert_list_is_gets(sfo_store *store, const char *kind, const char *parent, int limit)
{
    g_autofree char *text = NULL;

    assert_int_equal(sfo_store_list(store, kind, NULL, parent, limit, 0, &text), 0);
    assert_text_is_gets(store, kind, text);
}

static int
list_length(sfo_store *store, const char *kind, const char *parent, int limit)
{
    g_autofree char *text = NULL;
    g_autoptr(json_object) listed = NULL;

    assert_int_equal(sfo_store_list(store, kind, NULL, parent, limit, 0, &text), 0);
    listed = parse(text);
    return (int)json_object_array_length(listed);
}

/*
 * A list read again unchanged is answered from the text the store kept with
 * its rows; any change shows at once: a value of the same length, a field
 * cleared (NULL), a row more or less, another filter or limit of the kind.
 */
static void
test_store_api__list_memo_follows_changes(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autofree char *first = NULL;
    g_autofree char *again = NULL;
    g_autofree char *renamed = NULL;

    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NULL, -1, 0, &first), 0);
    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NULL, -1, 0, &again), 0);
    assert_string_equal(first, again);
    assert_list_is_gets(store, "vnic_profiles", NULL, -1);

    /* a name of the same length: the same row count and lengths, another byte */
    add_profile(store, FAILOVER_PROFILE("p-memo", "memo-a"));
    assert_list_is_gets(store, "vnic_profiles", NULL, -1);
    assert_int_equal(sfo_store_update_vnic_profile(store,
                                                   "{\"id\": \"p-memo\", \"name\": \"memo-b\"}",
                                                   SFO_STORE_UPDATE_MERGE, NULL),
                     0);
    assert_int_equal(sfo_store_list(store, "vnic_profiles", NULL, NULL, -1, 0, &renamed), 0);
    assert_non_null(strstr(renamed, "\"name\":\"memo-b\""));
    assert_null(strstr(renamed, "\"name\":\"memo-a\""));
    assert_list_is_gets(store, "vnic_profiles", NULL, -1);

    /* a reference cleared: a value becomes NULL */
    assert_int_equal(sfo_store_update_vnic_profile(store,
                                                   "{\"id\": \"p-memo\", \"failover\": null}",
                                                   SFO_STORE_UPDATE_MERGE, NULL),
                     0);
    assert_list_is_gets(store, "vnic_profiles", NULL, -1);

    /* other limits and filters of the same kind, in turn with the whole list */
    assert_int_equal(list_length(store, "vnic_profiles", NULL, -1), 7);
    assert_int_equal(list_length(store, "vnic_profiles", NULL, 2), 2);
    assert_int_equal(list_length(store, "vnic_profiles", NULL, -1), 7);
    assert_int_equal(list_length(store, "vnic_profiles", NET_VF, -1), 3);
    assert_int_equal(list_length(store, "vnic_profiles", NULL, 0), 0);
    assert_int_equal(list_length(store, "vnic_profiles", NULL, -1), 7);

    /* a row less; and another kind, the NICs of a VM, whose plug state changes */
    assert_int_equal(sfo_store_remove_vnic_profile(store, "p-memo", 0, NULL), 0);
    assert_int_equal(list_length(store, "vnic_profiles", NULL, -1), 6);
    assert_list_is_gets(store, "vnic_profiles", NULL, -1);
    assert_list_is_gets(store, "nics", WEB1, -1);
    assert_int_equal(sfo_store_unplug_nic(store, NIC_WEB1_VF, 0, NULL), 0);
    assert_list_is_gets(store, "nics", WEB1, -1);
}

static void
test_store_api__vm_counts(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autoptr(sfo_inventory) inv = load_example();
    g_autoptr(json_object) counts = NULL;
    g_autofree char *text = NULL;
    guint i;

    assert_int_equal(sfo_store_vnic_profile_vm_counts(store, 0, &text), 0);
    counts = parse(text);
    for (i = 0; i < inv->vnic_profiles->len; i++) {
        const sfo_vnic_profile *p = g_ptr_array_index(inv->vnic_profiles, i);
        g_autoptr(GHashTable) vms = g_hash_table_new(g_str_hash, g_str_equal);
        json_object *n = NULL;
        guint j;

        for (j = 0; j < inv->nics->len; j++) {
            const sfo_nic *nic = g_ptr_array_index(inv->nics, j);

            if (g_strcmp0(nic->vnic_profile_id, p->id) == 0)
                g_hash_table_add(vms, nic->vm_id);
        }
        if (g_hash_table_size(vms) == 0) {
            assert_false(json_object_object_get_ex(counts, p->id, &n));
            continue;
        }
        assert_true(json_object_object_get_ex(counts, p->id, &n));
        assert_int_equal(json_object_get_int(n), g_hash_table_size(vms));
    }
}

/* ------------------------------------------------------------------------ */
/* merge updates, unique names, MAC allocation                              */
/* ------------------------------------------------------------------------ */

/* Object @id of @kind as stored */
static json_object *
get_object(sfo_store *store, const char *kind, const char *id)
{
    g_autofree char *text = NULL;

    assert_int_equal(sfo_store_get(store, kind, id, 0, &text), 0);
    return parse(text);
}

/* Its @field as JSON text ("null" when absent) */
static char *
get_field(sfo_store *store, const char *kind, const char *id, const char *field)
{
    g_autoptr(json_object) obj = get_object(store, kind, id);

    return g_strdup(
        json_object_to_json_string_ext(json_object_object_get(obj, field), JSON_C_TO_STRING_PLAIN));
}

static void
assert_first_violation(const sfo_violations *v, const char *key)
{
    assert_non_null(v);
    assert_true(sfo_violations_count(v) > 0);
    assert_string_equal(sfo_violations_key(v, 0), key);
}

static void
test_store_api__merge_profile(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autoptr(sfo_violations) v = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *name = NULL;
    g_autofree char *failover = NULL;
    g_autofree char *migratable = NULL;

    assert_int_equal(
        sfo_store_add_vnic_profile(store, FAILOVER_PROFILE("p-merge", "merge-me"), 0, NULL, NULL),
        0);

    /* only the name changes; the failover and the rest keep their stored values */
    assert_int_equal(sfo_store_update_vnic_profile(store,
                                                   "{\"id\": \"p-merge\", \"name\": \"merged\"}",
                                                   SFO_STORE_UPDATE_MERGE, &v),
                     0);
    name = get_field(store, "vnic_profiles", "p-merge", "name");
    assert_string_equal(name, "\"merged\"");
    failover = get_field(store, "vnic_profiles", "p-merge", "failover");
    assert_string_equal(failover, "{\"id\":\"" P_VIRTIO_FAILOVER "\"}");
    migratable = get_field(store, "vnic_profiles", "p-merge", "migratable");
    assert_string_equal(migratable, "true");

    /* null clears the failover */
    assert_int_equal(sfo_store_update_vnic_profile(store,
                                                   "{\"id\": \"p-merge\", \"failover\": null}",
                                                   SFO_STORE_UPDATE_MERGE, NULL),
                     0);
    g_free(failover);
    failover = get_field(store, "vnic_profiles", "p-merge", "failover");
    assert_string_equal(failover, "null");

    /* the merged profile goes through the rules: a failover needs a migratable profile */
    before = get_field(store, "vnic_profiles", "p-merge", "migratable");
    g_clear_pointer(&v, sfo_violations_free);
    assert_int_equal(sfo_store_update_vnic_profile(store,
                                                   "{\"id\": \"p-merge\", \"migratable\": false, "
                                                   "\"failover\": {\"id\": \"" P_VIRTIO_FAILOVER
                                                   "\"}}",
                                                   SFO_STORE_UPDATE_MERGE, &v),
                     SFO_EVIOLATED);
    assert_first_violation(
        v, "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH");
    after = get_field(store, "vnic_profiles", "p-merge", "migratable");
    assert_string_equal(after, before);

    /* unknown id, no id, a field of the wrong type */
    assert_int_equal(sfo_store_update_vnic_profile(store, "{\"id\": \"" UNKNOWN "\"}",
                                                   SFO_STORE_UPDATE_MERGE, NULL),
                     SFO_ENOTFOUND);
    sfo_store_test_assert_error(SFO_ENOTFOUND, SFO_KEY_VNIC_PROFILE_NOT_FOUND);
    assert_int_equal(
        sfo_store_update_vnic_profile(store, "{\"name\": \"x\"}", SFO_STORE_UPDATE_MERGE, NULL),
        SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD);
    assert_int_equal(sfo_store_update_vnic_profile(store, "{\"id\": \"p-merge\", \"name\": 5}",
                                                   SFO_STORE_UPDATE_MERGE, NULL),
                     SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE);
    /* a required field cannot be cleared */
    assert_int_equal(sfo_store_update_vnic_profile(store, "{\"id\": \"p-merge\", \"name\": null}",
                                                   SFO_STORE_UPDATE_MERGE, NULL),
                     SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD);
}

static void
test_store_api__merge_nic(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autofree char *mac_before = get_field(store, "nics", NIC_WEB1_VIRTIO, "mac");
    g_autofree char *mac_after = NULL;
    g_autofree char *name = NULL;
    g_autofree char *plugged = NULL;

    assert_int_equal(sfo_store_update_nic(store,
                                          "{\"id\": \"" NIC_WEB1_VIRTIO "\", \"name\": \"eth9\", "
                                          "\"plugged\": false}",
                                          SFO_STORE_UPDATE_MERGE, NULL),
                     0);
    name = get_field(store, "nics", NIC_WEB1_VIRTIO, "name");
    assert_string_equal(name, "\"eth9\"");
    plugged = get_field(store, "nics", NIC_WEB1_VIRTIO, "plugged");
    assert_string_equal(plugged, "false");
    mac_after = get_field(store, "nics", NIC_WEB1_VIRTIO, "mac");
    assert_string_equal(mac_after, mac_before);

    assert_int_equal(
        sfo_store_update_nic(store, "{\"id\": \"" UNKNOWN "\"}", SFO_STORE_UPDATE_MERGE, NULL),
        SFO_ENOTFOUND);
    sfo_store_test_assert_error(SFO_ENOTFOUND, SFO_KEY_NIC_NOT_FOUND);
    /* without the flag an update replaces the whole NIC: a missing VM is malformed */
    assert_int_equal(
        sfo_store_update_nic(store, "{\"id\": \"" NIC_WEB1_VIRTIO "\", \"name\": \"x\"}", 0, NULL),
        SFO_EINVALID);
}

static void
test_store_api__profile_name_unique_per_network(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autoptr(sfo_violations) v = NULL;
    g_autoptr(PGconn) conn = NULL;
    g_autofree char *constraint = NULL;
    g_autofree char *err = NULL;
    const char *params[] = { P_SRIOV_PLAIN };

    /* the name of sriov-plain, on its network: refused; on another network: fine */
    assert_int_equal(sfo_store_add_vnic_profile(store,
                                                "{\"name\": \"sriov-plain\", \"network\": "
                                                "{\"id\": \"" NET_VF "\"}}",
                                                0, NULL, &v),
                     SFO_EVIOLATED);
    assert_first_violation(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE");
    g_clear_pointer(&v, sfo_violations_free);
    assert_int_equal(sfo_store_add_vnic_profile(store,
                                                "{\"name\": \"sriov-plain\", \"network\": "
                                                "{\"id\": \"" NET_BRIDGE "\"}}",
                                                0, NULL, NULL),
                     0);
    /* renaming onto a taken name, by a merge */
    assert_int_equal(sfo_store_update_vnic_profile(
                         store, "{\"id\": \"" P_SRIOV_PLAIN "\", \"name\": \"sriov-failover\"}",
                         SFO_STORE_UPDATE_MERGE, &v),
                     SFO_EVIOLATED);
    assert_first_violation(v, "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE");
    /* keeping its own name is no clash */
    assert_int_equal(sfo_store_update_vnic_profile(
                         store, "{\"id\": \"" P_SRIOV_PLAIN "\", \"name\": \"sriov-plain\"}",
                         SFO_STORE_UPDATE_MERGE, NULL),
                     0);

    /* the database holds it without the library */
    conn = sfo_store_test_connect();
    err = sfo_store_test_try_sql(conn,
                                 "UPDATE vnic_profiles SET name = 'sriov-failover' "
                                 "WHERE id = $1::text",
                                 1, params, &constraint);
    assert_string_equal(err, "23505");
    assert_string_equal(constraint, "vnic_profiles_network_id_name_key");
}

static void
test_store_api__nic_without_mac_gets_one(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autoptr(sfo_inventory) inv = load_example();
    g_autofree char *highest = NULL;
    guint i;
    struct {
        const char *json;
        const char *mac; /* the "mac" it gets */
    } adds[] = {
        { "{\"id\": \"n1\", \"name\": \"n1\", \"vm\": {\"id\": \"" DB1 "\"}}",
          "{\"address\":\"56:6f:1a:2b:00:05\"}" },
        /* the pool's last address taken by hand: the next one is the first gap */
        { "{\"id\": \"n2\", \"name\": \"n2\", \"vm\": {\"id\": \"" DB1 "\"}, "
          "\"mac\": {\"address\": \"56:6f:ff:ff:ff:ff\"}}",
          "{\"address\":\"56:6f:ff:ff:ff:ff\"}" },
        { "{\"id\": \"n3\", \"name\": \"n3\", \"vm\": {\"id\": \"" DB1 "\"}}",
          "{\"address\":\"56:6f:00:00:00:00\"}" },
        { "{\"id\": \"n4\", \"name\": \"n4\", \"vm\": {\"id\": \"" DB1 "\"}, "
          "\"mac\": null}",
          "{\"address\":\"56:6f:00:00:00:01\"}" },
    };

    /* the example's MACs are 56:6f:1a:2b:00:01 ... : the next is one past the highest */
    for (i = 0; i < inv->nics->len; i++) {
        const sfo_nic *nic = g_ptr_array_index(inv->nics, i);

        if (!highest || strcmp(nic->mac, highest) > 0) {
            g_free(highest);
            highest = g_strdup(nic->mac);
        }
    }
    assert_string_equal(highest, "56:6f:1a:2b:00:04");
    for (i = 0; i < G_N_ELEMENTS(adds); i++) {
        g_autofree char *id = NULL;
        g_autofree char *mac = NULL;

        assert_int_equal(sfo_store_add_nic(store, adds[i].json, 0, &id, NULL), 0);
        mac = get_field(store, "nics", id, "mac");
        assert_string_equal(mac, adds[i].mac);
    }
}

/* ------------------------------------------------------------------------ */
/* users and tokens                                                         */
/* ------------------------------------------------------------------------ */

/* One value of a query by a plain connection (the test's look at the tables) */
static char *
sql_value(const char *sql, const char *param)
{
    g_autoptr(PGconn) conn = sfo_store_test_connect();
    g_autoptr(PGresult) res =
        PQexecParams(conn, sql, param ? 1 : 0, NULL, param ? &param : NULL, NULL, NULL, 0);

    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), 1);
    return g_strdup(PQgetvalue(res, 0, 0));
}

static char *
login(sfo_store *store, const char *name, const char *password, int expect)
{
    g_autofree char *text = NULL;
    g_autoptr(json_object) doc = NULL;

    assert_int_equal(sfo_store_login(store, name, password, 3600, 0, &text), expect);
    if (expect < 0)
        return NULL;
    doc = parse(text);
    assert_string_equal(json_object_get_string(json_object_object_get(doc, "user")), name);
    return g_strdup(json_object_get_string(json_object_object_get(doc, "token")));
}

static void
test_store_api__users(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autofree char *list = NULL;
    g_autofree char *hash = NULL;
    g_autofree char *count = NULL;

    assert_int_equal(sfo_store_add_user(store, "alice", "wonder land", "admin", 0), 0);
    assert_int_equal(sfo_store_add_user(store, "bob", "b", "viewer", 0), 0);
    assert_int_equal(sfo_store_add_user(store, "alice", "x", "viewer", 0), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_USER_EXISTS);
    assert_int_equal(sfo_store_add_user(store, "carol", "x", "root", 0), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT);
    assert_int_equal(sfo_store_add_user(store, "car ol", "x", "admin", 0), SFO_EINVALID);
    assert_int_equal(sfo_store_add_user(store, "carol", "", "admin", 0), SFO_EINVALID);
    assert_int_equal(sfo_store_list_users(store, 0, &list), 0);
    assert_string_equal(list, "[{\"name\":\"alice\",\"role\":\"admin\"},"
                              "{\"name\":\"bob\",\"role\":\"viewer\"}]");

    /* a yescrypt hash is stored, never the password */
    hash = sql_value("SELECT password_hash FROM users WHERE name = $1", "alice");
    assert_true(g_str_has_prefix(hash, "$y$"));
    assert_null(strstr(hash, "wonder"));

    assert_int_equal(sfo_store_set_password(store, "nobody", "x", 0), SFO_ENOTFOUND);
    sfo_store_test_assert_error(SFO_ENOTFOUND, SFO_KEY_USER_NOT_FOUND);
    assert_int_equal(sfo_store_remove_user(store, "nobody", 0), SFO_ENOTFOUND);
    sfo_store_test_assert_error(SFO_ENOTFOUND, SFO_KEY_USER_NOT_FOUND);
    assert_int_equal(sfo_store_remove_user(store, "bob", 0), 0);
    count = sql_value("SELECT count(*) FROM users", NULL);
    assert_string_equal(count, "1");
}

static void
count_hook(sfo_store *store G_GNUC_UNUSED, const char *point G_GNUC_UNUSED, gpointer data)
{
    (*(int *)data)++;
}

/* Terminates the server process of @store's connection: its next statement finds it gone */
static void
kill_backend(sfo_store *store)
{
    g_autofree char *pid = g_strdup_printf("%d", PQbackendPID(store->conn));
    const char *params[] = { pid };
    g_autoptr(PGconn) conn = sfo_store_test_connect();
    g_autofree char *state = sfo_store_test_try_sql(
        conn, "SELECT pg_terminate_backend($1::integer, 10000)", 1, params, NULL);

    assert_string_equal(state, "");
}

/*
 * A get, a list (not of hosts) and a token check are one statement each, in
 * the server's implicit transaction: no BEGIN, no COMMIT (the runner's commit
 * hook never runs), one round trip; and, like every call, they reconnect and
 * try again when the server went away.
 */
static void
test_store_api__reads_are_one_statement(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autofree char *token = NULL;
    g_autofree char *one = NULL;
    g_autofree char *all = NULL;
    g_autofree char *who = NULL;
    int points = 0;

    assert_int_equal(sfo_store_add_user(store, "alice", "secret", "viewer", 0), 0);
    token = login(store, "alice", "secret", 0);

    sfo_store_set_test_hook(store, count_hook, &points);
    assert_int_equal(sfo_store_get(store, "vnic_profiles", P_SRIOV_FAILOVER, 0, &one), 0);
    assert_int_equal(sfo_store_list(store, "nics", NULL, WEB1, -1, 0, &all), 0);
    assert_int_equal(sfo_store_verify_token(store, token, 0, &who), 0);
    assert_int_equal(points, 0);
    g_clear_pointer(&one, g_free);
    g_clear_pointer(&who, g_free);
    /* hosts are read by several statements: one snapshot transaction */
    assert_int_equal(sfo_store_get(store, "hosts", HOST1, 0, &one), 0);
    assert_true(points > 0);
    sfo_store_set_test_hook(store, NULL, NULL);
    g_clear_pointer(&one, g_free);

    kill_backend(store);
    assert_int_equal(sfo_store_get(store, "vnic_profiles", P_SRIOV_FAILOVER, 0, &one), 0);
    assert_int_equal(store->attempts, 2);
    assert_non_null(strstr(one, P_SRIOV_FAILOVER));
    kill_backend(store);
    assert_int_equal(sfo_store_verify_token(store, token, 0, &who), 0);
    assert_int_equal(store->attempts, 2);
}

static void
test_store_api__login_and_tokens(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_store) other = NULL;
    g_autofree char *token = NULL;
    g_autofree char *again = NULL;
    g_autofree char *stored = NULL;
    g_autofree char *text = NULL;
    g_autofree char *sha = NULL;
    g_autoptr(json_object) who = NULL;
    g_autoptr(PGconn) conn = NULL;

    assert_int_equal(sfo_store_add_user(store, "alice", "secret", "viewer", 0), 0);
    token = login(store, "alice", "secret", 0);
    /* 32 random bytes, base64url; the table has its SHA-256 only */
    assert_int_equal(strlen(token), 43);
    sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
    stored = sql_value("SELECT hash FROM tokens", NULL);
    assert_string_equal(stored, sha);

    /* another connection (another engine process) accepts it */
    assert_int_equal(sfo_store_open(sfo_store_test_dsn(), 0, &other), 0);
    assert_int_equal(sfo_store_verify_token(other, token, 0, &text), 0);
    who = parse(text);
    assert_string_equal(json_object_get_string(json_object_object_get(who, "user")), "alice");
    assert_string_equal(json_object_get_string(json_object_object_get(who, "role")), "viewer");

    /* wrong password and unknown name: the same refusal */
    assert_null(login(store, "alice", "guess", SFO_EAUTH));
    sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_FAILED);
    again = g_strdup(sfo_error_last()->message);
    assert_null(login(store, "mallory", "secret", SFO_EAUTH));
    sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_FAILED);
    assert_string_equal(sfo_error_last()->message, again);

    /* expired, revoked (twice: idempotent), a token never given out */
    conn = sfo_store_test_connect();
    sfo_store_test_sql(conn, "UPDATE tokens SET expires_at = now() - interval '1 second'");
    g_clear_pointer(&text, g_free);
    assert_int_equal(sfo_store_verify_token(store, token, 0, &text), SFO_EAUTH);
    sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_TOKEN_EXPIRED);
    g_free(token);
    token = login(store, "alice", "secret", 0);
    assert_int_equal(sfo_store_revoke_token(store, token, 0), 0);
    assert_int_equal(sfo_store_revoke_token(store, token, 0), 0);
    assert_int_equal(sfo_store_verify_token(other, token, 0, &text), SFO_EAUTH);
    sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_TOKEN_INVALID);
    assert_int_equal(sfo_store_verify_token(other, "not-a-token", 0, &text), SFO_EAUTH);
    sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_TOKEN_INVALID);

    /* a new password ends the sessions */
    g_free(token);
    token = login(store, "alice", "secret", 0);
    assert_int_equal(sfo_store_set_password(store, "alice", "new secret", 0), 0);
    assert_int_equal(sfo_store_verify_token(store, token, 0, &text), SFO_EAUTH);
    assert_null(login(store, "alice", "secret", SFO_EAUTH));
    g_free(token);
    token = login(store, "alice", "new secret", 0);

    assert_int_equal(sfo_store_login(store, "alice", "new secret", 0, 0, &text), SFO_EINVALID);
}

static void
test_store_api__login_rate_limited(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(PGconn) conn = NULL;
    g_autofree char *token = NULL;
    int i;

    assert_int_equal(sfo_store_add_user(store, "alice", "secret", "admin", 0), 0);
    for (i = 0; i < SFO_STORE_LOGIN_MAX_FAILURES; i++) {
        assert_null(login(store, "alice", "guess", SFO_EAUTH));
        sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_FAILED);
    }
    /* now even the right password is refused, without being checked */
    assert_null(login(store, "alice", "secret", SFO_EAUTH));
    sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_RATE_LIMITED);
    /* names are limited one by one, unknown ones too */
    assert_null(login(store, "bob", "x", SFO_EAUTH));
    sfo_store_test_assert_error(SFO_EAUTH, SFO_KEY_AUTH_FAILED);
    /* once the failures are older than the window, the password counts again */
    conn = sfo_store_test_connect();
    sfo_store_test_sql(conn, "UPDATE login_failures SET failed_at = now() - interval '61 seconds'");
    token = login(store, "alice", "secret", 0);
}

static void
test_store_api__ensure_admin(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autofree char *password = NULL;
    g_autofree char *none = NULL;
    g_autofree char *token = NULL;

    assert_int_equal(sfo_store_ensure_admin(store, NULL, 0, &password), 0);
    assert_non_null(password);
    assert_true(strlen(password) >= 22);
    token = login(store, "admin@internal", password, 0);
    /* there is a user now: nothing changes, no password comes back */
    assert_int_equal(sfo_store_ensure_admin(store, NULL, 0, &none), 0);
    assert_null(none);
    assert_int_equal(sfo_store_ensure_admin(store, "other", 0, &none), 0);
    assert_null(none);
    g_free(token);
    token = login(store, "admin@internal", password, 0);

    /* with a password given, that one */
    sfo_store_close(g_steal_pointer(&store));
    store = sfo_store_test_open();
    assert_int_equal(sfo_store_ensure_admin(store, "given", 0, &none), 0);
    assert_null(none);
    g_free(token);
    token = login(store, "admin@internal", "given", 0);
}

/* ------------------------------------------------------------------------ */
/* failover candidates                                                      */
/* ------------------------------------------------------------------------ */

static char *
candidates(sfo_store *store, const char *json, int expect)
{
    char *text = NULL;

    assert_int_equal(sfo_store_failover_candidates(store, json, 0, &text), expect);
    return text;
}

static void
test_store_api__failover_candidates(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = open_example();
    g_autofree char *plain = NULL;
    g_autofree char *of_plain = NULL;
    g_autofree char *of_new = NULL;
    g_autofree char *none = NULL;

    /* sriov-plain (passthrough, network sriov-vf of the Default cluster): the profiles that
     * are not passthrough; all of the one data center, their networks in Default */
    assert_int_equal(sfo_store_get(store, "vnic_profiles", P_SRIOV_PLAIN, 0, &plain), 0);
    of_plain = candidates(store, plain, 0);
    assert_string_equal(of_plain, "[\"" P_VIRTIO_FAILOVER "\",\"" P_VM_BRIDGE
                                  "\",\"cac354c1-d070-441f-a694-f1e65cf2f6b3\"]");
    /* a new profile on vm-bridge, which the Legacy cluster has too: only vm-bridge's */
    of_new = candidates(store, "{\"name\": \"new\", \"network\": {\"id\": \"" NET_BRIDGE "\"}}", 0);
    assert_string_equal(of_new, "[\"" P_VIRTIO_FAILOVER "\",\"" P_VM_BRIDGE "\"]");
    /* a network the store lacks; no network at all */
    none = candidates(store, "{\"name\": \"x\", \"network\": {\"id\": \"nope\"}}", SFO_ENOTFOUND);
    sfo_store_test_assert_error(SFO_ENOTFOUND, SFO_KEY_NETWORK_NOT_FOUND);
    none = candidates(store, "{\"name\": \"x\"}", SFO_EINVALID);
}

/* ------------------------------------------------------------------------ */

static int
group_teardown(void **state G_GNUC_UNUSED)
{
    sfo_store_test_stop();
    return 0;
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_api__get_and_list_every_kind),
        cmocka_unit_test(test_store_api__reads_are_one_statement),
        cmocka_unit_test(test_store_api__list_filters),
        cmocka_unit_test(test_store_api__list_profiles_text),
        cmocka_unit_test(test_store_api__list_memo_follows_changes),
        cmocka_unit_test(test_store_api__vm_counts),
        cmocka_unit_test(test_store_api__merge_profile),
        cmocka_unit_test(test_store_api__merge_nic),
        cmocka_unit_test(test_store_api__profile_name_unique_per_network),
        cmocka_unit_test(test_store_api__nic_without_mac_gets_one),
        cmocka_unit_test(test_store_api__users),
        cmocka_unit_test(test_store_api__login_and_tokens),
        cmocka_unit_test(test_store_api__login_rate_limited),
        cmocka_unit_test(test_store_api__ensure_admin),
        cmocka_unit_test(test_store_api__failover_candidates),
    };

    if (!sfo_store_test_start())
        return 0;
    return cmocka_run_group_tests_name("store-api", tests, NULL, group_teardown);
}
