/*
 * test-store.c: core/store against a real PostgreSQL server
 *
 * A throw-away cluster is started in a temporary directory by the library's
 * own embedded-store code (store-test.c); every test empties its database.
 * The tests cover the migrations (golden schema dump, upgrade step by step
 * on a database holding data, idempotence, too new/old, a failing
 * migration), the repository calls (each against sfo_rules_validate() over
 * the same inventory), the constraints that hold without the library,
 * retries after a lost connection, and the embedded cluster's life cycle.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <glib/gstdio.h>

#include "store-test.h"
#include "../unit/sfo-test.h"

#define ERR SFO_SEVERITY_ERROR

/* ids of examples/inventory.json */
#define WEB1 "95edeee5-777a-4224-b25c-eebddcdf333f"
#define DB1 "6e94a27e-17f5-4822-a1d7-882a637080ad"
#define LEGACY1 "7df262cd-fed9-4bd9-bafa-4b3a8cebfece"
#define NET_VF "1fe46092-0f45-4bae-a0c7-82ebd06d4a71"
#define NET_BRIDGE "67b523b5-4e09-43c6-9807-ee04654a4a5e"
#define P_VIRTIO_FAILOVER "9819b960-fe29-44f5-9ffc-cd8624bdea69"
#define P_SRIOV_FAILOVER "5e60bdfc-920b-4a2c-84d4-517b497fa354"
#define P_SRIOV_PLAIN "66ae506a-0941-4e8a-9a68-3384d4976b07"
#define P_VM_BRIDGE "d467bfe4-bad1-4ab5-988f-f731c07d6485"
#define P_PERSISTENT_VIRTIO "cac354c1-d070-441f-a694-f1e65cf2f6b3"
#define NIC_WEB1_VF "90886d6b-ccd6-412b-8621-d7cf84b048d0"
#define NIC_WEB1_VIRTIO "f94c2429-9faa-4b53-b5f5-097e7bdcb513"

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */
/* ------------------------------------------------------------------------ */

static sfo_inventory *
load_example(void)
{
    return sfo_store_test_load_example("inventory.json");
}

static void
import_example(sfo_store *store)
{
    g_autoptr(sfo_inventory) inv = load_example();

    if (sfo_store_import(store, inv, SFO_STORE_IMPORT_REPLACE, NULL) < 0)
        fail_msg("import: %s", sfo_error_last()->message);
}

/* "severity key subject-type/subject-id: message" per violation, one a line */
static char *
describe(const sfo_violations *v)
{
    GString *s = g_string_new(NULL);
    size_t i;

    for (i = 0; v && i < sfo_violations_count(v); i++)
        g_string_append_printf(s, "%s %s %s/%s: %s\n",
                               sfo_violations_severity(v, i) == ERR ? "error" : "warning",
                               sfo_violations_key(v, i), sfo_violations_subject_type(v, i),
                               sfo_violations_subject_id(v, i), sfo_violations_message(v, i));
    return g_string_free(s, FALSE);
}

static void
assert_store_checks_clean(sfo_store *store)
{
    g_autoptr(sfo_inventory) inv = NULL;
    g_autoptr(sfo_violations) v = NULL;
    g_autofree char *text = NULL;

    assert_int_equal(sfo_store_export(store, 0, &inv), 0);
    assert_int_equal(sfo_rules_check(inv, 0, &v), 0);
    text = describe(v);
    if (sfo_violations_error_count(v) != 0)
        fail_msg("the store holds a state sriovfo check rejects:\n%s", text);
}

static gboolean
store_has_profile(sfo_store *store, const char *id)
{
    g_autoptr(sfo_inventory) inv = NULL;

    assert_int_equal(sfo_store_export(store, 0, &inv), 0);
    return sfo_inventory_find_vnic_profile(inv, id) != NULL;
}

static gboolean
store_has_nic(sfo_store *store, const char *id)
{
    g_autoptr(sfo_inventory) inv = NULL;

    assert_int_equal(sfo_store_export(store, 0, &inv), 0);
    return sfo_inventory_find_nic(inv, id) != NULL;
}

static char *
migrations_dir(void)
{
    const char *top = g_getenv("abs_top_srcdir");

    return g_build_filename(top ? top : SFO_ABS_TOP_SRCDIR, "db-migrations", NULL);
}

/* ------------------------------------------------------------------------ */
/* migrations                                                               */
/* ------------------------------------------------------------------------ */

static void
test_store__migrations_numbered(void **state G_GNUC_UNUSED)
{
    g_autofree char *dir = migrations_dir();
    g_autoptr(GPtrArray) files = NULL;

    assert_int_equal(sfo_store_migrations_list(dir, &files), 0);
    /* the library's version is the number of files: one cannot change without the other */
    assert_int_equal(files->len, SFO_STORE_SCHEMA_VERSION);
    assert_string_equal(g_ptr_array_index(files, 0), "0001_inventory.sql");
    assert_string_equal(g_ptr_array_index(files, 1), "0002_failover.sql");
}

static void
test_store__migrations_gap_refused(void **state G_GNUC_UNUSED)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("sfo-mig.XXXXXX", &err);
    g_autofree char *f1 = g_build_filename(dir, "0001_a.sql", NULL);
    g_autofree char *f3 = g_build_filename(dir, "0003_c.sql", NULL);
    g_autoptr(GPtrArray) files = NULL;

    assert_true(g_file_set_contents(f1, "SELECT 1;", -1, NULL));
    assert_true(g_file_set_contents(f3, "SELECT 1;", -1, NULL));
    assert_int_equal(sfo_store_migrations_list(dir, &files), SFO_EDATABASE);
    sfo_store_test_assert_error(SFO_EDATABASE, SFO_KEY_DB_MIGRATIONS_NOT_FOUND);
    g_unlink(f1);
    g_unlink(f3);
    g_rmdir(dir);
}

/* pg_dump --schema-only, without comments, settings and runs of blank lines */
static char *
dump_schema(void)
{
    g_autofree char *bindir = NULL;
    g_autofree char *pg_dump = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err_out = NULL;
    g_auto(GStrv) lines = NULL;
    GString *norm = g_string_new(NULL);
    gboolean blank = TRUE;
    int status = 0;
    size_t i;

    assert_int_equal(sfo_store_server_bindir(&bindir), 0);
    pg_dump = g_build_filename(bindir, "pg_dump", NULL);
    {
        const char *argv[] = { pg_dump,        "--schema-only",
                               "--no-owner",   "--no-privileges",
                               "-h",           sfo_store_test_dir(),
                               "-p",           "5432",
                               "-U",           "sriovfo",
                               "sriovfo_test", NULL };

        if (!g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, &err_out, &status,
                          NULL) ||
            !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("pg_dump failed: %s", err_out ? err_out : "");
    }
    lines = g_strsplit(out, "\n", -1);
    for (i = 0; lines[i]; i++) {
        const char *l = lines[i];

        /* \restrict KEY (pg_dump 15.14 and later) holds a random key */
        if (g_str_has_prefix(l, "--") || g_str_has_prefix(l, "SET ") ||
            g_str_has_prefix(l, "SELECT pg_catalog.set_config") ||
            g_str_has_prefix(l, "\\restrict") || g_str_has_prefix(l, "\\unrestrict"))
            continue;
        if (!*l) {
            if (!blank)
                g_string_append_c(norm, '\n');
            blank = TRUE;
            continue;
        }
        g_string_append_printf(norm, "%s\n", l);
        blank = FALSE;
    }
    return g_string_free(norm, FALSE);
}

static void
test_store__schema_golden(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autofree char *schema = dump_schema();

    /* a dump of the wrong database would be empty, and an empty golden file would agree */
    assert_non_null(strstr(schema, "CREATE TABLE public.vnic_profiles ("));
    assert_non_null(strstr(schema, "CREATE TABLE public.sfo_schema_version ("));
    sfo_test_compare_golden("store", "schema.sql", schema);
}

static void
test_store__upgrade_step_by_step_keeps_data(void **state G_GNUC_UNUSED)
{
    g_autofree char *dir = migrations_dir();
    g_autofree char *v1_data = sfo_test_read_data("store", "v1-data.sql");
    g_autofree char *json = NULL;
    g_autoptr(sfo_store) store = NULL;
    g_autoptr(sfo_violations) v = NULL;
    PGconn *conn;
    int version = -1;

    sfo_store_test_reset();
    assert_int_equal(sfo_store_open(sfo_store_test_dsn(), SFO_STORE_OPEN_NO_UPGRADE, &store), 0);
    assert_int_equal(sfo_store_schema_version(store, &version), 0);
    assert_int_equal(version, 0);

    /* version 1, and data written as a version-1 writer would */
    assert_int_equal(sfo_store_migrate(store, dir, 1), 1);
    assert_int_equal(sfo_store_schema_version(store, &version), 0);
    assert_int_equal(version, 1);
    conn = sfo_store_test_connect();
    sfo_store_test_sql(conn, v1_data);
    PQfinish(conn);

    /* version 2 keeps every row and fills the new columns */
    assert_int_equal(sfo_store_migrate(store, dir, 2), 1);
    assert_int_equal(sfo_store_schema_version(store, &version), 0);
    assert_int_equal(version, 2);
    /* the library reads the newest schema: the later migrations keep the rows too */
    assert_int_equal(sfo_store_migrate(store, dir, SFO_STORE_SCHEMA_VERSION),
                     SFO_STORE_SCHEMA_VERSION - 2);
    json = sfo_store_test_export_json(store);
    sfo_test_compare_golden("store", "v1-upgraded.json", json);
    assert_store_checks_clean(store);

    /* and the failover columns work on the old rows */
    assert_int_equal(sfo_store_add_vnic_profile(store,
                                                "{\"id\": \"p-vf-fo\", \"name\": \"vf-fo\", "
                                                "\"network\": {\"id\": \"net-vf\"}, "
                                                "\"pass_through\": {\"mode\": \"enabled\"}, "
                                                "\"migratable\": true, "
                                                "\"failover\": {\"id\": \"p-br\"}}",
                                                0, NULL, &v),
                     0);
    assert_true(store_has_profile(store, "p-vf-fo"));
}

static void
test_store__upgrade_idempotent(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    int applied = -1;
    int latest = -1;

    assert_int_equal(sfo_store_upgrade(store, 0), 0);
    assert_int_equal(sfo_store_upgrade(store, 0), 0);
    assert_int_equal(sfo_store_version(store, 0, &applied, &latest), 0);
    assert_int_equal(applied, SFO_STORE_SCHEMA_VERSION);
    assert_int_equal(latest, SFO_STORE_SCHEMA_VERSION);
}

static void
test_store__schema_too_new_refused(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    sfo_store *other = NULL;
    PGconn *conn = sfo_store_test_connect();

    sfo_store_test_sql(conn, "INSERT INTO sfo_schema_version (version, name) "
                             "VALUES (99, '0099_from_the_future.sql')");
    PQfinish(conn);
    assert_int_equal(sfo_store_open(sfo_store_test_dsn(), 0, &other), SFO_EDATABASE);
    sfo_store_test_assert_error(SFO_EDATABASE, SFO_KEY_DB_SCHEMA_TOO_NEW);
    assert_null(other);
    assert_int_equal(sfo_store_upgrade(store, 0), SFO_EDATABASE);
    sfo_store_test_assert_error(SFO_EDATABASE, SFO_KEY_DB_SCHEMA_TOO_NEW);
}

static void
test_store__schema_too_old_with_dsn(void **state G_GNUC_UNUSED)
{
    sfo_store *store = NULL;

    sfo_store_test_reset();
    /* a DSN's database is upgraded on request only */
    assert_int_equal(sfo_store_open(sfo_store_test_dsn(), 0, &store), SFO_EDATABASE);
    sfo_store_test_assert_error(SFO_EDATABASE, SFO_KEY_DB_SCHEMA_TOO_OLD);
    assert_int_equal(sfo_store_open(sfo_store_test_dsn(), SFO_STORE_OPEN_NO_UPGRADE, &store), 0);
    assert_int_equal(sfo_store_upgrade(store, 0), SFO_STORE_SCHEMA_VERSION);
    sfo_store_close(store);
    store = NULL;
    assert_int_equal(sfo_store_open(sfo_store_test_dsn(), 0, &store), 0);
    sfo_store_close(store);
}

static void
test_store__failed_migration_rolls_back(void **state G_GNUC_UNUSED)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *src = migrations_dir();
    g_autofree char *dir = g_dir_make_tmp("sfo-mig.XXXXXX", &err);
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(GPtrArray) names = NULL;
    g_autofree char *broken_name = g_strdup_printf("%04d_broken.sql", SFO_STORE_SCHEMA_VERSION + 1);
    g_autofree char *broken = g_build_filename(dir, broken_name, NULL);
    g_autofree char *sqlstate = NULL;
    PGconn *conn;
    int version = -1;
    guint i;

    /* the real migrations, all applied already, and one more after them */
    assert_int_equal(sfo_store_migrations_list(src, &names), 0);
    for (i = 0; i < names->len; i++) {
        g_autofree char *from = g_build_filename(src, names->pdata[i], NULL);
        g_autofree char *to = g_build_filename(dir, names->pdata[i], NULL);
        g_autofree char *text = NULL;

        assert_true(g_file_get_contents(from, &text, NULL, NULL));
        assert_true(g_file_set_contents(to, text, -1, NULL));
    }
    /* its first statement works, its second does not: neither may stay */
    assert_true(g_file_set_contents(broken,
                                    "CREATE TABLE half_done (x integer);\n"
                                    "ALTER TABLE no_such_table ADD COLUMN y integer;\n",
                                    -1, NULL));
    assert_int_equal(sfo_store_migrate(store, dir, SFO_STORE_SCHEMA_VERSION + 1), SFO_EDATABASE);
    sfo_store_test_assert_error(SFO_EDATABASE, SFO_KEY_DB_MIGRATION_FAILED);
    assert_int_equal(sfo_store_schema_version(store, &version), 0);
    assert_int_equal(version, SFO_STORE_SCHEMA_VERSION);
    conn = sfo_store_test_connect();
    sqlstate = sfo_store_test_try_sql(conn, "SELECT * FROM half_done", 0, NULL, NULL);
    assert_string_equal(sqlstate, "42P01"); /* undefined_table */
    PQfinish(conn);

    for (i = 0; i < names->len; i++) {
        g_autofree char *to = g_build_filename(dir, names->pdata[i], NULL);

        g_unlink(to);
    }
    g_unlink(broken);
    g_rmdir(dir);
}

/* ------------------------------------------------------------------------ */
/* import and export                                                        */
/* ------------------------------------------------------------------------ */

static void
test_store__import_export_round_trip(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = load_example();
    g_autoptr(sfo_violations) v = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;

    assert_int_equal(sfo_store_import(store, inv, 0, &v), 0);
    assert_int_equal(sfo_violations_error_count(v), 0);
    assert_int_equal(sfo_inventory_format(inv, 0, &expected), 0);
    actual = sfo_store_test_export_json(store);
    /* every object, field and list order comes back */
    assert_string_equal(actual, expected);
}

static void
test_store__import_refuses_violations(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("cli", "violations.json");
    g_autoptr(sfo_violations) expected = NULL;
    g_autoptr(sfo_violations) v = NULL;
    g_autoptr(sfo_inventory) after = NULL;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;

    assert_int_equal(sfo_rules_check(inv, 0, &expected), 0);
    assert_true(sfo_violations_error_count(expected) > 0);
    assert_int_equal(sfo_store_import(store, inv, 0, &v), SFO_EVIOLATED);
    sfo_store_test_assert_error(SFO_EVIOLATED, SFO_KEY_RULE_VIOLATED);
    want = describe(expected);
    got = describe(v);
    assert_string_equal(got, want);
    /* nothing was written */
    assert_int_equal(sfo_store_export(store, 0, &after), 0);
    assert_int_equal(after->data_centers->len, 0);
    assert_int_equal(after->vnic_profiles->len, 0);
}

static void
test_store__import_into_non_empty(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = load_example();
    g_autoptr(sfo_inventory) small = sfo_test_load_inventory("rules", "base.json");
    g_autoptr(sfo_inventory) after = NULL;

    assert_int_equal(sfo_store_import(store, inv, 0, NULL), 0);
    assert_int_equal(sfo_store_import(store, small, 0, NULL), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_STORE_NOT_EMPTY);
    assert_int_equal(sfo_store_import(store, small, SFO_STORE_IMPORT_REPLACE, NULL), 0);
    assert_int_equal(sfo_store_export(store, 0, &after), 0);
    assert_int_equal(after->vnic_profiles->len, small->vnic_profiles->len);
    assert_int_equal(after->nics->len, small->nics->len);
    assert_null(sfo_inventory_find_vm(after, WEB1));
}

/* ------------------------------------------------------------------------ */
/* the repository calls give what sfo_rules_validate() gives                */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    int action;
    const char *json; /* the object; for remove-vnic-profile and plug-nic {"id": ...} */
} sfo_rules_case;

#define PROFILE(id, extra) \
    "{\"id\": \"" id "\", \"name\": \"new-profile\", \"network\": {\"id\": \"" NET_VF "\"}" extra \
    "}"
#define NIC(id, vm, profile, iface, mac) \
    "{\"id\": \"" id "\", \"name\": \"nic-new\", \"vm\": {\"id\": \"" vm "\"}, " \
    "\"vnic_profile\": {\"id\": \"" profile "\"}, \"interface\": \"" iface "\", " \
    "\"mac\": {\"address\": \"" mac "\"}}"

static const sfo_rules_case sfo_rules_cases[] = {
    /* vNIC profiles */
    { "add_profile_valid", SFO_ACTION_ADD_VNIC_PROFILE,
      PROFILE("p-new", ", \"pass_through\": {\"mode\": \"enabled\"}, \"migratable\": true, "
                       "\"failover\": {\"id\": \"" P_VIRTIO_FAILOVER "\"}") },
    { "add_profile_failover_passthrough", SFO_ACTION_ADD_VNIC_PROFILE,
      PROFILE("p-new", ", \"pass_through\": {\"mode\": \"enabled\"}, \"migratable\": true, "
                       "\"failover\": {\"id\": \"" P_SRIOV_PLAIN "\"}") },
    { "add_profile_failover_self", SFO_ACTION_ADD_VNIC_PROFILE,
      PROFILE("p-new", ", \"pass_through\": {\"mode\": \"enabled\"}, \"migratable\": true, "
                       "\"failover\": {\"id\": \"p-new\"}") },
    { "add_profile_failover_missing", SFO_ACTION_ADD_VNIC_PROFILE,
      PROFILE("p-new", ", \"pass_through\": {\"mode\": \"enabled\"}, \"migratable\": true, "
                       "\"failover\": {\"id\": \"no-such-profile\"}") },
    { "add_profile_failover_not_migratable", SFO_ACTION_ADD_VNIC_PROFILE,
      PROFILE("p-new", ", \"pass_through\": {\"mode\": \"enabled\"}, "
                       "\"failover\": {\"id\": \"" P_VIRTIO_FAILOVER "\"}") },
    { "add_profile_passthrough_port_mirroring", SFO_ACTION_ADD_VNIC_PROFILE,
      PROFILE("p-new", ", \"pass_through\": {\"mode\": \"enabled\"}, \"port_mirroring\": true") },
    { "add_profile_no_network", SFO_ACTION_ADD_VNIC_PROFILE,
      "{\"id\": \"p-new\", \"name\": \"n\", \"network\": {\"id\": \"no-such-net\"}}" },
    { "update_profile_valid", SFO_ACTION_UPDATE_VNIC_PROFILE,
      PROFILE(P_SRIOV_PLAIN, ", \"pass_through\": {\"mode\": \"enabled\"}") },
    { "update_profile_failover_target", SFO_ACTION_UPDATE_VNIC_PROFILE,
      "{\"id\": \"" P_VIRTIO_FAILOVER "\", \"name\": \"renamed\", "
      "\"network\": {\"id\": \"" NET_BRIDGE "\"}}" },
    { "update_profile_failover_while_used", SFO_ACTION_UPDATE_VNIC_PROFILE,
      "{\"id\": \"" P_SRIOV_FAILOVER "\", \"name\": \"sriov-failover\", "
      "\"network\": {\"id\": \"" NET_VF "\"}, \"pass_through\": {\"mode\": \"enabled\"}, "
      "\"migratable\": true, \"failover\": {\"id\": \"" P_PERSISTENT_VIRTIO "\"}}" },
    { "update_profile_unknown", SFO_ACTION_UPDATE_VNIC_PROFILE, PROFILE("no-such-profile", "") },
    /* rule 6 reads the profile's users only when failover, passthrough or port mirroring
     * change (docs/store.md): each of the three on its own, and a rename that reads none */
    { "update_profile_rename_while_used", SFO_ACTION_UPDATE_VNIC_PROFILE,
      "{\"id\": \"" P_VM_BRIDGE "\", \"name\": \"renamed\", "
      "\"network\": {\"id\": \"" NET_BRIDGE "\"}}" },
    { "update_profile_port_mirroring_while_used", SFO_ACTION_UPDATE_VNIC_PROFILE,
      "{\"id\": \"" P_VM_BRIDGE "\", \"name\": \"vm-bridge\", "
      "\"network\": {\"id\": \"" NET_BRIDGE "\"}, \"port_mirroring\": true}" },
    { "update_profile_passthrough_while_used", SFO_ACTION_UPDATE_VNIC_PROFILE,
      "{\"id\": \"" P_VM_BRIDGE "\", \"name\": \"vm-bridge\", "
      "\"network\": {\"id\": \"" NET_BRIDGE "\"}, \"pass_through\": {\"mode\": \"enabled\"}}" },
    { "update_profile_failover_dropped_while_used", SFO_ACTION_UPDATE_VNIC_PROFILE,
      "{\"id\": \"" P_SRIOV_FAILOVER "\", \"name\": \"sriov-failover\", "
      "\"network\": {\"id\": \"" NET_VF "\"}, \"pass_through\": {\"mode\": \"enabled\"}, "
      "\"migratable\": true}" },
    { "remove_profile_valid", SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"" P_SRIOV_PLAIN "\"}" },
    { "remove_profile_failover_target", SFO_ACTION_REMOVE_VNIC_PROFILE,
      "{\"id\": \"" P_VIRTIO_FAILOVER "\"}" },
    { "remove_profile_used_by_many", SFO_ACTION_REMOVE_VNIC_PROFILE,
      "{\"id\": \"" P_VM_BRIDGE "\"}" },
    { "remove_profile_unknown", SFO_ACTION_REMOVE_VNIC_PROFILE, "{\"id\": \"no-such-profile\"}" },
    /* NICs */
    { "add_nic_valid", SFO_ACTION_ADD_NIC,
      NIC("nic-new", DB1, P_SRIOV_FAILOVER, "pci_passthrough", "56:6f:1a:2b:00:10") },
    { "add_nic_failover_shared_in_vm", SFO_ACTION_ADD_NIC,
      NIC("nic-new", WEB1, P_SRIOV_FAILOVER, "pci_passthrough", "56:6f:1a:2b:00:10") },
    { "add_nic_mac_in_use", SFO_ACTION_ADD_NIC,
      NIC("nic-new", DB1, P_VM_BRIDGE, "virtio", "56:6F:1A:2B:00:01") },
    { "add_nic_legacy_cluster", SFO_ACTION_ADD_NIC,
      NIC("nic-new", LEGACY1, P_SRIOV_FAILOVER, "pci_passthrough", "56:6f:1a:2b:00:10") },
    { "add_nic_type_mismatch", SFO_ACTION_ADD_NIC,
      NIC("nic-new", DB1, P_SRIOV_FAILOVER, "virtio", "56:6f:1a:2b:00:10") },
    { "add_nic_unknown_vm_and_profile", SFO_ACTION_ADD_NIC,
      NIC("nic-new", "no-such-vm", "no-such-profile", "virtio", "56:6f:1a:2b:00:10") },
    { "update_nic_valid", SFO_ACTION_UPDATE_NIC,
      NIC(NIC_WEB1_VIRTIO, WEB1, P_VM_BRIDGE, "virtio", "56:6f:1a:2b:00:02") },
    { "update_nic_into_shared_failover", SFO_ACTION_UPDATE_NIC,
      NIC(NIC_WEB1_VIRTIO, WEB1, P_SRIOV_FAILOVER, "pci_passthrough", "56:6f:1a:2b:00:02") },
    { "update_nic_unknown", SFO_ACTION_UPDATE_NIC,
      NIC("no-such-nic", WEB1, P_VM_BRIDGE, "virtio", "56:6f:1a:2b:00:10") },
    { "plug_nic", SFO_ACTION_PLUG_NIC, "{\"id\": \"" NIC_WEB1_VF "\"}" },
};

/* The object sfo_rules_validate() takes for a plug: the stored NIC, plugged */
static char *
plug_object(const sfo_inventory *inv, const char *id)
{
    const sfo_nic *nic = sfo_inventory_find_nic(inv, id);

    assert_non_null(nic);
    return g_strdup_printf("{\"id\": \"%s\", \"name\": \"%s\", \"vm\": {\"id\": \"%s\"}, "
                           "\"vnic_profile\": {\"id\": \"%s\"}, \"interface\": \"%s\", "
                           "\"mac\": {\"address\": \"%s\"}, \"plugged\": true}",
                           nic->id, nic->name, nic->vm_id, nic->vnic_profile_id,
                           sfo_nic_interface_to_string(nic->interface), nic->mac);
}

static int
run_store_action(sfo_store *store, const sfo_rules_case *c, const char *id, char **ret_id,
                 sfo_violations **ret_v)
{
    switch (c->action) {
    case SFO_ACTION_ADD_VNIC_PROFILE:
        return sfo_store_add_vnic_profile(store, c->json, 0, ret_id, ret_v);
    case SFO_ACTION_UPDATE_VNIC_PROFILE:
        return sfo_store_update_vnic_profile(store, c->json, 0, ret_v);
    case SFO_ACTION_REMOVE_VNIC_PROFILE:
        return sfo_store_remove_vnic_profile(store, id, 0, ret_v);
    case SFO_ACTION_ADD_NIC:
        return sfo_store_add_nic(store, c->json, 0, ret_id, ret_v);
    case SFO_ACTION_UPDATE_NIC:
        return sfo_store_update_nic(store, c->json, 0, ret_v);
    case SFO_ACTION_PLUG_NIC:
    default:
        return sfo_store_plug_nic(store, id, 0, ret_v);
    }
}

static void
test_store_rules_case(void **state)
{
    const sfo_rules_case *c = *state;
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = load_example();
    g_autoptr(sfo_violations) expected = NULL;
    g_autoptr(sfo_violations) got = NULL;
    g_autoptr(json_object) obj = NULL;
    g_autofree char *object = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *want = NULL;
    g_autofree char *have = NULL;
    g_autofree char *new_id = NULL;
    json_object *id = NULL;
    int r;

    import_example(store);
    assert_int_equal(sfo_json_parse(c->json, c->name, &obj), 0);
    json_object_object_get_ex(obj, "id", &id);
    if (c->action == SFO_ACTION_PLUG_NIC) {
        /* plug what was unplugged, in the store and in the inventory */
        assert_int_equal(sfo_store_unplug_nic(store, json_object_get_string(id), 0, NULL), 0);
        sfo_inventory_find_nic(inv, json_object_get_string(id))->plugged = FALSE;
    }
    object = c->action == SFO_ACTION_PLUG_NIC ? plug_object(inv, json_object_get_string(id))
                                              : g_strdup(c->json);
    assert_int_equal(sfo_rules_validate(inv, c->action, object, 0, &expected), 0);
    before = sfo_store_test_export_json(store);

    r = run_store_action(store, c, json_object_get_string(id), &new_id, &got);
    want = describe(expected);
    have = describe(got);
    if (r < 0 && r != SFO_EVIOLATED)
        fail_msg("%s: %s", c->name, sfo_error_last()->message);
    /* the same violations, with the same messages, in the same order */
    assert_string_equal(have, want);
    assert_int_equal(r, sfo_violations_error_count(expected) ? SFO_EVIOLATED : 0);
    after = sfo_store_test_export_json(store);
    if (r == SFO_EVIOLATED) {
        /* refused: nothing was written */
        assert_string_equal(after, before);
    } else {
        assert_string_not_equal(after, before);
        if (new_id)
            assert_string_equal(new_id, json_object_get_string(id));
        assert_store_checks_clean(store);
    }
}

static void
test_store__add_without_id_gets_uuid(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_violations) v = NULL;
    g_autofree char *id = NULL;
    g_autofree char *nic_id = NULL;
    g_autofree char *nic_json = NULL;

    import_example(store);
    assert_int_equal(sfo_store_add_vnic_profile(store,
                                                "{\"name\": \"no-id\", \"network\": {\"id\": "
                                                "\"" NET_VF "\"}}",
                                                0, &id, &v),
                     0);
    assert_non_null(id);
    assert_true(g_uuid_string_is_valid(id));
    assert_true(store_has_profile(store, id));

    nic_json = g_strdup_printf("{\"name\": \"n\", \"vm\": {\"id\": \"" DB1 "\"}, "
                               "\"vnic_profile\": {\"id\": \"%s\"}, "
                               "\"mac\": {\"address\": \"56:6f:1a:2b:00:42\"}}",
                               id);
    assert_int_equal(sfo_store_add_nic(store, nic_json, 0, &nic_id, NULL), 0);
    assert_true(g_uuid_string_is_valid(nic_id));
    assert_true(store_has_nic(store, nic_id));
}

static void
test_store__add_duplicate_id(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();

    import_example(store);
    assert_int_equal(sfo_store_add_vnic_profile(store, PROFILE(P_SRIOV_PLAIN, ""), 0, NULL, NULL),
                     SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_DUPLICATE_ID);
    assert_int_equal(
        sfo_store_add_nic(store, NIC(NIC_WEB1_VF, DB1, P_VM_BRIDGE, "virtio", "56:6f:1a:2b:00:42"),
                          0, NULL, NULL),
        SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_DUPLICATE_ID);
}

static void
test_store__malformed_object(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();

    assert_int_equal(sfo_store_add_vnic_profile(store, "{\"name\": ", 0, NULL, NULL), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_SYNTAX_ERROR);
    assert_int_equal(sfo_store_update_nic(store, "[]", 0, NULL), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE);
    /* without a MAC the store gives one; without a VM it cannot */
    assert_int_equal(sfo_store_add_nic(store, "{\"name\": \"n\"}", 0, NULL, NULL), SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD);
    assert_int_equal(sfo_store_add_nic(store,
                                       "{\"name\": \"n\", \"vm\": {\"id\": \"x\"}, \"mac\": {}}", 0,
                                       NULL, NULL),
                     SFO_EINVALID);
    sfo_store_test_assert_error(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD);
}

static void
test_store__nic_plug_unplug_remove(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = NULL;
    g_autoptr(sfo_violations) v = NULL;

    import_example(store);
    assert_int_equal(sfo_store_unplug_nic(store, NIC_WEB1_VF, 0, &v), 0);
    assert_int_equal(sfo_violations_count(v), 0);
    assert_int_equal(sfo_store_export(store, 0, &inv), 0);
    assert_false(sfo_inventory_find_nic(inv, NIC_WEB1_VF)->plugged);
    g_clear_pointer(&inv, sfo_inventory_free);
    assert_int_equal(sfo_store_plug_nic(store, NIC_WEB1_VF, 0, NULL), 0);
    assert_int_equal(sfo_store_export(store, 0, &inv), 0);
    assert_true(sfo_inventory_find_nic(inv, NIC_WEB1_VF)->plugged);

    /* the VF that named it is free now, not gone */
    assert_int_equal(sfo_store_remove_nic(store, NIC_WEB1_VF, 0, NULL), 0);
    assert_false(store_has_nic(store, NIC_WEB1_VF));
    g_clear_pointer(&inv, sfo_inventory_free);
    assert_int_equal(sfo_store_export(store, 0, &inv), 0);
    assert_null(
        ((sfo_vf *)g_ptr_array_index(
             ((sfo_pf *)g_ptr_array_index(((sfo_host *)g_ptr_array_index(inv->hosts, 0))->pfs, 0))
                 ->vfs,
             0))
            ->nic_id);

    assert_int_equal(sfo_store_remove_nic(store, NIC_WEB1_VF, 0, NULL), SFO_ENOTFOUND);
    sfo_store_test_assert_error(SFO_ENOTFOUND, SFO_KEY_NIC_NOT_FOUND);
    assert_int_equal(sfo_store_plug_nic(store, "no-such-nic", 0, NULL), SFO_ENOTFOUND);
    assert_int_equal(sfo_store_unplug_nic(store, "no-such-nic", 0, NULL), SFO_ENOTFOUND);
}

static void
test_store__list_profiles(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_inventory) inv = load_example();
    g_autoptr(json_object) doc = NULL;
    g_autofree char *json = NULL;
    json_object *list = NULL;
    size_t i;

    import_example(store);
    assert_int_equal(sfo_store_list_vnic_profiles(store, 0, &json), 0);
    assert_int_equal(sfo_json_parse(json, "list", &doc), 0);
    assert_true(json_object_object_get_ex(doc, "vnic_profiles", &list));
    assert_int_equal(json_object_array_length(list), inv->vnic_profiles->len);
    for (i = 0; i < inv->vnic_profiles->len; i++) {
        const sfo_vnic_profile *p = g_ptr_array_index(inv->vnic_profiles, i);
        g_autoptr(sfo_vnic_profile) q = NULL;

        assert_int_equal(sfo_vnic_profile_from_json(json_object_array_get_idx(list, i), "list", &q),
                         0);
        assert_string_equal(q->id, p->id);
        assert_string_equal(q->name, p->name);
        assert_int_equal(q->pass_through, p->pass_through);
        assert_string_equal(q->failover_id ? q->failover_id : "",
                            p->failover_id ? p->failover_id : "");
    }
}

/* ------------------------------------------------------------------------ */
/* the constraints hold against a writer that bypasses the library          */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *what;
    const char *sql;
    const char *sqlstate;
    const char *constraint;
} sfo_constraint_case;

static const sfo_constraint_case sfo_constraint_cases[] = {
    { "a profile name taken on the network",
      "UPDATE vnic_profiles SET name = 'sriov-failover' WHERE id = '" P_SRIOV_PLAIN "'", "23505",
      "vnic_profiles_network_id_name_key" },
    { "rule 1: a profile names itself",
      "UPDATE vnic_profiles SET failover_vnic_profile_id = id WHERE id = '" P_SRIOV_FAILOVER "'",
      "23514", "vnic_profiles_failover_not_self_check" },
    /* sriov-plain: passthrough, no NIC uses it */
    { "rule 2: the failover is passthrough",
      "UPDATE vnic_profiles SET migratable = true, failover_vnic_profile_id = '" P_SRIOV_FAILOVER
      "' WHERE id = '" P_SRIOV_PLAIN "'",
      "23503", "vnic_profiles_failover_target_fk" },
    { "rule 2: the failover does not exist",
      "UPDATE vnic_profiles SET migratable = true, failover_vnic_profile_id = 'nope' "
      "WHERE id = '" P_SRIOV_PLAIN "'",
      "23503", "vnic_profiles_failover_vnic_profile_id_fk" },
    { "rule 4: a failover on a profile that is not migratable",
      "UPDATE vnic_profiles SET migratable = false WHERE id = '" P_SRIOV_FAILOVER "'", "23514",
      "vnic_profiles_failover_migratable_passthrough_check" },
    { "rule 5: a failover target made passthrough",
      "UPDATE vnic_profiles SET pass_through = true WHERE id = '" P_VIRTIO_FAILOVER "'", "23503",
      "vnic_profiles_failover_target_fk" },
    { "rule 6: the failover of a profile NICs use changes",
      "UPDATE vnic_profiles SET failover_vnic_profile_id = '" P_PERSISTENT_VIRTIO "' "
      "WHERE id = '" P_SRIOV_FAILOVER "'",
      "23503", "nics_vnic_profile_failover_fk" },
    { "rule 8: a second NIC of the VM on the same failover",
      "INSERT INTO nics (id, name, vm_id, vnic_profile_id, interface, mac, "
      "failover_vnic_profile_id) VALUES ('n2', 'n2', '" WEB1 "', '" P_SRIOV_FAILOVER "', "
      "'pci_passthrough', '56:6f:1a:2b:00:42', '" P_VIRTIO_FAILOVER "')",
      "23505", "nics_vm_id_failover_vnic_profile_id_key" },
    { "rule 8: a NIC whose failover copy is wrong",
      "INSERT INTO nics (id, name, vm_id, vnic_profile_id, interface, mac) "
      "VALUES ('n2', 'n2', '" DB1 "', '" P_SRIOV_FAILOVER "', 'pci_passthrough', "
      "'56:6f:1a:2b:00:42')",
      "23503", "nics_vnic_profile_failover_fk" },
    { "rule 9: removing a failover target",
      "DELETE FROM vnic_profiles WHERE id = '" P_VIRTIO_FAILOVER "'", "23503",
      "vnic_profiles_failover_vnic_profile_id_fk" },
    { "rule 10: a failover in another data center",
      "INSERT INTO data_centers (id, name) VALUES ('dc2', 'dc2'); "
      "INSERT INTO networks (id, name, data_center_id, bridge) VALUES ('n-dc2', 'n', 'dc2', 'n'); "
      "INSERT INTO vnic_profiles (id, name, network_id, data_center_id, network_external, "
      "pass_through, migratable, failover_vnic_profile_id) VALUES ('p-dc2', 'p', 'n-dc2', 'dc2', "
      "false, true, true, '" P_VIRTIO_FAILOVER "')",
      "23503", "vnic_profiles_failover_target_fk" },
    { "rule 14: a passthrough profile with port mirroring",
      "UPDATE vnic_profiles SET port_mirroring = true WHERE id = '" P_SRIOV_PLAIN "'", "23514",
      "vnic_profiles_pass_through_properties_check" },
    { "rule 14: a virtio NIC on a passthrough profile",
      "UPDATE nics SET interface = 'virtio' WHERE id = '" NIC_WEB1_VF "'", "23503",
      "nics_vnic_profile_pass_through_fk" },
    { "rule 14: a MAC used twice",
      "UPDATE nics SET mac = '56:6F:1A:2B:00:01' WHERE id = '" NIC_WEB1_VIRTIO "'", "23505",
      "nics_mac_key" },
    { "a profile's copy of its network's data center",
      "UPDATE vnic_profiles SET data_center_id = 'other' WHERE id = '" P_SRIOV_PLAIN "'", "23503",
      "vnic_profiles_network_fk" },
    { "a NIC on a profile that does not exist (held by the composite key)",
      "UPDATE nics SET vnic_profile_id = 'nope' WHERE id = '" NIC_WEB1_VIRTIO "'", "23503",
      "nics_vnic_profile_pass_through_fk" },
    { "a profile on a network that does not exist (held by the composite key)",
      "UPDATE vnic_profiles SET network_id = 'nope' WHERE id = '" P_SRIOV_PLAIN "'", "23503",
      "vnic_profiles_network_fk" },
    { "an id a libvirt alias cannot hold",
      "INSERT INTO data_centers (id, name) VALUES ('a b', 'x')", "23514", "object_id_charset" },
};

static void
test_store_constraint_case(void **state)
{
    const sfo_constraint_case *c = *state;
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autofree char *sqlstate = NULL;
    g_autofree char *constraint = NULL;
    PGconn *conn;

    import_example(store);
    conn = sfo_store_test_connect();
    /* several statements in one text run in one implicit transaction */
    sqlstate = sfo_store_test_try_sql(conn, "BEGIN", 0, NULL, NULL);
    g_free(sqlstate);
    {
        g_autoptr(PGresult) res = PQexec(conn, c->sql);

        sqlstate = g_strdup(PQresultErrorField(res, PG_DIAG_SQLSTATE));
        constraint = g_strdup(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME));
    }
    sfo_store_test_sql(conn, "ROLLBACK");
    PQfinish(conn);
    if (g_strcmp0(sqlstate, c->sqlstate) != 0 || g_strcmp0(constraint, c->constraint) != 0)
        fail_msg("%s: expected SQLSTATE %s from %s, got %s from %s", c->what, c->sqlstate,
                 c->constraint, sqlstate ? sqlstate : "success", constraint ? constraint : "-");
    assert_store_checks_clean(store);
}

/* ------------------------------------------------------------------------ */
/* retries                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *point; /* where to break the connection */
    int calls;
} sfo_kill_hook;

/*
 * Terminates the store's backend from another connection, at @point, the
 * first time only. At "commit-sent" it first waits until the server has
 * committed: the COMMIT arrived, its answer is what gets lost.
 */
static void
kill_backend_hook(sfo_store *store, const char *point, gpointer data)
{
    sfo_kill_hook *h = data;
    g_autofree char *pid = g_strdup_printf("%d", PQbackendPID(store->conn));
    const char *params[] = { pid };
    const char *txid[] = { store->txid };
    g_autofree char *state = NULL;
    PGconn *conn;
    int i;

    if (!g_str_equal(point, h->point) || h->calls++ > 0)
        return;
    conn = sfo_store_test_connect();
    for (i = 0; g_str_equal(point, "commit-sent") && i < 500; i++) {
        g_autoptr(PGresult) res =
            PQexecParams(conn, "SELECT txid_status($1::bigint)", 1, NULL, txid, NULL, NULL, 0);

        if (g_strcmp0(PQgetvalue(res, 0, 0), "committed") == 0)
            break;
        g_usleep(10 * 1000);
    }
    state = sfo_store_test_try_sql(conn, "SELECT pg_terminate_backend($1::integer, 10000)", 1,
                                   params, NULL);
    assert_string_equal(state, "");
    PQfinish(conn);
}

static void
test_store__retry_after_lost_connection(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    sfo_kill_hook h = { "before-commit", 0 };
    g_autofree char *id = NULL;

    import_example(store);
    sfo_store_set_test_hook(store, kill_backend_hook, &h);
    if (sfo_store_add_vnic_profile(store, PROFILE("p-retried", ""), 0, &id, NULL) < 0)
        fail_msg("add: %s", sfo_error_last()->message);
    /* lost before COMMIT: rolled back, reconnected, applied on the second attempt */
    assert_int_equal(store->attempts, 2);
    sfo_store_set_test_hook(store, NULL, NULL);
    assert_true(store_has_profile(store, "p-retried"));
}

static void
test_store__commit_answer_lost(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    sfo_kill_hook h = { "commit-sent", 0 };
    g_autofree char *id = NULL;

    import_example(store);
    sfo_store_set_test_hook(store, kill_backend_hook, &h);
    /* committed, then the connection died: txid_status() says so, no second attempt */
    if (sfo_store_add_vnic_profile(store, PROFILE("p-once", ""), 0, &id, NULL) < 0)
        fail_msg("add: %s", sfo_error_last()->message);
    assert_int_equal(store->attempts, 1);
    sfo_store_set_test_hook(store, NULL, NULL);
    assert_true(store_has_profile(store, "p-once"));
}

/* Stops and starts the test's server: every connection of the store is gone */
static void
restart_server(void)
{
    assert_int_equal(sfo_store_embedded_stop(sfo_store_test_dir(), 0), 1);
    if (sfo_store_embedded_start(sfo_store_test_dir()) < 0)
        fail_msg("restart: %s", sfo_error_last()->message);
}

/*
 * Every call of an open store reconnects after the server restarted, on its
 * first try as far as its caller sees: each runs in the retrying transaction
 * runner. version() and list_vnic_profiles() once ran outside it and failed
 * once with DB_CONNECTION_FAILED ("terminating connection").
 */
static void
test_store__every_call_survives_a_restart(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_store_test_open();
    g_autoptr(sfo_inventory) exported = NULL;
    g_autofree char *json = NULL;
    g_autofree char *id = NULL;
    int applied = -1;
    int latest = -1;

    import_example(store);

    restart_server();
    if (sfo_store_version(store, 0, &applied, &latest) < 0)
        fail_msg("version: %s", sfo_error_last()->message);
    assert_int_equal(applied, SFO_STORE_SCHEMA_VERSION);
    assert_int_equal(latest, SFO_STORE_SCHEMA_VERSION);

    restart_server();
    if (sfo_store_list_vnic_profiles(store, 0, &json) < 0)
        fail_msg("list: %s", sfo_error_last()->message);
    assert_non_null(strstr(json, P_SRIOV_PLAIN));

    restart_server();
    if (sfo_store_upgrade(store, 0) < 0)
        fail_msg("upgrade: %s", sfo_error_last()->message);

    restart_server();
    if (sfo_store_export(store, 0, &exported) < 0)
        fail_msg("export: %s", sfo_error_last()->message);

    restart_server();
    if (sfo_store_add_vnic_profile(store, PROFILE("p-after-restart", ""), 0, &id, NULL) < 0)
        fail_msg("add: %s", sfo_error_last()->message);
    assert_true(store_has_profile(store, "p-after-restart"));
}

/* ------------------------------------------------------------------------ */
/* the embedded cluster                                                     */
/* ------------------------------------------------------------------------ */

static int
read_postmaster_pid(const char *data_dir)
{
    g_autofree char *path = g_build_filename(data_dir, "pgdata", "postmaster.pid", NULL);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    return (int)g_ascii_strtoll(text, NULL, 10);
}

typedef struct {
    char *dir;
    char *old_env;
} sfo_embedded_fixture;

/* A data directory of its own, and SRIOVFO_DATA_DIR naming it */
static int
embedded_setup(void **state)
{
    sfo_embedded_fixture *f = g_new0(sfo_embedded_fixture, 1);

    f->dir = g_dir_make_tmp("sfo-emb.XXXXXX", NULL);
    assert_non_null(f->dir);
    f->old_env = g_strdup(g_getenv("SRIOVFO_DATA_DIR"));
    g_setenv("SRIOVFO_DATA_DIR", f->dir, TRUE);
    *state = f;
    return 0;
}

/* Stops the cluster and removes it, also after a failed test */
static int
embedded_teardown(void **state)
{
    sfo_embedded_fixture *f = *state;
    const char *rm[] = { "rm", "-rf", f->dir, NULL };

    sfo_store_embedded_stop(f->dir, 0);
    g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    if (f->old_env)
        g_setenv("SRIOVFO_DATA_DIR", f->old_env, TRUE);
    else
        g_unsetenv("SRIOVFO_DATA_DIR");
    g_free(f->dir);
    g_free(f->old_env);
    g_free(f);
    return 0;
}

static void
test_store__embedded_life_cycle(void **state)
{
    sfo_embedded_fixture *f = *state;
    const char *dir = f->dir;
    g_autofree char *data_dir = NULL;
    sfo_store *store = NULL;
    int applied = -1;
    int pid;
    int pid2;
    int i;

    assert_int_equal(sfo_store_embedded_data_dir(&data_dir), 0);
    assert_string_equal(data_dir, dir);

    /* first use: initdb, start, upgrade */
    assert_int_equal(sfo_store_open(NULL, 0, &store), 0);
    assert_int_equal(sfo_store_version(store, 0, &applied, NULL), 0);
    assert_int_equal(applied, SFO_STORE_SCHEMA_VERSION);
    import_example(store);
    sfo_store_close(store);
    pid = read_postmaster_pid(dir);
    assert_true(pid > 0);

    /* second use: the same server */
    assert_int_equal(sfo_store_open(NULL, 0, &store), 0);
    assert_true(store_has_nic(store, NIC_WEB1_VF));
    sfo_store_close(store);
    assert_int_equal(read_postmaster_pid(dir), pid);

    /* stop; stopping again is no error */
    assert_int_equal(sfo_store_embedded_stop(dir, 0), 1);
    assert_int_equal(read_postmaster_pid(dir), -1);
    assert_int_equal(sfo_store_embedded_stop(dir, 0), 0);

    /* a crash: the server killed, its pid file left behind */
    assert_int_equal(sfo_store_open(NULL, 0, &store), 0);
    sfo_store_close(store);
    pid = read_postmaster_pid(dir);
    assert_true(pid > 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
        g_usleep(50 * 1000);
    assert_int_equal(read_postmaster_pid(dir), pid);
    assert_int_equal(sfo_store_open(NULL, 0, &store), 0);
    pid2 = read_postmaster_pid(dir);
    assert_true(pid2 > 0 && pid2 != pid);
    /* the data survived the crash */
    assert_true(store_has_nic(store, NIC_WEB1_VF));

    /* a server stopped under an open store: the next call restarts it */
    assert_int_equal(sfo_store_embedded_stop(dir, 0), 1);
    assert_true(store_has_nic(store, NIC_WEB1_VF));
    sfo_store_close(store);
}

/* TRUE when process @pid is a zombie */
static gboolean
process_is_zombie(int pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
    g_autofree char *stat = NULL;
    const char *paren;

    if (!g_file_get_contents(path, &stat, NULL, NULL) || !(paren = strrchr(stat, ')')))
        return FALSE;
    return paren[1] == ' ' && paren[2] == 'Z';
}

/*
 * kill -9 of the embedded server, whose parent does not reap it: the
 * postmaster stays a zombie, pg_ctl says it runs (kill(pid, 0) succeeds),
 * and every command failed with "cannot create the database of the embedded
 * store" until something reaped it. Made deterministic here: this process is
 * a subreaper, so the postmaster (whose parent, pg_ctl, exits) becomes its
 * child, and it never reaps it during the test. Start-up must see the dead
 * server, wait for its processes to leave its shared memory, and start anew.
 */
static void
test_store__embedded_after_kill_9(void **state)
{
    sfo_embedded_fixture *f = *state;
    sfo_store *store = NULL;
    int pid;
    int pid2;
    int i;

    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    assert_int_equal(sfo_store_open(NULL, 0, &store), 0);
    import_example(store);
    /* the test clusters run without synchronous commit: have the import written first */
    assert_int_equal(sfo_store_exec_script(store, "checkpoint", "CHECKPOINT"), 0);
    sfo_store_close(store);
    pid = read_postmaster_pid(f->dir);
    assert_true(pid > 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    for (i = 0; i < 200 && !process_is_zombie(pid); i++)
        g_usleep(10 * 1000);
    assert_true(process_is_zombie(pid));

    /* at once, with the zombie still there */
    if (sfo_store_open(NULL, 0, &store) < 0)
        fail_msg("open after kill -9: %s", sfo_error_last()->message);
    assert_true(process_is_zombie(pid));
    pid2 = read_postmaster_pid(f->dir);
    assert_true(pid2 > 0 && pid2 != pid);
    assert_true(store_has_nic(store, NIC_WEB1_VF));
    sfo_store_close(store);

    assert_int_equal(sfo_store_embedded_stop(f->dir, 0), 1);
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
    /* the dead server, its processes and the stopped one were children of this process */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* A durable embedded store (no SRIOVFO_PG_NOSYNC) compresses the pages it writes into the WAL */
static void
test_store__embedded_durable_settings(void **state)
{
    sfo_embedded_fixture *f = *state;
    g_autofree char *old_nosync = g_strdup(g_getenv("SRIOVFO_PG_NOSYNC"));
    g_autofree const char **keywords = NULL;
    g_autofree const char **values = NULL;
    static const char *const expected[][2] = {
        { "SHOW fsync", "on" },
        { "SHOW wal_compression", "lz4" },
    };
    sfo_store *store = NULL;
    PGconn *conn;
    size_t i;

    g_unsetenv("SRIOVFO_PG_NOSYNC");
    assert_int_equal(sfo_store_open(NULL, 0, &store), 0);
    if (old_nosync)
        g_setenv("SRIOVFO_PG_NOSYNC", old_nosync, TRUE);
    sfo_store_close(store);
    sfo_store_embedded_conninfo(f->dir, "sriovfo", &keywords, &values);
    conn = PQconnectdbParams(keywords, values, 0);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    for (i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_autoptr(PGresult) res = PQexec(conn, expected[i][0]);

        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        assert_string_equal(PQgetvalue(res, 0, 0), expected[i][1]);
    }
    PQfinish(conn);
}

static void
test_store__connection_refused(void **state G_GNUC_UNUSED)
{
    sfo_store *store = NULL;

    assert_int_equal(sfo_store_open("host=/nonexistent-dir port=1 connect_timeout=2 "
                                    "password=secret-do-not-print",
                                    0, &store),
                     SFO_EDATABASE);
    sfo_store_test_assert_error(SFO_EDATABASE, SFO_KEY_DB_CONNECTION_FAILED);
    assert_null(strstr(sfo_error_last()->message, "secret-do-not-print"));
    assert_null(strchr(sfo_error_last()->message, '\n'));
    assert_null(store);
}

/* ------------------------------------------------------------------------ */

static int
group_setup(void **state G_GNUC_UNUSED)
{
    return 0;
}

static int
group_teardown(void **state G_GNUC_UNUSED)
{
    sfo_store_test_stop();
    return 0;
}

int
main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_store__migrations_numbered),
        cmocka_unit_test(test_store__migrations_gap_refused),
        cmocka_unit_test(test_store__schema_golden),
        cmocka_unit_test(test_store__upgrade_step_by_step_keeps_data),
        cmocka_unit_test(test_store__upgrade_idempotent),
        cmocka_unit_test(test_store__schema_too_new_refused),
        cmocka_unit_test(test_store__schema_too_old_with_dsn),
        cmocka_unit_test(test_store__failed_migration_rolls_back),
        cmocka_unit_test(test_store__import_export_round_trip),
        cmocka_unit_test(test_store__import_refuses_violations),
        cmocka_unit_test(test_store__import_into_non_empty),
        cmocka_unit_test(test_store__add_without_id_gets_uuid),
        cmocka_unit_test(test_store__add_duplicate_id),
        cmocka_unit_test(test_store__malformed_object),
        cmocka_unit_test(test_store__nic_plug_unplug_remove),
        cmocka_unit_test(test_store__list_profiles),
        cmocka_unit_test(test_store__retry_after_lost_connection),
        cmocka_unit_test(test_store__commit_answer_lost),
        cmocka_unit_test(test_store__every_call_survives_a_restart),
        cmocka_unit_test_setup_teardown(test_store__embedded_life_cycle, embedded_setup,
                                        embedded_teardown),
        cmocka_unit_test_setup_teardown(test_store__embedded_after_kill_9, embedded_setup,
                                        embedded_teardown),
        cmocka_unit_test_setup_teardown(test_store__embedded_durable_settings, embedded_setup,
                                        embedded_teardown),
        cmocka_unit_test(test_store__connection_refused),
    };
    size_t nrules = G_N_ELEMENTS(sfo_rules_cases);
    size_t nconstraints = G_N_ELEMENTS(sfo_constraint_cases);
    size_t n = G_N_ELEMENTS(fixed) + nrules + nconstraints;
    g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    size_t i;
    size_t k = 0;

    if (!sfo_store_test_start())
        return 0;
    for (i = 0; i < G_N_ELEMENTS(fixed); i++)
        tests[k++] = fixed[i];
    for (i = 0; i < nrules; i++, k++) {
        char *name = g_strdup_printf("test_store__rules_%s", sfo_rules_cases[i].name);

        g_ptr_array_add(names, name);
        tests[k].name = name;
        tests[k].test_func = test_store_rules_case;
        tests[k].initial_state = (void *)&sfo_rules_cases[i];
    }
    for (i = 0; i < nconstraints; i++, k++) {
        char *name = g_strdup_printf("test_store__constraint_%zu", i + 1);

        g_ptr_array_add(names, name);
        tests[k].name = name;
        tests[k].test_func = test_store_constraint_case;
        tests[k].initial_state = (void *)&sfo_constraint_cases[i];
    }
    return _cmocka_run_group_tests("store", tests, n, group_setup, group_teardown);
}
