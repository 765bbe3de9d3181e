/*
 * test-util.c: core/util: errors, message catalogue, MAC/PCI/alias checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-test.h"
#include "util/sfo-error.h"
#include "util/sfo-messages.h"
#include "util/sfo-util.h"

static void
test_util__catalogue_is_sorted_and_searchable(void **state)
{
    size_t i;

    assert_true(sfo_messages_count > 20);
    for (i = 0; i < sfo_messages_count; i++) {
        const sfo_message *m = &sfo_messages_table[i];

        if (i > 0)
            assert_true(strcmp(sfo_messages_table[i - 1].key, m->key) < 0);
        assert_ptr_equal(sfo_messages_lookup(m->key), m->text);
    }
    assert_null(sfo_messages_lookup("NO_SUCH_KEY"));
}

static void
test_util__catalogue_keeps_ovirt_texts(void **state)
{
    /* byte for byte from oVirt's AppErrors.properties, misspelled key included */
    assert_string_equal(
        sfo_messages_lookup(
            "ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH"),
        "Cannot ${action} ${type}. Failover vNIC profile is supported only for migratable "
        "passthrough vNIC profiles.");
    /* property escapes decoded: \: becomes :, \n a line break */
    assert_string_equal(
        sfo_messages_lookup("ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE"),
        "Cannot ${action} ${type}. This VM network interface profile is used by ${entities}:  "
        "${ENTITIES_USING_VNIC_PROFILE}.\n - Please remove it from this ${entities} and try again.");
}

static void
test_util__render_fills_variables_on_one_line(void **state)
{
    const char *args[] = { "action",
                           "edit",
                           "type",
                           "VM network interface profile 'p1'",
                           "entities",
                           "VM",
                           "ENTITIES_USING_VNIC_PROFILE",
                           "vm1",
                           NULL };
    g_autofree char *msg = sfo_messages_render("ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE", args);

    assert_string_equal(msg, "Cannot edit VM network interface profile 'p1'. This VM network "
                             "interface profile is used by VM:  vm1. - Please remove it from "
                             "this VM and try again.");
    assert_null(strchr(msg, '\n'));
}

static void
test_util__render_keeps_unfilled_variables(void **state)
{
    const char *args[] = { "action", "add", NULL };
    g_autofree char *msg = sfo_messages_render(
        "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF", args);
    g_autofree char *unknown = sfo_messages_render("NO_SUCH_KEY", NULL);

    assert_string_equal(msg, "Cannot add ${type}. Failover vNIC profile cannot point to itself.");
    assert_string_equal(unknown, "NO_SUCH_KEY");
}

static void
test_util__render_expands_catalogue_words(void **state)
{
    /* ${action} and ${type} hold VAR__ keys; ${typeName} fills the nested text */
    const char *args[] = {
        "action",   "VAR__ACTION__UPDATE", "type", "VAR__TYPE__VNIC_PROFILE", "typeName", "p1",
        "entities", "VAR__ENTITIES__VMS",  NULL
    };
    /* a value naming no key, or a key outside VAR__, stays as it is */
    const char *plain[] = { "action", "VAR__ACTION__NO_SUCH_WORD", "type",
                            "ACTION_TYPE_FAILED_VM_NOT_FOUND", NULL };
    /* one level: a VAR__ key as a variable of a VAR__ text is not expanded again */
    const char *loop[] = { "type", "VAR__TYPE__VM", "typeName", "VAR__TYPE__VM", NULL };
    g_autofree char *msg = sfo_messages_render(
        "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF", args);
    g_autofree char *many =
        sfo_messages_render("ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES", args);
    g_autofree char *kept = sfo_messages_render("ACTION_TYPE_FAILED_VM_NOT_FOUND", plain);
    g_autofree char *once = sfo_messages_render("ACTION_TYPE_FAILED_VM_NOT_FOUND", loop);

    assert_string_equal(
        msg, "Cannot edit VM network interface profile 'p1'. Failover vNIC profile cannot point to "
             "itself.");
    assert_non_null(strstr(many, "is used by VMs ("));
    assert_string_equal(
        kept, "Cannot VAR__ACTION__NO_SUCH_WORD ACTION_TYPE_FAILED_VM_NOT_FOUND. VM is not found.");
    assert_string_equal(once, "Cannot ${action} VM 'VAR__TYPE__VM'. VM is not found.");
}

static void
test_util__severity_follows_key(void **state)
{
    assert_true(sfo_messages_key_is_warning("WARNING_FAILOVER_NETWORK_MTU_MISMATCH"));
    assert_false(sfo_messages_key_is_warning("ACTION_TYPE_FAILED_FAILOVER_NETWORK_VLAN_MISMATCH"));
}

static void
test_util__mac_normalize(void **state)
{
    g_autofree char *a = sfo_mac_normalize("52:54:00:AB:cd:EF");
    g_autofree char *b = sfo_mac_normalize("52-54-00-ab-cd-ef");
    const char *bad[] = { "",
                          "52:54:00:ab:cd",
                          "52:54:00:ab:cd:ef:01",
                          "52:54:00:ab:cd:eg",
                          "5254.00ab.cdef",
                          "52:54:00:ab:cd:e",
                          "52::54:00:ab:cd:ef" };
    size_t i;

    assert_string_equal(a, "52:54:00:ab:cd:ef");
    assert_string_equal(b, "52:54:00:ab:cd:ef");
    assert_null(sfo_mac_normalize(NULL));
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *r = sfo_mac_normalize(bad[i]);

        if (r)
            fail_msg("'%s' accepted as a MAC", bad[i]);
    }
}

static void
test_util__pci_address_parse(void **state)
{
    sfo_pci_address addr;
    const char *bad[] = { "",
                          "3b:02",
                          "0000:3b:02:3",
                          "0000:3b:20.0",
                          "0000:3b:02.8",
                          "00000:3b:02.3",
                          "0000:3b:02.3x",
                          "zz:02.3" };
    size_t i;

    assert_true(sfo_pci_address_parse("0000:3b:02.3", &addr));
    assert_int_equal(addr.domain, 0);
    assert_int_equal(addr.bus, 0x3b);
    assert_int_equal(addr.slot, 2);
    assert_int_equal(addr.function, 3);
    assert_true(sfo_pci_address_parse("3b:1f.7", &addr));
    assert_int_equal(addr.slot, 0x1f);
    assert_int_equal(addr.function, 7);
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (sfo_pci_address_parse(bad[i], &addr))
            fail_msg("'%s' accepted as a PCI address", bad[i]);
    }
}

static void
test_util__user_alias(void **state)
{
    assert_true(sfo_alias_is_user("ua-backup0"));
    assert_true(sfo_alias_is_user("ua-9f1c2d3e-aaaa_bbbb"));
    /* what libvirt drops silently from an inactive definition */
    assert_false(sfo_alias_is_user("backup0"));
    assert_false(sfo_alias_is_user("ua-"));
    assert_false(sfo_alias_is_user("ua-backup.0"));
    assert_false(sfo_alias_is_user("ua-back up"));
    assert_false(sfo_alias_is_user(NULL));
    assert_true(sfo_id_is_valid("web1-nic_0"));
    assert_false(sfo_id_is_valid("web1/nic0"));
    assert_false(sfo_id_is_valid(""));
}

static void
test_util__last_error_is_set_once_and_cleared(void **state)
{
    const sfo_error *err;

    sfo_error_clear();
    assert_null(sfo_error_last());
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE, "x.%s: bad", "y");
    err = sfo_error_last();
    assert_non_null(err);
    assert_int_equal(err->code, SFO_EINVALID);
    assert_string_equal(err->key, "INVENTORY_WRONG_TYPE");
    assert_string_equal(err->message, "x.y: bad");
    sfo_error_clear();
    assert_null(sfo_error_last());
}

static gpointer
sfo_test_thread_error(gpointer data)
{
    /* a fresh thread starts without an error and its error stays its own */
    gboolean clean = sfo_error_last() == NULL;

    sfo_error_report(SFO_EIO, SFO_KEY_FILE_UNREADABLE, "thread");
    return GINT_TO_POINTER(clean && sfo_error_last()->code == SFO_EIO);
}

static void
test_util__last_error_is_per_thread(void **state)
{
    GThread *thread;

    sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT, "main");
    thread = g_thread_new("err", sfo_test_thread_error, NULL);
    assert_true(GPOINTER_TO_INT(g_thread_join(thread)));
    assert_string_equal(sfo_error_last()->message, "main");
    sfo_error_clear();
}

static void
test_util__public_argument_checks(void **state)
{
    sfo_inventory *inv = NULL;

    assert_int_equal(sfo_inventory_load_string(NULL, 0, &inv), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "INVALID_ARGUMENT");
    assert_int_equal(sfo_inventory_load_string("{}", 1u << 7, &inv), SFO_EINVALID);
    assert_null(inv);
    sfo_free(NULL);
    sfo_error_clear();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util__catalogue_is_sorted_and_searchable),
        cmocka_unit_test(test_util__catalogue_keeps_ovirt_texts),
        cmocka_unit_test(test_util__render_fills_variables_on_one_line),
        cmocka_unit_test(test_util__render_keeps_unfilled_variables),
        cmocka_unit_test(test_util__render_expands_catalogue_words),
        cmocka_unit_test(test_util__severity_follows_key),
        cmocka_unit_test(test_util__mac_normalize),
        cmocka_unit_test(test_util__pci_address_parse),
        cmocka_unit_test(test_util__user_alias),
        cmocka_unit_test(test_util__last_error_is_set_once_and_cleared),
        cmocka_unit_test(test_util__last_error_is_per_thread),
        cmocka_unit_test(test_util__public_argument_checks),
    };

    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
