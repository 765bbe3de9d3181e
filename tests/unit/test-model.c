/*
 * test-model.c: core/model: the inventory JSON format, load and format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include <glib/gstdio.h>

#include "sfo-test.h"

static void
test_model__load_reads_every_field(void **state)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("model", "full.json");
    sfo_cluster *cl = sfo_inventory_find_cluster(inv, "cl1");
    sfo_network *vf = sfo_inventory_find_network(inv, "net-vf");
    sfo_network *br = sfo_inventory_find_network(inv, "net-br");
    sfo_network *pool = sfo_inventory_find_network(inv, "net-pool");
    sfo_vnic_profile *p = sfo_inventory_find_vnic_profile(inv, "p-vf");
    sfo_vnic_profile *plain = sfo_inventory_find_vnic_profile(inv, "p-plain");
    sfo_nic *nic1 = sfo_inventory_find_nic(inv, "nic1");
    sfo_host *host = sfo_inventory_find_host(inv, "host1");
    sfo_pf *pf;

    assert_int_equal(inv->data_centers->len, 1);
    assert_int_equal(inv->nics->len, 3);
    assert_int_equal(cl->version_major, 4);
    assert_int_equal(cl->version_minor, 7);
    assert_true(sfo_id_list_contains(cl->network_ids, "net-br"));
    assert_int_equal(vf->vlan_id, 100);
    assert_int_equal(vf->mtu, 0);
    assert_string_equal(vf->bridge, "sriov-vf"); /* VDSM: bridge named after the network */
    assert_int_equal(vf->link, SFO_NETWORK_LINK_BRIDGE);
    assert_string_equal(br->bridge, "br-vm");
    assert_int_equal(br->mtu, 9000);
    assert_int_equal(pool->link, SFO_NETWORK_LINK_LIBVIRT_HOSTDEV);
    assert_string_equal(pool->libvirt_network, "transient-net");
    assert_int_equal(pool->vlan_id, -1);
    assert_string_equal(sfo_inventory_find_network(inv, "net-ovn")->external_provider_id,
                        "ovn-provider");
    assert_true(p->pass_through);
    assert_true(p->migratable);
    assert_string_equal(p->failover_id, "p-virtio");
    assert_ptr_equal(sfo_inventory_failover_of(inv, p),
                     sfo_inventory_find_vnic_profile(inv, "p-virtio"));
    assert_false(plain->pass_through);
    assert_string_equal(plain->qos_id, "q1");
    assert_string_equal(plain->network_filter_id, "vdsm-no-mac-spoofing");
    assert_string_equal(nic1->mac, "56:6f:1a:2b:00:01"); /* normalised */
    assert_int_equal(nic1->interface, SFO_NIC_INTERFACE_PCI_PASSTHROUGH);
    assert_string_equal(nic1->vf_address, "0000:3b:02.3");
    assert_false(sfo_inventory_find_nic(inv, "nic2")->plugged);
    assert_string_equal(sfo_inventory_find_nic(inv, "nic3")->mac, "56:6f:1a:2b:00:03");
    assert_int_equal(host->pfs->len, 1);
    pf = g_ptr_array_index(host->pfs, 0);
    assert_string_equal(pf->name, "ens4f0");
    assert_int_equal(pf->vfs->len, 2);
    assert_null(((sfo_vf *)g_ptr_array_index(pf->vfs, 0))->nic_id);
    assert_string_equal(((sfo_vf *)g_ptr_array_index(pf->vfs, 1))->nic_id, "nic1");
}

static void
test_model__defaults_follow_ovirt(void **state)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("model", "full.json");
    sfo_vm *vm1 = sfo_inventory_find_vm(inv, "vm1");
    sfo_vm *vm2 = sfo_inventory_find_vm(inv, "vm2");
    sfo_vm *vm3 = sfo_inventory_find_vm(inv, "vm3");
    sfo_nic *nic3 = sfo_inventory_find_nic(inv, "nic3");
    sfo_vnic_profile *virtio = sfo_inventory_find_vnic_profile(inv, "p-virtio");

    /* no bios anywhere: Q35, as oVirt 4.4+; VM bios wins; cluster bios is the default */
    assert_int_equal(sfo_vm_bios_type(inv, vm1), SFO_BIOS_TYPE_Q35_SEA_BIOS);
    assert_int_equal(sfo_vm_bios_type(inv, vm2), SFO_BIOS_TYPE_Q35_OVMF);
    assert_int_equal(sfo_vm_bios_type(inv, vm3), SFO_BIOS_TYPE_I440FX_SEA_BIOS);
    assert_false(sfo_bios_type_is_q35(sfo_vm_bios_type(inv, vm3)));
    assert_int_equal(vm1->status, SFO_VM_STATUS_UP);
    assert_int_equal(vm2->status, SFO_VM_STATUS_DOWN);
    assert_string_equal(vm2->os_type, "other");
    assert_null(vm2->host_id);
    /* NIC: virtio, plugged, no profile */
    assert_int_equal(nic3->interface, SFO_NIC_INTERFACE_VIRTIO);
    assert_true(nic3->plugged);
    assert_null(nic3->vnic_profile_id);
    assert_false(virtio->pass_through);
    assert_null(virtio->failover_id);
}

static void
test_model__indexes(void **state)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("model", "full.json");
    g_autoptr(GPtrArray) vm1_nics = sfo_inventory_nics_of_vm(inv, "vm1");
    g_autoptr(GPtrArray) none = sfo_inventory_nics_of_vm(inv, "no-such-vm");
    const GPtrArray *by_failover = sfo_inventory_profiles_with_failover(inv, "p-virtio");
    const GPtrArray *by_mac = sfo_inventory_nics_with_mac(inv, "56:6f:1a:2b:00:01");
    const GPtrArray *by_profile = sfo_inventory_nics_with_profile(inv, "p-plain");

    assert_int_equal(vm1_nics->len, 2);
    assert_int_equal(none->len, 0);
    assert_non_null(by_failover);
    assert_int_equal(by_failover->len, 1);
    assert_string_equal(((sfo_vnic_profile *)g_ptr_array_index(by_failover, 0))->id, "p-vf");
    assert_int_equal(by_mac->len, 1);
    assert_int_equal(by_profile->len, 1);
    assert_null(sfo_inventory_profiles_with_failover(inv, "p-vf"));
    assert_null(sfo_inventory_find_vm(inv, NULL));
}

static void
test_model__format_round_trips(void **state)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("model", "full.json");
    g_autoptr(sfo_inventory) again = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    assert_int_equal(sfo_inventory_format(inv, 0, &first), 0);
    assert_int_equal(sfo_inventory_load_string(first, 0, &again), 0);
    assert_int_equal(sfo_inventory_format(again, 0, &second), 0);
    assert_string_equal(first, second);
    sfo_test_compare_golden("model", "full.formatted.json", first);
}

static void
test_model__empty_inventory(void **state)
{
    g_autoptr(sfo_inventory) inv = NULL;

    assert_int_equal(sfo_inventory_load_string("{}", 0, &inv), 0);
    assert_int_equal(inv->vms->len, 0);
}

typedef struct {
    const char *name;
    const char *json;
    const char *key;
    const char *message; /* exact message */
} sfo_model_bad_case;

#define DC "\"data_centers\":[{\"id\":\"dc1\",\"name\":\"d\"}]"
#define CL \
    "\"clusters\":[{\"id\":\"cl1\",\"name\":\"c\",\"data_center\":{\"id\":\"dc1\"}," \
    "\"version\":{\"major\":4,\"minor\":7}}]"
#define NET "\"networks\":[{\"id\":\"n1\",\"name\":\"n\",\"data_center\":{\"id\":\"dc1\"}}]"
#define VM "\"vms\":[{\"id\":\"vm1\",\"name\":\"v\",\"cluster\":{\"id\":\"cl1\"}}]"

static const sfo_model_bad_case sfo_model_bad_cases[] = {
    { "syntax", "{\n  \"vms\": [\n    {\"id\": \"a\",,}\n  ]\n}", "INVENTORY_SYNTAX_ERROR",
      "<string>:3:16: invalid JSON: quoted object property name expected" },
    { "truncated", "{\"vms\": [", "INVENTORY_SYNTAX_ERROR",
      "<string>:1:10: invalid JSON: unexpected end of data" },
    { "trailing garbage", "{} x", "INVENTORY_SYNTAX_ERROR",
      "<string>:1:4: invalid JSON: unexpected character" },
    { "top level array", "[]", "INVENTORY_WRONG_TYPE",
      "<string>: $: expected an object with the inventory's arrays, found an array" },
    { "collection not array", "{\"vms\": {}}", "INVENTORY_WRONG_TYPE",
      "<string>: $.vms: expected an array, found an object" },
    { "object not object", "{\"vms\": [1]}", "INVENTORY_WRONG_TYPE",
      "<string>: vms[0]: expected an object, found an integer" },
    { "missing id", "{\"data_centers\": [{\"name\": \"x\"}]}", "INVENTORY_MISSING_FIELD",
      "<string>: data_centers[0]: required field 'id' is missing" },
    { "id with a dot", "{\"data_centers\": [{\"id\": \"a.b\", \"name\": \"x\"}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: data_centers[0].id: id 'a.b' may only hold letters, digits, '_' and '-' "
      "(it becomes a libvirt alias)" },
    { "wrong bool",
      "{" DC "," NET ",\"vnic_profiles\":[{\"id\":\"p\",\"name\":\"p\","
      "\"network\":{\"id\":\"n1\"},\"migratable\":\"yes\"}]}",
      "INVENTORY_WRONG_TYPE",
      "<string>: vnic_profiles[0].migratable: expected a boolean, found a string" },
    { "pass_through mode",
      "{" DC "," NET ",\"vnic_profiles\":[{\"id\":\"p\",\"name\":\"p\","
      "\"network\":{\"id\":\"n1\"},\"pass_through\":{\"mode\":\"on\"}}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: vnic_profiles[0].pass_through.mode: unknown value 'on' "
      "(expected one of: enabled, disabled)" },
    { "ref not object",
      "{" DC ",\"networks\":[{\"id\":\"n1\",\"name\":\"n\","
      "\"data_center\":\"dc1\"}]}",
      "INVENTORY_WRONG_TYPE",
      "<string>: networks[0].data_center: expected an object, found a string" },
    { "vlan out of range",
      "{" DC ",\"networks\":[{\"id\":\"n1\",\"name\":\"n\","
      "\"data_center\":{\"id\":\"dc1\"},\"vlan\":{\"id\":4095}}]}",
      "INVENTORY_INVALID_VALUE", "<string>: networks[0].vlan.id: 4095 is out of range 0..4094" },
    { "number out of 64 bits, quoted as written",
      "{" DC ",\"networks\":[{\"id\":\"n1\",\"name\":\"n\","
      "\"data_center\":{\"id\":\"dc1\"},\"vlan\":{\"id\":99999999999999999999}}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: networks[0].vlan.id: 99999999999999999999 is out of range 0..4094" },
    { "negative number out of 64 bits, quoted as written",
      "{" DC ",\"networks\":[{\"id\":\"n1\",\"name\":\"n\","
      "\"data_center\":{\"id\":\"dc1\"},\"mtu\":-99999999999999999999}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: networks[0].mtu: -99999999999999999999 is out of range 68..65535" },
    { "collection twice", "{\"vms\": [], \"vms\": []}", "INVENTORY_INVALID_VALUE",
      "<string>: $.vms: the collection appears twice" },
    { "too deep", "{\"x\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
      "INVENTORY_SYNTAX_ERROR", "<string>:1:39: invalid JSON: nesting too deep" },
    { "libvirt network type",
      "{" DC ",\"networks\":[{\"id\":\"n1\",\"name\":\"n\","
      "\"data_center\":{\"id\":\"dc1\"},\"libvirt_network\":{\"name\":\"x\"}}]}",
      "INVENTORY_MISSING_FIELD",
      "<string>: networks[0].libvirt_network: required field 'type' (bridge, macvtap or hostdev) "
      "is missing" },
    { "bad mac",
      "{" DC "," CL "," VM ",\"nics\":[{\"id\":\"n\",\"name\":\"n\","
      "\"vm\":{\"id\":\"vm1\"},\"mac\":{\"address\":\"56:6f:1a:2b:00\"}}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: nics[0].mac.address: '56:6f:1a:2b:00' is not a MAC address (six hex octets, "
      "e.g. 56:6f:1a:2b:00:01)" },
    { "bad interface",
      "{" DC "," CL "," VM ",\"nics\":[{\"id\":\"n\",\"name\":\"n\","
      "\"vm\":{\"id\":\"vm1\"},\"interface\":\"vfio\",\"mac\":{\"address\":\"56:6f:1a:2b:00:01\"}}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: nics[0].interface: unknown value 'vfio' (expected one of: virtio, "
      "pci_passthrough, e1000, e1000e, rtl8139, spapr_vlan)" },
    { "bad vf address",
      "{" DC "," CL "," VM ",\"nics\":[{\"id\":\"n\",\"name\":\"n\","
      "\"vm\":{\"id\":\"vm1\"},\"mac\":{\"address\":\"56:6f:1a:2b:00:01\"},"
      "\"vf\":{\"address\":\"3b:02\"}}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: nics[0].vf.address: '3b:02' is not a PCI address (e.g. 0000:3b:02.3)" },
    { "bad status",
      "{" DC "," CL ",\"vms\":[{\"id\":\"vm1\",\"name\":\"v\","
      "\"cluster\":{\"id\":\"cl1\"},\"status\":\"running\"}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: vms[0].status: unknown value 'running' (expected one of: down, up, "
      "powering_up, paused, migrating, suspended)" },
    { "cluster version missing",
      "{" DC ",\"clusters\":[{\"id\":\"cl1\",\"name\":\"c\","
      "\"data_center\":{\"id\":\"dc1\"}}]}",
      "INVENTORY_MISSING_FIELD", "<string>: clusters[0]: required field 'version' is missing" },
    { "control character", "{\"data_centers\": [{\"id\": \"dc1\", \"name\": \"a\\u0007b\"}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: data_centers[0].name: must be UTF-8 text without control characters" },
    { "embedded NUL", "{\"data_centers\": [{\"id\": \"dc1\\u0000x\", \"name\": \"a\"}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: data_centers[0].id: must be UTF-8 text without control characters" },
    { "invalid UTF-8", "{\"data_centers\": [{\"id\": \"dc1\", \"name\": \"a\xff\"}]}",
      "INVENTORY_INVALID_VALUE",
      "<string>: data_centers[0].name: must be UTF-8 text without control characters" },
    { "null document", "null", "INVENTORY_WRONG_TYPE",
      "<string>: $: expected an object with the inventory's arrays, found null" },
    { "duplicate id",
      "{\"data_centers\":[{\"id\":\"dc1\",\"name\":\"a\"},"
      "{\"id\":\"dc1\",\"name\":\"b\"}]}",
      "INVENTORY_DUPLICATE_ID",
      "<string>: data_centers[1].id: id 'dc1' is used twice in data_centers" },
    { "unknown reference",
      "{" DC "," CL ",\"vms\":[{\"id\":\"vm1\",\"name\":\"v\","
      "\"cluster\":{\"id\":\"cl9\"}}]}",
      "INVENTORY_UNKNOWN_REFERENCE",
      "<string>: vms[0].cluster.id: no cluster with id 'cl9' in the inventory" },
    { "unknown network in cluster",
      "{" DC ",\"clusters\":[{\"id\":\"cl1\",\"name\":\"c\","
      "\"data_center\":{\"id\":\"dc1\"},\"version\":{\"major\":4,\"minor\":7},"
      "\"networks\":[{\"id\":\"nope\"}]}]}",
      "INVENTORY_UNKNOWN_REFERENCE",
      "<string>: clusters[0].networks[0].id: no network with id 'nope' in the inventory" },
    { "unknown nic on vf",
      "{" DC "," CL ",\"hosts\":[{\"id\":\"h\",\"name\":\"h\","
      "\"cluster\":{\"id\":\"cl1\"},\"sriov_pfs\":[{\"name\":\"ens4f0\",\"address\":\"0000:3b:00.0\","
      "\"vfs\":[{\"address\":\"0000:3b:02.0\",\"nic\":{\"id\":\"ghost\"}}]}]}]}",
      "INVENTORY_UNKNOWN_REFERENCE",
      "<string>: hosts[0].sriov_pfs[0].vfs[0].nic.id: no nic with id 'ghost' in the inventory" },
};

static void
test_model__bad_input_names_path_and_key(void **state)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(sfo_model_bad_cases); i++) {
        const sfo_model_bad_case *c = &sfo_model_bad_cases[i];
        sfo_inventory *inv = NULL;
        int rc = sfo_inventory_load_string(c->json, 0, &inv);
        const sfo_error *err = sfo_error_last();

        if (rc != SFO_EINVALID || inv != NULL)
            fail_msg("case '%s': expected SFO_EINVALID, got %d", c->name, rc);
        if (strcmp(err->key, c->key) != 0 || strcmp(err->message, c->message) != 0)
            fail_msg("case '%s': got %s '%s', expected %s '%s'", c->name, err->key, err->message,
                     c->key, c->message);
    }
}

static void
test_model__unreadable_file(void **state)
{
    sfo_inventory *inv = NULL;

    assert_int_equal(sfo_inventory_load_file("/nonexistent/inv.json", 0, &inv), SFO_EIO);
    assert_string_equal(sfo_error_last()->key, "FILE_UNREADABLE");
    assert_non_null(strstr(sfo_error_last()->message, "/nonexistent/inv.json"));
    assert_null(inv);
}

static void
test_model__file_errors_name_the_file(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("sfo-model-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "bad.json", NULL);
    g_autofree char *expected = NULL;
    sfo_inventory *inv = NULL;

    assert_true(g_file_set_contents(path, "{\"vms\": 3}", -1, NULL));
    assert_int_equal(sfo_inventory_load_file(path, 0, &inv), SFO_EINVALID);
    expected = g_strdup_printf("%s: $.vms: expected an array, found an integer", path);
    assert_string_equal(sfo_error_last()->message, expected);
    g_unlink(path);
    g_rmdir(dir);
}

/* Read by length: a NUL ends nothing; what follows it is part of the document (#6). */
static void
test_model__nul_then_garbage_is_a_syntax_error(void **state)
{
    static const char text[] = "{\"data_centers\": []}\n\0{\"garbage\"";
    g_autofree char *dir = g_dir_make_tmp("sfo-model-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "nul.json", NULL);
    g_autofree char *expected = g_strdup_printf("%s:2:1: invalid JSON: unexpected character", path);
    sfo_inventory *inv = NULL;

    assert_int_equal(sfo_inventory_load_data(text, sizeof(text) - 1, "<data>", &inv), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "INVENTORY_SYNTAX_ERROR");
    assert_string_equal(sfo_error_last()->message,
                        "<data>:2:1: invalid JSON: unexpected character");
    assert_null(inv);

    assert_true(g_file_set_contents(path, text, sizeof(text) - 1, NULL));
    assert_int_equal(sfo_inventory_load_file(path, 0, &inv), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "INVENTORY_SYNTAX_ERROR");
    assert_string_equal(sfo_error_last()->message, expected);
    assert_null(inv);
    g_unlink(path);
    g_rmdir(dir);
}

/* A NUL inside a string of the document is a syntax error too, wherever it is. */
static void
test_model__nul_inside_a_string_is_a_syntax_error(void **state)
{
    static const char text[] = "{\"data_centers\": [{\"id\": \"dc\0\", \"name\": \"d\"}]}";
    sfo_inventory *inv = NULL;

    assert_int_equal(sfo_inventory_load_data(text, sizeof(text) - 1, "<data>", &inv), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "INVENTORY_SYNTAX_ERROR");
    assert_null(inv);
}

/* Keys are compared by length: "migratable\u0000x" is not migratable (#7). */
static void
test_model__key_with_nul_is_not_the_field_before_it(void **state)
{
    static const char *const texts[] = {
        "{" DC "," NET ",\"vnic_profiles\":[{\"id\":\"p\",\"name\":\"p\","
        "\"network\":{\"id\":\"n1\"},\"migratable\":true,\"migratable\\u0000x\":false}]}",
        "{" DC "," NET ",\"vnic_profiles\":[{\"id\":\"p\",\"name\":\"p\","
        "\"network\":{\"id\":\"n1\"},\"migratable\\u0000x\":false,\"migratable\":true}]}",
        /* the same at the top level: not the collection */
        "{" DC "," NET ",\"vnic_profiles\":[{\"id\":\"p\",\"name\":\"p\","
        "\"network\":{\"id\":\"n1\"},\"migratable\":true}],"
        "\"vnic_profiles\\u0000\":[{\"id\":\"q\",\"name\":\"q\"}]}",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(sfo_inventory) inv = NULL;
        sfo_vnic_profile *p;

        assert_int_equal(sfo_inventory_load_string(texts[i], 0, &inv), 0);
        assert_int_equal(inv->vnic_profiles->len, 1);
        p = sfo_inventory_find_vnic_profile(inv, "p");
        assert_non_null(p);
        assert_true(p->migratable);
    }
}

/*
 * A file is read in 64 KiB chunks: an inventory of some 900 KiB whose
 * tokens fall across chunk boundaries (the padding shifts them by one byte
 * per NIC) loads as the same text in memory does, and an error past the
 * first chunk names its line and column.
 */
static void
test_model__file_read_in_chunks_as_in_memory(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("sfo-model-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "big.json", NULL);
    g_autoptr(GString) s = g_string_new("{\"data_centers\":[{\"id\":\"dc1\",\"name\":\"d\"}],"
                                        "\"clusters\":[{\"id\":\"cl1\",\"name\":\"c\","
                                        "\"data_center\":{\"id\":\"dc1\"},"
                                        "\"version\":{\"major\":4,\"minor\":7}}],\n\"vms\":[");
    g_autoptr(sfo_inventory) from_file = NULL;
    g_autoptr(sfo_inventory) from_text = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *name = g_strnfill(200000, 'a');
    g_autofree char *text =
        g_strdup_printf("{\"data_centers\":[{\"id\":\"dc1\",\"name\":\"%s\"}]}", name);
    g_autoptr(sfo_inventory) long_name = NULL;
    g_autoptr(sfo_inventory) long_name_file = NULL;
    sfo_inventory *inv = NULL;
    int lines = 3; /* the line of "nics" */
    int v;

    for (v = 0; v < 600; v++)
        g_string_append_printf(s, "%s{\"id\":\"vm%d\",\"name\":\"v\",\"cluster\":{\"id\":\"cl1\"}}",
                               v ? "," : "", v);
    g_string_append(s, "],\n\"nics\":[\n");
    for (v = 0; v < 6000; v++) {
        g_string_append_printf(s,
                               "%s{\"id\":\"nic%d\",%*s\"name\":\"n%d\",\"vm\":{\"id\":\"vm%d\"},"
                               "\"mac\":{\"address\":\"56:6f:00:00:%02x:%02x\"},\"plugged\":%s}\n",
                               v ? "," : "", v, v % 61, "", v, v / 10, v >> 8, v & 0xff,
                               v % 3 ? "true" : "false");
        lines++;
    }
    g_string_append(s, "]}\n");
    assert_true(s->len > 10 * 64 * 1024);
    assert_true(g_file_set_contents(path, s->str, (gssize)s->len, NULL));
    assert_int_equal(sfo_inventory_load_file(path, 0, &from_file), 0);
    assert_int_equal(sfo_inventory_load_string(s->str, 0, &from_text), 0);
    assert_int_equal(from_file->nics->len, 6000);
    assert_int_equal(sfo_inventory_format(from_file, 0, &a), 0);
    assert_int_equal(sfo_inventory_format(from_text, 0, &b), 0);
    assert_string_equal(a, b);

    /* a string longer than a chunk, in memory and in a file */

    assert_int_equal(sfo_inventory_load_string(text, 0, &long_name), 0);
    assert_string_equal(sfo_inventory_find_data_center(long_name, "dc1")->name, name);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    assert_int_equal(sfo_inventory_load_file(path, 0, &long_name_file), 0);
    assert_string_equal(sfo_inventory_find_data_center(long_name_file, "dc1")->name, name);

    /* a missing comma between the last two NICs: line and column past the first chunk */
    g_string_truncate(s, s->len - 3);
    g_string_append(s, "{\"id\":\"late\"}]}\n");
    assert_true(g_file_set_contents(path, s->str, (gssize)s->len, NULL));
    assert_int_equal(sfo_inventory_load_file(path, 0, &inv), SFO_EINVALID);
    expected = g_strdup_printf("%s:%d:1: invalid JSON: array value separator ',' expected", path,
                               lines + 1);
    assert_string_equal(sfo_error_last()->message, expected);
    assert_null(inv);
    g_unlink(path);
    g_rmdir(dir);
}

static void
test_model__enum_tables_round_trip(void **state)
{
    int i;

    for (i = 0; i < SFO_BIOS_TYPE_LAST; i++)
        assert_int_equal(sfo_bios_type_from_string(sfo_bios_type_to_string(i)), i);
    for (i = 0; i < SFO_NIC_INTERFACE_LAST; i++)
        assert_int_equal(sfo_nic_interface_from_string(sfo_nic_interface_to_string(i)), i);
    for (i = 0; i < SFO_NETWORK_LINK_LAST; i++)
        assert_int_equal(sfo_network_link_from_string(sfo_network_link_to_string(i)), i);
    for (i = 0; i < SFO_VM_STATUS_LAST; i++)
        assert_int_equal(sfo_vm_status_from_string(sfo_vm_status_to_string(i)), i);
    assert_null(sfo_vm_status_to_string(SFO_VM_STATUS_LAST));
    assert_null(sfo_vm_status_to_string(-1));
    assert_int_equal(sfo_vm_status_from_string("nope"), -1);
    assert_int_equal(sfo_vm_status_from_string(NULL), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model__load_reads_every_field),
        cmocka_unit_test(test_model__defaults_follow_ovirt),
        cmocka_unit_test(test_model__indexes),
        cmocka_unit_test(test_model__format_round_trips),
        cmocka_unit_test(test_model__empty_inventory),
        cmocka_unit_test(test_model__bad_input_names_path_and_key),
        cmocka_unit_test(test_model__unreadable_file),
        cmocka_unit_test(test_model__file_errors_name_the_file),
        cmocka_unit_test(test_model__nul_then_garbage_is_a_syntax_error),
        cmocka_unit_test(test_model__nul_inside_a_string_is_a_syntax_error),
        cmocka_unit_test(test_model__key_with_nul_is_not_the_field_before_it),
        cmocka_unit_test(test_model__file_read_in_chunks_as_in_memory),
        cmocka_unit_test(test_model__enum_tables_round_trip),
    };

    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
