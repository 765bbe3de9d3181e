/*
 * sriovfo.c: the sriovfo command, a thin front end over libsriovfo
 *
 * It parses arguments, calls the public API and prints. Exit codes:
 * 0 no error (warnings allowed), 1 a rule is violated, 2 bad usage or
 * unreadable input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <sriovfo/sriovfo.h>

#include "sriovfo-cli.h"

static const char sfo_cli_usage[] =
    "Usage: sriovfo COMMAND [OPTION...] ARGS\n"
    "\n"
    "Commands:\n"
    "  check INVENTORY                     run every state rule over the inventory\n"
    "  validate INVENTORY ACTION OBJECT    check whether ACTION on OBJECT (a JSON file) may be\n"
    "                                      applied; ACTION is one of add-vnic-profile,\n"
    "                                      update-vnic-profile, remove-vnic-profile, add-nic,\n"
    "                                      update-nic, plug-nic, run-vm, migrate-vm\n"
    "  domxml INVENTORY VM_ID [--domain]   libvirt <interface> XML of a VM's plugged NICs\n"
    "                                      (--domain: a complete minimal Q35 domain)\n"
    "  netxml INVENTORY HOST_ID            libvirt <network> definitions a host needs\n"
    "  check-domxml FILE                   check the <teaming> pairs of a libvirt domain XML\n"
    "\n"
    "Store commands (PostgreSQL; the embedded store unless --dsn or SRIOVFO_DSN is given):\n"
    "  db upgrade                          apply the schema migrations the database lacks\n"
    "  db status                           print the schema version\n"
    "  db stop                             stop the embedded store's server\n"
    "  import INVENTORY [--replace]        check every rule and store the inventory\n"
    "  export                              print the stored inventory (JSON)\n"
    "  profile add|update FILE.json        add or change a vNIC profile; add prints its id\n"
    "  profile remove ID                   remove a vNIC profile\n"
    "  profile list                        list the vNIC profiles\n"
    "  nic add|update FILE.json            add or change a VM NIC; add prints its id\n"
    "  nic remove|plug|unplug ID           remove a VM NIC, or plug or unplug it\n"
    "\n"
    "Options:\n"
    "  --json      print {\"violations\":[...]} instead of 'error KEY: message' lines\n"
    "  --domain    with domxml: print a complete domain\n"
    "  --dsn DSN   with store commands: a libpq connection string or URI\n"
    "  --replace   with import: replace what the store holds\n"
    "  --help      show this help\n"
    "  --version   print the version\n"
    "\n"
    "Exit status: 0 no error (warnings allowed), 1 a rule is violated, 2 bad usage,\n"
    "unreadable input or a database error.\n";

int
sfo_cli_fail(const char *what)
{
    const sfo_error *err = sfo_error_last();

    if (err)
        fprintf(stderr, "sriovfo: %s: %s (%s)\n", what, err->message, err->key);
    else
        fprintf(stderr, "sriovfo: %s failed\n", what);
    return EXIT_USAGE;
}

int
sfo_cli_usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "sriovfo: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'sriovfo --help'.\n");
    return EXIT_USAGE;
}

int
sfo_cli_print_violations(const sfo_violations *violations, const sfo_cli_options *opts)
{
    size_t n = sfo_violations_count(violations);
    size_t errors = sfo_violations_error_count(violations);
    size_t i;

    if (opts->json) {
        char *json = NULL;

        if (sfo_violations_format_json(violations, 0, &json) < 0)
            return sfo_cli_fail("formatting violations");
        printf("%s\n", json);
        sfo_free(json);
    } else {
        for (i = 0; i < n; i++) {
            printf("%s %s: %s\n",
                   sfo_violations_severity(violations, i) == SFO_SEVERITY_WARNING ? "warning"
                                                                                  : "error",
                   sfo_violations_key(violations, i), sfo_violations_message(violations, i));
        }
        fprintf(stderr, "%zu error(s), %zu warning(s)\n", errors, n - errors);
    }
    return errors ? EXIT_VIOLATED : EXIT_OK;
}

static int
sfo_cli_load(const char *path, sfo_inventory **ret_inventory)
{
    if (sfo_inventory_load_file(path, 0, ret_inventory) < 0)
        return sfo_cli_fail("loading inventory");
    return EXIT_OK;
}

static int
sfo_cli_check(char **args, const sfo_cli_options *opts)
{
    sfo_inventory *inv = NULL;
    sfo_violations *violations = NULL;
    int rc;

    if (g_strv_length(args) != 1)
        return sfo_cli_usage_error("%s", "usage: sriovfo check INVENTORY");
    if ((rc = sfo_cli_load(args[0], &inv)) != EXIT_OK)
        return rc;
    if (sfo_rules_check(inv, 0, &violations) < 0)
        rc = sfo_cli_fail("checking");
    else
        rc = sfo_cli_print_violations(violations, opts);
    sfo_violations_free(violations);
    sfo_inventory_free(inv);
    return rc;
}

static int
sfo_cli_validate(char **args, const sfo_cli_options *opts)
{
    sfo_inventory *inv = NULL;
    sfo_violations *violations = NULL;
    g_autofree char *object = NULL;
    g_autoptr(GError) err = NULL;
    int action;
    int rc;

    if (g_strv_length(args) != 3)
        return sfo_cli_usage_error("%s", "usage: sriovfo validate INVENTORY ACTION OBJECT.json");
    if ((action = sfo_action_from_string(args[1])) < 0)
        return sfo_cli_usage_error("unknown action '%s'", args[1]);
    if (!g_file_get_contents(args[2], &object, NULL, &err)) {
        fprintf(stderr, "sriovfo: cannot read %s: %s\n", args[2], err->message);
        return EXIT_USAGE;
    }
    if ((rc = sfo_cli_load(args[0], &inv)) != EXIT_OK)
        return rc;
    if (sfo_rules_validate(inv, action, object, 0, &violations) < 0)
        rc = sfo_cli_fail(args[2]);
    else
        rc = sfo_cli_print_violations(violations, opts);
    sfo_violations_free(violations);
    sfo_inventory_free(inv);
    return rc;
}

/* sfo_domxml_format_vm() and sfo_domxml_format_host_networks() */
typedef int (*sfo_cli_xml_formatter)(const sfo_inventory *inventory, const char *id,
                                     unsigned int flags, char **ret_xml);

static int
sfo_cli_print_xml(char **args, const char *command, const char *usage, sfo_cli_xml_formatter format,
                  unsigned int flags)
{
    sfo_inventory *inv = NULL;
    char *xml = NULL;
    int rc;

    if (g_strv_length(args) != 2)
        return sfo_cli_usage_error("usage: %s", usage);
    if ((rc = sfo_cli_load(args[0], &inv)) != EXIT_OK)
        return rc;
    if (format(inv, args[1], flags, &xml) < 0) {
        rc = sfo_cli_fail(command);
    } else {
        fputs(xml, stdout);
        rc = EXIT_OK;
    }
    sfo_free(xml);
    sfo_inventory_free(inv);
    return rc;
}

static int
sfo_cli_domxml(char **args, const sfo_cli_options *opts)
{
    return sfo_cli_print_xml(args, "domxml", "sriovfo domxml INVENTORY VM_ID [--domain]",
                             sfo_domxml_format_vm, opts->domain ? SFO_DOMXML_DOMAIN : 0);
}

static int
sfo_cli_netxml(char **args, const sfo_cli_options *opts)
{
    return sfo_cli_print_xml(args, "netxml", "sriovfo netxml INVENTORY HOST_ID",
                             sfo_domxml_format_host_networks, 0);
}

static int
sfo_cli_check_domxml(char **args, const sfo_cli_options *opts)
{
    sfo_violations *violations = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    int rc;

    if (g_strv_length(args) != 1)
        return sfo_cli_usage_error("%s", "usage: sriovfo check-domxml FILE");
    if (!g_file_get_contents(args[0], &xml, NULL, &err)) {
        fprintf(stderr, "sriovfo: cannot read %s: %s\n", args[0], err->message);
        return EXIT_USAGE;
    }
    if (sfo_rules_check_domxml(xml, 0, &violations) < 0)
        return sfo_cli_fail(args[0]);
    rc = sfo_cli_print_violations(violations, opts);
    sfo_violations_free(violations);
    return rc;
}

typedef struct {
    const char *name;
    int (*run)(char **args, const sfo_cli_options *opts);
} sfo_cli_command;

static const sfo_cli_command sfo_cli_commands[] = {
    { "check", sfo_cli_check },
    { "validate", sfo_cli_validate },
    { "domxml", sfo_cli_domxml },
    { "netxml", sfo_cli_netxml },
    { "check-domxml", sfo_cli_check_domxml },
    /* the store (sriovfo-db.c) */
    { "db", sfo_cli_db },
    { "import", sfo_cli_import },
    { "export", sfo_cli_export },
    { "profile", sfo_cli_profile },
    { "nic", sfo_cli_nic },
};

int
main(int argc, char **argv)
{
    sfo_cli_options opts = { 0 };
    gboolean version = FALSE;
    g_auto(GStrv) args = NULL;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, "print JSON", NULL },
        { "domain", 0, 0, G_OPTION_ARG_NONE, &opts.domain, "domxml: a complete domain", NULL },
        { "dsn", 0, 0, G_OPTION_ARG_STRING, &opts.dsn, "store: connection string", NULL },
        { "replace", 0, 0, G_OPTION_ARG_NONE, &opts.replace, "import: replace", NULL },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "print the version", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;
    size_t i;

    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, entries, NULL);
    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(sfo_cli_usage, stdout);
            return EXIT_OK;
        }
    }
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        return sfo_cli_usage_error("%s", err->message);
    if (version) {
        printf("sriovfo %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    if (!args || !args[0]) {
        fputs(sfo_cli_usage, stderr);
        return EXIT_USAGE;
    }
    if (opts.domain && strcmp(args[0], "domxml") != 0)
        return sfo_cli_usage_error("--domain only applies to '%s'", "domxml");
    if (opts.replace && strcmp(args[0], "import") != 0)
        return sfo_cli_usage_error("--replace only applies to '%s'", "import");
    if (!opts.dsn && g_getenv("SRIOVFO_DSN") && *g_getenv("SRIOVFO_DSN"))
        opts.dsn = g_strdup(g_getenv("SRIOVFO_DSN"));
    for (i = 0; i < G_N_ELEMENTS(sfo_cli_commands); i++) {
        if (strcmp(args[0], sfo_cli_commands[i].name) == 0) {
            int rc = sfo_cli_commands[i].run(args + 1, &opts);

            g_free(opts.dsn);
            return rc;
        }
    }
    g_free(opts.dsn);
    return sfo_cli_usage_error("unknown command '%s'", args[0]);
}
