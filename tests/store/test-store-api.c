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
#define UNKNOWN "00000000-0000-4000-8000-000000000000"

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
        cmocka_unit_test(test_store_api__list_filters),
        cmocka_unit_test(test_store_api__vm_counts),
    };

    if (!sfo_store_test_start())
        return 0;
    return cmocka_run_group_tests_name("store-api", tests, NULL, group_teardown);
}
