/*
 * sriovfo-db.c: the sriovfo commands over the store (db, import, export, profile, nic)
 *
 * Thin as the rest of the command: open the store (--dsn, $SRIOVFO_DSN, or
 * the embedded one), make one library call, print what it returned the way
 * "sriovfo check" does, exit 0, 1 (a rule is violated, nothing was written)
 * or 2 (bad usage, unreadable input, a database error).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "sriovfo-cli.h"

int
sfo_cli_open_store(const sfo_cli_options *opts, unsigned int flags, sfo_store **ret_store)
{
    if (sfo_store_open(opts->dsn, flags, ret_store) < 0)
        return sfo_cli_fail("opening the store");
    return EXIT_OK;
}

/*
 * The outcome of a change: the violations as "sriovfo check" prints them
 * and, after an add, the new id (a line of its own, or "id" in the JSON).
 */
static int
sfo_cli_print_result(int r, const char *what, sfo_violations *violations, const char *id,
                     const sfo_cli_options *opts)
{
    int rc;

    if (r < 0 && r != SFO_EVIOLATED)
        rc = sfo_cli_fail(what);
    else if (opts->json && id) {
        g_autofree char *text = NULL;
        json_object *doc;

        if (sfo_violations_format_json(violations, 0, &text) < 0)
            return sfo_cli_fail("formatting violations");
        doc = json_tokener_parse(text);
        json_object_object_add(doc, "id", json_object_new_string(id));
        printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(doc);
        rc = EXIT_OK;
    } else {
        rc = sfo_cli_print_violations(violations, opts);
        if (id)
            printf("%s\n", id);
    }
    sfo_violations_free(violations);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* db upgrade | status | stop                                               */
/* ------------------------------------------------------------------------ */

static int
sfo_cli_db_status(const sfo_cli_options *opts)
{
    sfo_store *store = NULL;
    g_autofree char *dir = NULL;
    int applied = 0;
    int latest = 0;
    int rc;

    if ((rc = sfo_cli_open_store(opts, SFO_STORE_OPEN_NO_UPGRADE, &store)) != EXIT_OK)
        return rc;
    if (sfo_store_version(store, 0, &applied, &latest) < 0) {
        sfo_store_close(store);
        return sfo_cli_fail("reading the schema version");
    }
    sfo_store_close(store);
    if (!opts->dsn && sfo_store_embedded_data_dir(&dir) < 0)
        return sfo_cli_fail("finding the data directory");
    if (opts->json) {
        json_object *doc = json_object_new_object();

        json_object_object_add(doc, "store",
                               json_object_new_string(opts->dsn ? "dsn" : "embedded"));
        if (dir)
            json_object_object_add(doc, "data_dir", json_object_new_string(dir));
        json_object_object_add(doc, "schema_version", json_object_new_int(applied));
        json_object_object_add(doc, "latest_version", json_object_new_int(latest));
        printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(doc);
    } else {
        if (dir)
            printf("store: embedded, in %s\n", dir);
        else
            printf("store: the database of --dsn / SRIOVFO_DSN\n");
        printf("schema version: %d (this sriovfo: %d)\n", applied, latest);
        if (applied < latest)
            printf("run 'sriovfo db upgrade' to apply %d migration(s)\n", latest - applied);
    }
    return EXIT_OK;
}

static int
sfo_cli_db_upgrade(const sfo_cli_options *opts)
{
    sfo_store *store = NULL;
    int applied_now;
    int version = 0;
    int rc;

    if ((rc = sfo_cli_open_store(opts, SFO_STORE_OPEN_NO_UPGRADE, &store)) != EXIT_OK)
        return rc;
    applied_now = sfo_store_upgrade(store, 0);
    if (applied_now < 0 || sfo_store_version(store, 0, &version, NULL) < 0) {
        sfo_store_close(store);
        return sfo_cli_fail("upgrading the schema");
    }
    sfo_store_close(store);
    printf("applied %d migration(s); schema version %d\n", applied_now, version);
    return EXIT_OK;
}

static int
sfo_cli_db_stop(const sfo_cli_options *opts)
{
    g_autofree char *dir = NULL;
    int r;

    if (opts->dsn)
        return sfo_cli_usage_error("%s", "db stop: only the embedded store is ours to stop "
                                         "(unset SRIOVFO_DSN, drop --dsn)");
    if (sfo_store_embedded_data_dir(&dir) < 0 || (r = sfo_store_embedded_stop(dir, 0)) < 0)
        return sfo_cli_fail("stopping the embedded store");
    if (r > 0)
        printf("stopped the embedded store in %s\n", dir);
    else
        printf("the embedded store in %s was not running\n", dir);
    return EXIT_OK;
}

int
sfo_cli_db(char **args, const sfo_cli_options *opts)
{
    if (g_strv_length(args) != 1)
        return sfo_cli_usage_error("%s", "usage: sriovfo db upgrade|status|stop");
    if (strcmp(args[0], "upgrade") == 0)
        return sfo_cli_db_upgrade(opts);
    if (strcmp(args[0], "status") == 0)
        return sfo_cli_db_status(opts);
    if (strcmp(args[0], "stop") == 0)
        return sfo_cli_db_stop(opts);
    return sfo_cli_usage_error("unknown db command '%s'", args[0]);
}

/* ------------------------------------------------------------------------ */
/* import, export                                                           */
/* ------------------------------------------------------------------------ */

int
sfo_cli_import(char **args, const sfo_cli_options *opts)
{
    sfo_inventory *inv = NULL;
    sfo_store *store = NULL;
    sfo_violations *violations = NULL;
    int rc;
    int r;

    if (g_strv_length(args) != 1)
        return sfo_cli_usage_error("%s", "usage: sriovfo import INVENTORY [--replace]");
    if (sfo_inventory_load_file(args[0], 0, &inv) < 0)
        return sfo_cli_fail("loading inventory");
    if ((rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK) {
        sfo_inventory_free(inv);
        return rc;
    }
    r = sfo_store_import(store, inv, opts->replace ? SFO_STORE_IMPORT_REPLACE : 0, &violations);
    rc = sfo_cli_print_result(r, "importing", violations, NULL, opts);
    sfo_store_close(store);
    sfo_inventory_free(inv);
    return rc;
}

int
sfo_cli_export(char **args, const sfo_cli_options *opts)
{
    sfo_store *store = NULL;
    int rc;

    if (g_strv_length(args) != 0)
        return sfo_cli_usage_error("%s", "usage: sriovfo export");
    if ((rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK)
        return rc;
    /* streamed: the memory it takes does not grow with the store */
    fflush(stdout);
    if (sfo_store_export_fd(store, STDOUT_FILENO, 0) < 0)
        rc = sfo_cli_fail("exporting");
    sfo_store_close(store);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* profile, nic                                                             */
/* ------------------------------------------------------------------------ */

/* One store call on an object file (add, update) or an id (remove, plug, unplug) */
typedef enum {
    SFO_CLI_PROFILE_ADD,
    SFO_CLI_PROFILE_UPDATE,
    SFO_CLI_PROFILE_REMOVE,
    SFO_CLI_NIC_ADD,
    SFO_CLI_NIC_UPDATE,
    SFO_CLI_NIC_REMOVE,
    SFO_CLI_NIC_PLUG,
    SFO_CLI_NIC_UNPLUG,
} sfo_cli_change;

static int
sfo_cli_apply(sfo_store *store, sfo_cli_change change, const char *arg, char **ret_id,
              sfo_violations **ret_violations)
{
    switch (change) {
    case SFO_CLI_PROFILE_ADD:
        return sfo_store_add_vnic_profile(store, arg, 0, ret_id, ret_violations);
    case SFO_CLI_PROFILE_UPDATE:
        return sfo_store_update_vnic_profile(store, arg, 0, ret_violations);
    case SFO_CLI_PROFILE_REMOVE:
        return sfo_store_remove_vnic_profile(store, arg, 0, ret_violations);
    case SFO_CLI_NIC_ADD:
        return sfo_store_add_nic(store, arg, 0, ret_id, ret_violations);
    case SFO_CLI_NIC_UPDATE:
        return sfo_store_update_nic(store, arg, 0, ret_violations);
    case SFO_CLI_NIC_REMOVE:
        return sfo_store_remove_nic(store, arg, 0, ret_violations);
    case SFO_CLI_NIC_PLUG:
        return sfo_store_plug_nic(store, arg, 0, ret_violations);
    case SFO_CLI_NIC_UNPLUG:
    default:
        return sfo_store_unplug_nic(store, arg, 0, ret_violations);
    }
}

static int
sfo_cli_change_run(sfo_cli_change change, const char *arg, gboolean arg_is_file,
                   const sfo_cli_options *opts)
{
    g_autofree char *text = NULL;
    g_autofree char *what = NULL;
    sfo_violations *violations = NULL;
    sfo_store *store = NULL;
    char *id = NULL;
    int rc;
    int r;

    if (arg_is_file && (rc = sfo_cli_read_text(arg, "INVENTORY_SYNTAX_ERROR", &text)) != EXIT_OK)
        return rc;
    if ((rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK)
        return rc;
    r = sfo_cli_apply(store, change, arg_is_file ? text : arg, &id, &violations);
    what = g_strdup_printf("%s", arg);
    rc = sfo_cli_print_result(r, what, violations, id, opts);
    sfo_free(id);
    sfo_store_close(store);
    return rc;
}

static int
sfo_cli_profile_list(const sfo_cli_options *opts)
{
    sfo_store *store = NULL;
    char *text = NULL;
    json_object *doc;
    json_object *list = NULL;
    size_t i;
    int rc;

    if ((rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK)
        return rc;
    if (sfo_store_list_vnic_profiles(store, 0, &text) < 0) {
        sfo_store_close(store);
        return sfo_cli_fail("listing profiles");
    }
    sfo_store_close(store);
    if (opts->json) {
        fputs(text, stdout);
        sfo_free(text);
        return EXIT_OK;
    }
    /* one line per profile: id, name, then what matters for failover */
    doc = json_tokener_parse(text);
    sfo_free(text);
    json_object_object_get_ex(doc, "vnic_profiles", &list);
    for (i = 0; list && i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        json_object *v = NULL;
        json_object *mode = NULL;
        json_object *fo_id = NULL;

        json_object_object_get_ex(p, "id", &v);
        printf("%s", json_object_get_string(v));
        json_object_object_get_ex(p, "name", &v);
        printf(" %s", json_object_get_string(v));
        if (json_object_object_get_ex(p, "pass_through", &v) &&
            json_object_object_get_ex(v, "mode", &mode) &&
            g_str_equal(json_object_get_string(mode), "enabled"))
            printf(" passthrough");
        if (json_object_object_get_ex(p, "migratable", &v) && json_object_get_boolean(v))
            printf(" migratable");
        if (json_object_object_get_ex(p, "failover", &v) &&
            json_object_object_get_ex(v, "id", &fo_id))
            printf(" failover=%s", json_object_get_string(fo_id));
        printf("\n");
    }
    json_object_put(doc);
    return EXIT_OK;
}

static int
sfo_cli_object_command(char **args, const sfo_cli_options *opts, gboolean profile)
{
    const char *noun = profile ? "profile" : "nic";
    const char *verb = args[0];
    guint n = g_strv_length(args);

    if (n == 1 && profile && strcmp(verb, "list") == 0)
        return sfo_cli_profile_list(opts);
    if (n != 2) {
        if (profile)
            return sfo_cli_usage_error("%s", "usage: sriovfo profile add|update FILE.json, "
                                             "profile remove ID, profile list");
        return sfo_cli_usage_error("%s", "usage: sriovfo nic add|update FILE.json, "
                                         "nic remove|plug|unplug ID");
    }
    if (strcmp(verb, "add") == 0)
        return sfo_cli_change_run(profile ? SFO_CLI_PROFILE_ADD : SFO_CLI_NIC_ADD, args[1], TRUE,
                                  opts);
    if (strcmp(verb, "update") == 0)
        return sfo_cli_change_run(profile ? SFO_CLI_PROFILE_UPDATE : SFO_CLI_NIC_UPDATE, args[1],
                                  TRUE, opts);
    if (strcmp(verb, "remove") == 0)
        return sfo_cli_change_run(profile ? SFO_CLI_PROFILE_REMOVE : SFO_CLI_NIC_REMOVE, args[1],
                                  FALSE, opts);
    if (!profile && strcmp(verb, "plug") == 0)
        return sfo_cli_change_run(SFO_CLI_NIC_PLUG, args[1], FALSE, opts);
    if (!profile && strcmp(verb, "unplug") == 0)
        return sfo_cli_change_run(SFO_CLI_NIC_UNPLUG, args[1], FALSE, opts);
    return sfo_cli_usage_error("unknown %s command '%s'", noun, verb);
}

int
sfo_cli_profile(char **args, const sfo_cli_options *opts)
{
    if (!args[0])
        return sfo_cli_usage_error("%s", "usage: sriovfo profile add|update|remove|list ...");
    return sfo_cli_object_command(args, opts, TRUE);
}

int
sfo_cli_nic(char **args, const sfo_cli_options *opts)
{
    if (!args[0])
        return sfo_cli_usage_error("%s", "usage: sriovfo nic add|update|remove|plug|unplug ...");
    return sfo_cli_object_command(args, opts, FALSE);
}
