/*
 * sriovfo-user.c: sriovfo user add|passwd|remove|list, the users of the REST engine
 *
 * One library call each (docs/store.md, "Users and tokens"). A password is
 * read from --password-file FILE or from standard input (its first line),
 * never from the command line, where ps(1) would show it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "sriovfo-cli.h"

/* The first line of --password-file or of standard input, without its line end */
static int
sfo_cli_read_password(const sfo_cli_options *opts, char **ret_password)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    GString *line;
    int c;

    if (opts->password_file) {
        if (!g_file_get_contents(opts->password_file, &text, NULL, &err)) {
            fprintf(stderr, "sriovfo: cannot read %s: %s\n", opts->password_file, err->message);
            return EXIT_USAGE;
        }
        text[strcspn(text, "\r\n")] = '\0';
        *ret_password = g_steal_pointer(&text);
        return EXIT_OK;
    }
    line = g_string_new(NULL);
    while ((c = getchar()) != EOF && c != '\n')
        g_string_append_c(line, (char)c);
    if (line->len > 0 && line->str[line->len - 1] == '\r')
        g_string_truncate(line, line->len - 1);
    *ret_password = g_string_free(line, FALSE);
    return EXIT_OK;
}

/* Frees the password after overwriting it */
static void
sfo_cli_free_password(char *password)
{
    if (password) {
        memset(password, 0, strlen(password));
        g_free(password);
    }
}

static int
sfo_cli_user_list(const sfo_cli_options *opts)
{
    sfo_store *store = NULL;
    char *text = NULL;
    json_object *list;
    size_t i;
    int rc;

    if ((rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK)
        return rc;
    if (sfo_store_list_users(store, 0, &text) < 0) {
        sfo_store_close(store);
        return sfo_cli_fail("listing users");
    }
    sfo_store_close(store);
    if (opts->json) {
        printf("%s\n", text);
        sfo_free(text);
        return EXIT_OK;
    }
    list = json_tokener_parse(text);
    sfo_free(text);
    for (i = 0; list && i < json_object_array_length(list); i++) {
        json_object *u = json_object_array_get_idx(list, i);

        printf("%s %s\n", json_object_get_string(json_object_object_get(u, "name")),
               json_object_get_string(json_object_object_get(u, "role")));
    }
    json_object_put(list);
    return EXIT_OK;
}

int
sfo_cli_user(char **args, const sfo_cli_options *opts)
{
    static const char usage[] = "usage: sriovfo user add NAME --role admin|viewer "
                                "[--password-file FILE], user passwd NAME [--password-file FILE], "
                                "user remove NAME, user list";
    guint n = args ? g_strv_length(args) : 0;
    const char *verb = n > 0 ? args[0] : "";
    sfo_store *store = NULL;
    char *password = NULL;
    int rc;
    int r;

    if (n == 1 && strcmp(verb, "list") == 0)
        return opts->role || opts->password_file ? sfo_cli_usage_error("%s", usage)
                                                 : sfo_cli_user_list(opts);
    if (n != 2 ||
        (strcmp(verb, "add") != 0 && strcmp(verb, "passwd") != 0 && strcmp(verb, "remove") != 0))
        return sfo_cli_usage_error("%s", usage);
    if ((strcmp(verb, "add") == 0) != (opts->role != NULL))
        return sfo_cli_usage_error("%s", "--role is required by 'user add', and only by it");
    if (opts->password_file && strcmp(verb, "remove") == 0)
        return sfo_cli_usage_error("%s", usage);
    if (strcmp(verb, "remove") != 0 && (rc = sfo_cli_read_password(opts, &password)) != EXIT_OK)
        return rc;
    if ((rc = sfo_cli_open_store(opts, 0, &store)) != EXIT_OK) {
        sfo_cli_free_password(password);
        return rc;
    }
    if (strcmp(verb, "add") == 0)
        r = sfo_store_add_user(store, args[1], password, opts->role, 0);
    else if (strcmp(verb, "passwd") == 0)
        r = sfo_store_set_password(store, args[1], password, 0);
    else
        r = sfo_store_remove_user(store, args[1], 0);
    sfo_cli_free_password(password);
    sfo_store_close(store);
    if (r < 0)
        return sfo_cli_fail(strcmp(verb, "add") == 0      ? "adding the user"
                            : strcmp(verb, "passwd") == 0 ? "setting the password"
                                                          : "removing the user");
    return EXIT_OK;
}
