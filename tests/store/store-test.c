/*
 * store-test.c: a throw-away PostgreSQL cluster for the store's tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "store-test.h"

static char *sfo_test_dir;
static char *sfo_test_dsn;

static void
sfo_store_test_ignore_notice(void *arg, const char *message)
{
}

gboolean
sfo_store_test_start(void)
{
    g_autofree char *bindir = NULL;
    g_autoptr(GError) err = NULL;

    if (sfo_store_server_bindir(&bindir) < 0) {
        printf("1..0 # SKIP %s\n", sfo_error_last()->message);
        return FALSE;
    }
    /* short: the socket path must fit in sun_path */
    sfo_test_dir = g_dir_make_tmp("sfo-pg.XXXXXX", &err);
    if (!sfo_test_dir) {
        printf("Bail out! cannot create a temporary directory: %s\n", err->message);
        exit(99);
    }
    g_setenv("SRIOVFO_PG_NOSYNC", "1", TRUE);
    if (sfo_store_embedded_start(sfo_test_dir) < 0) {
        printf("Bail out! cannot start a PostgreSQL cluster in %s: %s\n", sfo_test_dir,
               sfo_error_last()->message);
        exit(99);
    }
    sfo_test_dsn =
        g_strdup_printf("host='%s' port=5432 dbname=sriovfo_test user=sriovfo", sfo_test_dir);
    sfo_store_test_reset();
    return TRUE;
}

void
sfo_store_test_stop(void)
{
    const char *rm[] = { "rm", "-rf", sfo_test_dir, NULL };

    if (!sfo_test_dir)
        return;
    if (sfo_store_embedded_stop(sfo_test_dir, 0) < 0)
        fprintf(stderr, "# stopping the cluster failed: %s\n", sfo_error_last()->message);
    if (!g_getenv("SFO_TEST_KEEP"))
        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                     NULL);
    g_clear_pointer(&sfo_test_dir, g_free);
    g_clear_pointer(&sfo_test_dsn, g_free);
}

const char *
sfo_store_test_dir(void)
{
    return sfo_test_dir;
}

const char *
sfo_store_test_dsn(void)
{
    return sfo_test_dsn;
}

PGconn *
sfo_store_test_connect(void)
{
    PGconn *conn = PQconnectdb(sfo_test_dsn);

    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", sfo_test_dsn, PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, sfo_store_test_ignore_notice, NULL);
    return conn;
}

void
sfo_store_test_sql(PGconn *conn, const char *sql)
{
    g_autoptr(PGresult) res = PQexec(conn, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
}

char *
sfo_store_test_try_sql(PGconn *conn, const char *sql, int nparams, const char *const *params,
                       char **ret_constraint)
{
    g_autoptr(PGresult) res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    const char *state;

    if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)
        return g_strdup("");
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (ret_constraint)
        *ret_constraint = g_strdup(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME));
    return g_strdup(state ? state : "?");
}

void
sfo_store_test_reset(void)
{
    g_autofree char *dsn =
        g_strdup_printf("host='%s' port=5432 dbname=postgres user=sriovfo", sfo_test_dir);
    PGconn *conn = PQconnectdb(dsn);

    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", dsn, PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, sfo_store_test_ignore_notice, NULL);
    /* a new database, as CREATE DATABASE makes it; FORCE: a failed test's sessions go too */
    sfo_store_test_sql(conn, "DROP DATABASE IF EXISTS sriovfo_test WITH (FORCE)");
    sfo_store_test_sql(conn, "CREATE DATABASE sriovfo_test");
    PQfinish(conn);
}

sfo_store *
sfo_store_test_open(void)
{
    sfo_store *store = NULL;

    sfo_store_test_reset();
    if (sfo_store_open(sfo_test_dsn, SFO_STORE_OPEN_NO_UPGRADE, &store) < 0)
        fail_msg("sfo_store_open: %s", sfo_error_last()->message);
    if (sfo_store_upgrade(store, 0) != SFO_STORE_SCHEMA_VERSION)
        fail_msg("sfo_store_upgrade: %s", sfo_error_last()->message);
    return store;
}

char *
sfo_store_test_export_json(sfo_store *store)
{
    g_autoptr(sfo_inventory) inv = NULL;
    char *json = NULL;

    if (sfo_store_export(store, 0, &inv) < 0)
        fail_msg("sfo_store_export: %s", sfo_error_last()->message);
    assert_int_equal(sfo_inventory_format(inv, 0, &json), 0);
    return json;
}

gboolean
sfo_store_test_read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        done += (size_t)n;
    }
    return TRUE;
}

gboolean
sfo_store_test_write_full(int fd, const void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        done += (size_t)n;
    }
    return TRUE;
}

void
sfo_store_test_worker_start(sfo_store_test_worker *worker, sfo_store_test_worker_fn fn,
                            gpointer data)
{
    int down[2];
    int up[2];
    pid_t pid;

    assert_int_equal(pipe(down), 0);
    assert_int_equal(pipe(up), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        _exit(fn(down[0], up[1], data));
    }
    close(down[0]);
    close(up[1]);
    *worker = (sfo_store_test_worker){ pid, down[1], up[0] };
}

void
sfo_store_test_workers_stop(sfo_store_test_worker *workers, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        close(workers[i].to_worker);
        close(workers[i].from_worker);
    }
    for (i = 0; i < n; i++) {
        int status = -1;

        if (waitpid(workers[i].pid, &status, 0) != workers[i].pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            fail_msg("worker %d ended with status %d", (int)workers[i].pid, status);
    }
}

sfo_inventory *
sfo_store_test_load_example(const char *name)
{
    const char *top = g_getenv("abs_top_srcdir");
    g_autofree char *path =
        g_build_filename(top ? top : SFO_ABS_TOP_SRCDIR, "examples", name, NULL);
    sfo_inventory *inv = NULL;

    if (sfo_inventory_load_file(path, 0, &inv) < 0)
        fail_msg("cannot load %s: %s", path, sfo_error_last()->message);
    return inv;
}

void
sfo_store_test_assert_error(int code, const char *key)
{
    const sfo_error *err = sfo_error_last();

    assert_non_null(err);
    if (err->code != code || g_strcmp0(err->key, key) != 0)
        fail_msg("expected error %d %s, got %d %s: %s", code, key, err->code, err->key,
                 err->message);
}
