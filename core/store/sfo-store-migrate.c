/*
 * sfo-store-migrate.c: the schema migrations of db-migrations/
 *
 * Files are named NNNN_description.sql and numbered 1, 2, ... without gaps.
 * Each is applied once, in its own transaction, under an advisory lock that
 * serialises concurrent runners; the transaction also records the version in
 * sfo_schema_version, so a migration is either applied and recorded or
 * neither. The library knows SFO_STORE_SCHEMA_VERSION and refuses a database
 * whose version is higher.
 *
 * The files are installed in $(pkgdatadir)/db-migrations;
 * $SRIOVFO_MIGRATIONS_DIR points elsewhere (the source tree, in the tests).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-store.h"

char *
sfo_store_migrations_dir(void)
{
    const char *dir = g_getenv("SRIOVFO_MIGRATIONS_DIR");

    return g_strdup(dir && *dir ? dir : SFO_MIGRATIONS_DIR);
}

/* The number of "NNNN_description.sql", or -1 when @name is not one */
static int
sfo_store_migration_number(const char *name)
{
    size_t i;

    for (i = 0; i < 4; i++) {
        if (!g_ascii_isdigit(name[i]))
            return -1;
    }
    if (name[4] != '_' || !name[5] || !g_str_has_suffix(name, ".sql") || strlen(name) <= 9)
        return -1;
    return (int)g_ascii_strtoll(name, NULL, 10);
}

static gint
sfo_store_cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
sfo_store_migrations_list(const char *dir, GPtrArray **ret_files)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
    const char *name;
    guint i;

    if (!d) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_MIGRATIONS_NOT_FOUND,
                         "cannot read the migrations directory (SRIOVFO_MIGRATIONS_DIR): %s",
                         err->message);
        return SFO_EDATABASE;
    }
    while ((name = g_dir_read_name(d))) {
        if (sfo_store_migration_number(name) >= 0)
            g_ptr_array_add(files, g_strdup(name));
    }
    g_ptr_array_sort(files, sfo_store_cmp_names);
    for (i = 0; i < files->len; i++) {
        const char *f = g_ptr_array_index(files, i);

        if (sfo_store_migration_number(f) != (int)i + 1) {
            sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_MIGRATIONS_NOT_FOUND,
                             "%s: migration %s should be number %u (numbers start at 1 and "
                             "have no gaps or duplicates)",
                             dir, f, i + 1);
            return SFO_EDATABASE;
        }
    }
    *ret_files = g_steal_pointer(&files);
    return 0;
}

int
sfo_store_schema_version(sfo_store *s, int *ret_version)
{
    g_autoptr(PGresult) exists = NULL;
    g_autoptr(PGresult) res = NULL;

    if (sfo_store_exec(s, SFO_STMT_VERSION_TABLE_EXISTS, NULL, &exists) < 0)
        return SFO_EDATABASE;
    if (!sfo_store_col_bool(exists, 0, 0)) {
        *ret_version = 0;
        return 0;
    }
    if (sfo_store_exec(s, SFO_STMT_VERSION_GET, NULL, &res) < 0)
        return SFO_EDATABASE;
    *ret_version = sfo_store_col_int(res, 0, 0, 0);
    return 0;
}

static int
sfo_store_schema_version_txn(sfo_store *s, gpointer data)
{
    return sfo_store_schema_version(s, data);
}

int
sfo_store_read_schema_version(sfo_store *s, int *ret_version)
{
    int version = 0;
    int rc;

    if ((rc = sfo_store_transaction(s, SFO_STORE_TXN_SNAPSHOT, sfo_store_schema_version_txn,
                                    &version)) < 0)
        return rc;
    *ret_version = version;
    return 0;
}

typedef struct {
    const char *dir;
    const char *file; /* the migration to apply */
    int version;      /* its number */
    gboolean applied; /* out: FALSE when another runner had applied it */
} sfo_store_migration;

static int
sfo_store_migrate_one(sfo_store *s, gpointer data)
{
    sfo_store_migration *m = data;
    g_autofree char *path = g_build_filename(m->dir, m->file, NULL);
    g_autofree char *sql = NULL;
    g_autofree char *version = g_strdup_printf("%d", m->version);
    g_autoptr(GError) err = NULL;
    const char *params[] = { version, m->file };
    gsize len = 0;
    int current;

    m->applied = FALSE;
    if (sfo_store_exec(s, SFO_STMT_MIGRATE_LOCK, NULL, NULL) < 0 ||
        sfo_store_exec(s, SFO_STMT_VERSION_TABLE_CREATE, NULL, NULL) < 0 ||
        sfo_store_schema_version(s, &current) < 0)
        return SFO_EDATABASE;
    if (current >= m->version)
        return 0;
    if (current != m->version - 1) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_MIGRATION_FAILED,
                         "cannot apply %s to a database at version %d", m->file, current);
        return SFO_EDATABASE;
    }
    if (!g_file_get_contents(path, &sql, &len, &err)) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_MIGRATIONS_NOT_FOUND, "cannot read %s: %s", path,
                         err->message);
        return SFO_EDATABASE;
    }
    /* read by length: the server would run the script only up to a NUL */
    if (memchr(sql, '\0', len)) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_MIGRATION_FAILED,
                         "%s holds a NUL byte; nothing of it was applied", path);
        return SFO_EDATABASE;
    }
    if (sfo_store_exec_script(s, m->file, sql) < 0) {
        const sfo_error *e = sfo_error_last();
        g_autofree char *msg = g_strdup(e ? e->message : "unknown error");

        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_MIGRATION_FAILED,
                         "migration %s failed, nothing of it was applied: %s", m->file, msg);
        return SFO_EDATABASE;
    }
    if (sfo_store_exec(s, SFO_STMT_VERSION_INSERT, params, NULL) < 0)
        return SFO_EDATABASE;
    m->applied = TRUE;
    return 0;
}

int
sfo_store_migrate(sfo_store *s, const char *dir, int target)
{
    g_autoptr(GPtrArray) files = NULL;
    int current;
    int applied = 0;
    int v;

    if (sfo_store_migrations_list(dir, &files) < 0 ||
        sfo_store_read_schema_version(s, &current) < 0)
        return SFO_EDATABASE;
    if (current > target) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_SCHEMA_TOO_NEW,
                         "the store's schema is at version %d, newer than this sriovfo knows "
                         "(%d); use a newer sriovfo",
                         current, target);
        return SFO_EDATABASE;
    }
    if ((int)files->len < target) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_MIGRATIONS_NOT_FOUND,
                         "%s has %u migrations, this sriovfo needs %d (set SRIOVFO_MIGRATIONS_DIR "
                         "or reinstall)",
                         dir, files->len, target);
        return SFO_EDATABASE;
    }
    for (v = current + 1; v <= target; v++) {
        sfo_store_migration m = { dir, g_ptr_array_index(files, v - 1), v, FALSE };

        if (sfo_store_transaction(s, SFO_STORE_TXN_UNLOCKED, sfo_store_migrate_one, &m) < 0)
            return SFO_EDATABASE;
        applied += m.applied;
    }
    return applied;
}
