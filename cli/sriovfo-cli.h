/*
 * sriovfo-cli.h: what the files of the sriovfo command share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include <sriovfo/sriovfo-store.h>
#include <sriovfo/sriovfo-virt.h>
#include <sriovfo/sriovfo.h>

enum {
    EXIT_OK = 0,
    EXIT_VIOLATED = 1, /* apply: refused, or failed and undone */
    EXIT_USAGE = 2,
    EXIT_UNFINISHED = 3, /* apply, reconcile: undo failed or the sequence is incomplete */
};

typedef struct {
    gboolean json;
    gboolean domain;
    gboolean replace; /* import --replace */
    char *dsn;        /* --dsn, else $SRIOVFO_DSN, else NULL (the embedded store) */
    /* plan, apply, reconcile */
    gboolean emulated;
    gboolean emulated_bridge;
    char *connect;
    char *dest_connect;
    char *migrate_uri;
    char *memory_file;
    char *journal;
    double timeout;
    gboolean store; /* apply, reconcile: the journal (and inventory) in the store */
    /* user */
    char *role;
    char *password_file;
} sfo_cli_options;

/* Prints the library's last error about @what on stderr; returns EXIT_USAGE. */
int sfo_cli_fail(const char *what);

/*
 * Reads the file @path (JSON or XML text) by its length into *@ret_text. A
 * NUL byte in it, which neither format allows, would end the text early for
 * the library's readers: it is refused as a syntax error of the format, with
 * @key (INVENTORY_SYNTAX_ERROR, DOMXML_SYNTAX_ERROR). EXIT_OK or EXIT_USAGE.
 */
int sfo_cli_read_text(const char *path, const char *key, char **ret_text);

/* Prints a usage error and the hint to --help on stderr; returns EXIT_USAGE. */
int sfo_cli_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Prints @violations as 'error KEY: message' lines (or --json) and the count
 * on stderr; returns EXIT_VIOLATED when one is an error, else EXIT_OK.
 */
int sfo_cli_print_violations(const sfo_violations *violations, const sfo_cli_options *opts);

/* Opens the store of --dsn (or SRIOVFO_DSN), else the embedded one; EXIT_OK or the exit status */
int sfo_cli_open_store(const sfo_cli_options *opts, unsigned int flags, sfo_store **ret_store);

/* The store commands (sriovfo-db.c) */
int sfo_cli_db(char **args, const sfo_cli_options *opts);
int sfo_cli_import(char **args, const sfo_cli_options *opts);
int sfo_cli_export(char **args, const sfo_cli_options *opts);
int sfo_cli_profile(char **args, const sfo_cli_options *opts);
int sfo_cli_nic(char **args, const sfo_cli_options *opts);
/* The users of the REST engine (sriovfo-user.c) */
int sfo_cli_user(char **args, const sfo_cli_options *opts);
