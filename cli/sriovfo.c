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
#include <unistd.h>

#include <glib.h>

#include <sriovfo/sriovfo-store.h>
#include <sriovfo/sriovfo-virt.h>
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
    "  plan INVENTORY plug|unplug NIC_ID   the steps of a hot plug or unplug, with their undo\n"
    "  plan INVENTORY migrate VM_ID HOST_ID\n"
    "                                      the steps of a live migration (also migrate-offline);\n"
    "                                      save|restore|snapshot VM_ID, run VM_ID [HOST_ID]\n"
    "  apply --connect URI INVENTORY ACTION ID [HOST_ID]\n"
    "                                      run the plan against libvirt, undo it on failure\n"
    "  apply --store ACTION ID [HOST_ID]   the same with the store's inventory, on its hosts'\n"
    "                                      libvirt URIs (unless --connect); a completed\n"
    "                                      sequence is written back to the store\n"
    "  reconcile [--connect URI]           finish or undo the sequences of the journal that a\n"
    "                                      crash (or a failed undo) left open\n"
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
    "  user add NAME --role admin|viewer   add a user of the REST engine; the password is the\n"
    "                                      first line of --password-file FILE, else of stdin\n"
    "  user passwd NAME                    set a user's password (ends its sessions)\n"
    "  user remove NAME                    remove a user\n"
    "  user list                           list the users and their roles\n"
    "\n"
    "Options:\n"
    "  --json      print {\"violations\":[...]} instead of 'error KEY: message' lines\n"
    "  --domain    with domxml: print a complete domain\n"
    "  --emulated  with plan, apply: user-mode networking, and an emulated e1000e standing in\n"
    "              for each VF (tests and demos on hosts without SR-IOV)\n"
    "  --emulated-bridge  as --emulated, with every stand-in on its network's bridge\n"
    "              (type='bridge': a lab that made the bridges, bench/downtime)\n"
    "  --connect URI       apply, reconcile: libvirt URI of the host the VM runs on\n"
    "  --dest-connect URI  apply migrate: libvirt URI of the destination, as the source's\n"
    "                      libvirt reaches it (peer-to-peer migration)\n"
    "  --migrate-uri URI   apply migrate: where the migration data goes (tcp://HOST[:PORT])\n"
    "  --memory-file FILE  apply snapshot: where the guest's memory goes (an external\n"
    "                      snapshot; FILE must not exist, on the VM's host)\n"
    "  --journal FILE      apply, reconcile: the journal (default: $XDG_STATE_HOME/sriovfo/\n"
    "                      journal.jsonl)\n"
    "  --store             apply, reconcile: journal in the store (the embedded one unless\n"
    "                      --dsn names another; --dsn or SRIOVFO_DSN alone also do, unless\n"
    "                      --journal is given)\n"
    "  --timeout SECONDS   apply, reconcile: how long to wait for a guest to release an\n"
    "                      interface (default 30)\n"
    "  --dsn DSN   with store commands, apply, reconcile: a libpq connection string or URI\n"
    "  --replace   with import: replace what the store holds\n"
    "  --role ROLE          user add: admin (read and write) or viewer (read only)\n"
    "  --password-file FILE user add, passwd: read the password from FILE, not stdin\n"
    "  --help      show this help\n"
    "  --version   print the version\n"
    "\n"
    "Exit status: 0 no error (warnings allowed), 1 a rule is violated (a store command then\n"
    "wrote nothing), 2 bad usage, unreadable input or a database error. apply: 0 completed, 1 refused or failed and undone, 3 the undo failed\n"
    "or the sequence stopped after its point of no return (reconcile can finish it).\n"
    "reconcile: 0 every open sequence was finished or undone, 3 one is still open.\n";

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
sfo_cli_read_text(const char *path, const char *key, char **ret_text)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;
    const char *nul;

    if (!g_file_get_contents(path, &text, &len, &err)) {
        fprintf(stderr, "sriovfo: cannot read %s: %s\n", path, err->message);
        return EXIT_USAGE;
    }
    if ((nul = memchr(text, '\0', len))) {
        fprintf(stderr, "sriovfo: %s: byte %zu is a NUL, which the text cannot hold (%s)\n", path,
                (size_t)(nul - text) + 1, key);
        return EXIT_USAGE;
    }
    *ret_text = g_steal_pointer(&text);
    return EXIT_OK;
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
    int action;
    int rc;

    if (g_strv_length(args) != 3)
        return sfo_cli_usage_error("%s", "usage: sriovfo validate INVENTORY ACTION OBJECT.json");
    if ((action = sfo_action_from_string(args[1])) < 0)
        return sfo_cli_usage_error("unknown action '%s'", args[1]);
    if ((rc = sfo_cli_read_text(args[2], "INVENTORY_SYNTAX_ERROR", &object)) != EXIT_OK)
        return rc;
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
    int rc;

    if (g_strv_length(args) != 1)
        return sfo_cli_usage_error("%s", "usage: sriovfo check-domxml FILE");
    if ((rc = sfo_cli_read_text(args[0], "DOMXML_SYNTAX_ERROR", &xml)) != EXIT_OK)
        return rc;
    if (sfo_rules_check_domxml(xml, 0, &violations) < 0)
        return sfo_cli_fail(args[0]);
    rc = sfo_cli_print_violations(violations, opts);
    sfo_violations_free(violations);
    return rc;
}

/* ARGS: ACTION ID [HOST_ID] (what follows the inventory), checked against the action */
static int
sfo_cli_action_args(char **args, const char *command, int *ret_action)
{
    guint n = g_strv_length(args);
    int action;

    if (n < 2)
        return sfo_cli_usage_error("usage: sriovfo %s INVENTORY ACTION ID [HOST_ID]", command);
    if ((action = sfo_plan_action_from_string(args[0])) < 0)
        return sfo_cli_usage_error("unknown action '%s'", args[0]);
    if ((action == SFO_PLAN_MIGRATE || action == SFO_PLAN_MIGRATE_OFFLINE) && n != 3)
        return sfo_cli_usage_error("usage: sriovfo %s INVENTORY %s VM_ID HOST_ID", command,
                                   args[0]);
    if (action == SFO_PLAN_RUN && n > 3)
        return sfo_cli_usage_error("usage: sriovfo %s INVENTORY run VM_ID [HOST_ID]", command);
    if (action != SFO_PLAN_MIGRATE && action != SFO_PLAN_MIGRATE_OFFLINE &&
        action != SFO_PLAN_RUN && n != 2)
        return sfo_cli_usage_error("usage: sriovfo %s INVENTORY %s %s", command, args[0],
                                   action <= SFO_PLAN_UNPLUG ? "NIC_ID" : "VM_ID");
    *ret_action = action;
    return EXIT_OK;
}

/* The plan of ARGS (ACTION ID [HOST_ID], checked) over @inv; EXIT_OK or the exit status */
/* The plan flags of --emulated and --emulated-bridge */
static unsigned int
sfo_cli_plan_flags(const sfo_cli_options *opts)
{
    if (opts->emulated_bridge)
        return SFO_PLAN_EMULATED | SFO_PLAN_EMULATED_BRIDGE;
    return opts->emulated ? SFO_PLAN_EMULATED : 0;
}

static int
sfo_cli_plan_for(const sfo_inventory *inv, char **args, int action, const sfo_cli_options *opts,
                 sfo_plan **ret_plan)
{
    if (sfo_plan_build(inv, action, args[1], args[2], sfo_cli_plan_flags(opts), ret_plan) < 0)
        return sfo_cli_fail("planning");
    return EXIT_OK;
}

/* Loads the inventory ARGS[0] and builds the plan of the rest; EXIT_OK or the exit status */
static int
sfo_cli_build_plan(char **args, const char *command, const sfo_cli_options *opts,
                   sfo_plan **ret_plan)
{
    sfo_inventory *inv = NULL;
    int action = 0;
    int rc;

    if (!args[0])
        return sfo_cli_usage_error("usage: sriovfo %s INVENTORY ACTION ID [HOST_ID]", command);
    if ((rc = sfo_cli_action_args(args + 1, command, &action)) != EXIT_OK)
        return rc;
    if ((rc = sfo_cli_load(args[0], &inv)) != EXIT_OK)
        return rc;
    rc = sfo_cli_plan_for(inv, args + 1, action, opts, ret_plan);
    sfo_inventory_free(inv);
    return rc;
}

static int
sfo_cli_plan(char **args, const sfo_cli_options *opts)
{
    sfo_plan *plan = NULL;
    char *json = NULL;
    int rc;

    if ((rc = sfo_cli_build_plan(args, "plan", opts, &plan)) != EXIT_OK)
        return rc;
    if (sfo_plan_format_json(plan, 0, &json) < 0) {
        rc = sfo_cli_fail("formatting the plan");
    } else {
        fputs(json, stdout);
        rc = sfo_plan_is_refused(plan) ? EXIT_VIOLATED : EXIT_OK;
    }
    sfo_free(json);
    sfo_plan_free(plan);
    return rc;
}

/* The journal: --journal, else $XDG_STATE_HOME/sriovfo/journal.jsonl */
static char *
sfo_cli_journal_path(const sfo_cli_options *opts)
{
    if (opts->journal)
        return g_strdup(opts->journal);
#if GLIB_CHECK_VERSION(2, 72, 0)
    return g_build_filename(g_get_user_state_dir(), "sriovfo", "journal.jsonl", NULL);
#else
    return g_build_filename(g_get_user_data_dir(), "sriovfo", "journal.jsonl", NULL);
#endif
}

/*
 * apply and reconcile journal to the store with --store or --dsn, and with
 * SRIOVFO_DSN unless --journal names a file (main() refuses --journal with
 * the other two).
 */
static gboolean
sfo_cli_uses_store(const sfo_cli_options *opts)
{
    return !opts->journal && (opts->store || opts->dsn);
}

/*
 * Opens the connections and the journal: in @store's database, or the file
 * (@store NULL); EXIT_OK or the exit status
 */
static int
sfo_cli_exec_open(const sfo_cli_options *opts, const char *connect, const char *dest_connect,
                  sfo_store *store, sfo_exec **ret_exec)
{
    g_autofree char *path = store ? NULL : sfo_cli_journal_path(opts);
    sfo_journal *journal = NULL;
    sfo_exec *exec = NULL;

    if (sfo_exec_open(connect, dest_connect, 0, &exec) < 0)
        return sfo_cli_fail("connecting");
    if ((opts->timeout > 0 &&
         sfo_exec_set_unplug_timeout(exec, (unsigned int)(opts->timeout * 1000)) < 0) ||
        sfo_exec_set_migration_uri(exec, opts->migrate_uri) < 0 ||
        sfo_exec_set_snapshot_memory_file(exec, opts->memory_file) < 0 ||
        (store ? sfo_store_open_journal(store, 0, &journal) < 0 ||
                     sfo_exec_use_journal(exec, journal) < 0
               : sfo_exec_set_journal(exec, path) < 0)) {
        sfo_exec_free(exec);
        return sfo_cli_fail("opening the journal");
    }
    *ret_exec = exec;
    return EXIT_OK;
}

/*
 * Prints @result (text or JSON) and maps its status to the exit status. For
 * reconcile, a sequence undone is a sequence closed: exit 0.
 */
static int
sfo_cli_print_result(const sfo_exec_result *result, gboolean reconcile, const sfo_cli_options *opts)
{
    char *out = NULL;
    int rc;

    if ((opts->json ? sfo_exec_result_format_json(result, 0, &out)
                    : sfo_exec_result_format_text(result, 0, &out)) < 0)
        return sfo_cli_fail("formatting the result");
    fputs(out, stdout);
    sfo_free(out);
    switch (sfo_exec_result_status(result)) {
    case SFO_EXEC_COMPLETED:
        rc = EXIT_OK;
        break;
    case SFO_EXEC_REFUSED:
    case SFO_EXEC_UNDONE:
        rc = reconcile ? EXIT_OK : EXIT_VIOLATED;
        break;
    case SFO_EXEC_INCOMPLETE:
    case SFO_EXEC_UNDO_FAILED:
    default:
        rc = EXIT_UNFINISHED;
        break;
    }
    return rc;
}

/* --json prints the final domain XML too: only then does exec read it */
static unsigned int
sfo_cli_run_flags(const sfo_cli_options *opts)
{
    return opts->json ? SFO_EXEC_RUN_DOMAIN_XML : 0;
}

/*
 * apply [INVENTORY] ACTION ID [HOST_ID]: with the store, INVENTORY may be left
 * out (the first argument is an action): the plan is then made from the
 * store (sfo_store_plan()), runs on the libvirt URIs of its hosts unless
 * --connect (and --dest-connect) name others, and a completed sequence is
 * written back to the store's inventory as it ends (docs/store.md).
 */
static int
sfo_cli_apply(char **args, const sfo_cli_options *opts)
{
    sfo_store *store = NULL;
    sfo_plan *plan = NULL;
    sfo_exec *exec = NULL;
    sfo_exec_result *result = NULL;
    char *source_uri = NULL;
    char *destination_uri = NULL;
    gboolean from_store;
    int action = -1;
    int rc;

    if (sfo_cli_uses_store(opts) && (rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK)
        return rc;
    from_store = store && args[0] && sfo_plan_action_from_string(args[0]) >= 0;
    if (!from_store && !opts->connect) {
        sfo_store_close(store);
        return sfo_cli_usage_error("%s", "apply needs --connect URI (or --store and no INVENTORY)");
    }
    if (!from_store)
        rc = sfo_cli_build_plan(args, "apply", opts, &plan);
    else if ((rc = sfo_cli_action_args(args, "apply", &action)) == EXIT_OK &&
             sfo_store_plan(store, action, args[1], args[2], sfo_cli_plan_flags(opts), &plan) < 0)
        rc = sfo_cli_fail("planning");
    /* the hosts' URIs, as the store has them, unless --connect names the source's */
    if (rc == EXIT_OK && from_store && !opts->connect && !sfo_plan_is_refused(plan) &&
        sfo_store_plan_uris(store, plan, 0, &source_uri, &destination_uri) < 0)
        rc = sfo_cli_fail("choosing the hosts' libvirt URIs");
    if (rc == EXIT_OK &&
        (rc = sfo_cli_exec_open(opts, opts->connect ? opts->connect : source_uri,
                                opts->dest_connect ? opts->dest_connect : destination_uri, store,
                                &exec)) == EXIT_OK) {
        int r = sfo_exec_run(exec, plan, sfo_cli_run_flags(opts), &result);

        if (r < 0) {
            sfo_cli_fail("applying the plan");
            /* refused as it began: a busy VM, a VF another sequence took */
            rc = r == SFO_EVIOLATED ? EXIT_VIOLATED : EXIT_USAGE;
        } else {
            rc = sfo_cli_print_result(result, FALSE, opts);
        }
    }
    sfo_free(source_uri);
    sfo_free(destination_uri);
    sfo_exec_result_free(result);
    sfo_exec_free(exec);
    sfo_plan_free(plan);
    sfo_store_close(store);
    return rc;
}

static int
sfo_cli_reconcile(char **args, const sfo_cli_options *opts)
{
    sfo_store *store = NULL;
    sfo_exec *exec = NULL;
    sfo_exec_result *result = NULL;
    int rc;

    if (g_strv_length(args) != 0)
        return sfo_cli_usage_error(
            "%s", "usage: sriovfo reconcile [--connect URI] [--journal FILE | --store]");
    if (sfo_cli_uses_store(opts) && (rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK)
        return rc;
    /* without --connect, the URIs the journal recorded */
    if ((rc = sfo_cli_exec_open(opts, opts->connect, opts->dest_connect, store, &exec)) ==
        EXIT_OK) {
        if (sfo_exec_reconcile(exec, sfo_cli_run_flags(opts), &result) < 0)
            rc = sfo_cli_fail("reconciling");
        else
            rc = sfo_cli_print_result(result, TRUE, opts);
    }
    sfo_exec_result_free(result);
    sfo_exec_free(exec);
    sfo_store_close(store);
    return rc;
}

typedef struct {
    const char *name;
    int (*run)(char **args, const sfo_cli_options *opts);
    gboolean uses_libvirt; /* opens libvirt connections: see sfo_cli_exit_under_libvirt() */
} sfo_cli_command;

/*
 * libvirt's embedded qemu driver (qemu:///embed) starts threads of its own when
 * it is opened (one per running domain reconnects to its QEMU and probes the
 * host CPU) and never joins them: a short command can be done before they are.
 * Returning from main() would then run the process's exit handlers (C++ and
 * libnuma destructors among them) under those threads, which crashes now and
 * then. Everything of ours is freed and written by now: flush and leave without
 * the exit handlers.
 */
static G_NORETURN void
sfo_cli_exit_under_libvirt(int rc)
{
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
}

static const sfo_cli_command sfo_cli_commands[] = {
    { "check", sfo_cli_check },
    { "validate", sfo_cli_validate },
    { "domxml", sfo_cli_domxml },
    { "netxml", sfo_cli_netxml },
    { "check-domxml", sfo_cli_check_domxml },
    { "plan", sfo_cli_plan },
    { "apply", sfo_cli_apply, TRUE },
    { "reconcile", sfo_cli_reconcile, TRUE },
    /* the store (sriovfo-db.c) */
    { "db", sfo_cli_db },
    { "import", sfo_cli_import },
    { "export", sfo_cli_export },
    { "profile", sfo_cli_profile },
    { "nic", sfo_cli_nic },
    { "user", sfo_cli_user },
};

/* What the option parser allocated; every return of main() after parsing frees it */
static void
sfo_cli_options_clear(sfo_cli_options *opts)
{
    g_clear_pointer(&opts->connect, g_free);
    g_clear_pointer(&opts->dest_connect, g_free);
    g_clear_pointer(&opts->migrate_uri, g_free);
    g_clear_pointer(&opts->memory_file, g_free);
    g_clear_pointer(&opts->journal, g_free);
    g_clear_pointer(&opts->dsn, g_free);
    g_clear_pointer(&opts->role, g_free);
    g_clear_pointer(&opts->password_file, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sfo_cli_options, sfo_cli_options_clear)

int
main(int argc, char **argv)
{
    g_auto(sfo_cli_options) opts = { 0 };
    gboolean version = FALSE;
    g_auto(GStrv) args = NULL;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, "print JSON", NULL },
        { "domain", 0, 0, G_OPTION_ARG_NONE, &opts.domain, "domxml: a complete domain", NULL },
        { "emulated", 0, 0, G_OPTION_ARG_NONE, &opts.emulated, "plan: emulated VFs", NULL },
        { "emulated-bridge", 0, 0, G_OPTION_ARG_NONE, &opts.emulated_bridge,
          "plan: emulated VFs on the networks' bridges", NULL },
        { "connect", 0, 0, G_OPTION_ARG_STRING, &opts.connect, "libvirt URI", NULL },
        { "dest-connect", 0, 0, G_OPTION_ARG_STRING, &opts.dest_connect, "destination URI", NULL },
        { "migrate-uri", 0, 0, G_OPTION_ARG_STRING, &opts.migrate_uri, "migration URI", NULL },
        { "memory-file", 0, 0, G_OPTION_ARG_FILENAME, &opts.memory_file, "snapshot memory", NULL },
        { "journal", 0, 0, G_OPTION_ARG_FILENAME, &opts.journal, "journal file", NULL },
        { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opts.timeout, "unplug timeout (s)", NULL },
        { "dsn", 0, 0, G_OPTION_ARG_STRING, &opts.dsn, "store: connection string", NULL },
        { "store", 0, 0, G_OPTION_ARG_NONE, &opts.store, "apply, reconcile: the store", NULL },
        { "replace", 0, 0, G_OPTION_ARG_NONE, &opts.replace, "import: replace", NULL },
        { "role", 0, 0, G_OPTION_ARG_STRING, &opts.role, "user add: admin or viewer", NULL },
        { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &opts.password_file,
          "user add, passwd: the password's file", NULL },
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
    if ((opts.emulated || opts.emulated_bridge) && strcmp(args[0], "plan") != 0 &&
        strcmp(args[0], "apply") != 0)
        return sfo_cli_usage_error("--emulated only applies to '%s' and '%s'", "plan", "apply");
    if (opts.replace && strcmp(args[0], "import") != 0)
        return sfo_cli_usage_error("--replace only applies to '%s'", "import");
    if ((opts.role || opts.password_file) && strcmp(args[0], "user") != 0)
        return sfo_cli_usage_error("--role and --password-file only apply to '%s'", "user");
    if (opts.store && strcmp(args[0], "apply") != 0 && strcmp(args[0], "reconcile") != 0)
        return sfo_cli_usage_error("--store only applies to '%s' and '%s'", "apply", "reconcile");
    if (opts.journal && (opts.store || opts.dsn))
        return sfo_cli_usage_error("%s", "--journal names a file journal; --store and --dsn put "
                                         "the journal in the store");
    if (!opts.dsn && g_getenv("SRIOVFO_DSN") && *g_getenv("SRIOVFO_DSN"))
        opts.dsn = g_strdup(g_getenv("SRIOVFO_DSN"));
    for (i = 0; i < G_N_ELEMENTS(sfo_cli_commands); i++) {
        if (strcmp(args[0], sfo_cli_commands[i].name) == 0) {
            int rc = sfo_cli_commands[i].run(args + 1, &opts);

            if (sfo_cli_commands[i].uses_libvirt) {
                /* _exit() skips the g_auto cleanups of this frame */
                sfo_cli_options_clear(&opts);
                g_clear_pointer(&args, g_strfreev);
                g_clear_pointer(&ctx, g_option_context_free);
                sfo_cli_exit_under_libvirt(rc);
            }
            return rc;
        }
    }
    return sfo_cli_usage_error("unknown command '%s'", args[0]);
}
