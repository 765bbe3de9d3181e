/*
 * store-test.h: a throw-away PostgreSQL cluster for the store's tests
 *
 * sfo_store_test_start() creates a cluster in a new temporary directory with
 * the library's own embedded-store code (initdb, pg_ctl; through runuser as
 * root), without fsync; sfo_store_test_stop() stops it and removes the
 * directory. Every test gets a new database, "sriovfo_test".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

#include <glib.h>
#include <libpq-fe.h>

#include "store/sfo-store.h"

/*
 * Starts the cluster. Returns FALSE (after printing why) when PostgreSQL's
 * server programs are not installed: the caller skips everything.
 */
gboolean sfo_store_test_start(void);
void sfo_store_test_stop(void);

/* The cluster's directory, and a DSN for its database "sriovfo_test" */
const char *sfo_store_test_dir(void);
const char *sfo_store_test_dsn(void);

/* A plain libpq connection to the database (the test's "other writer"); fails the test otherwise. */
PGconn *sfo_store_test_connect(void);

/* Runs @sql (constant text, no parameters) on @conn; fails the test on an error. */
void sfo_store_test_sql(PGconn *conn, const char *sql);

/*
 * Runs @sql with @params and returns the SQLSTATE of its failure ("" on
 * success); *ret_constraint (optional) gets the constraint's name.
 */
char *sfo_store_test_try_sql(PGconn *conn, const char *sql, int nparams, const char *const *params,
                             char **ret_constraint);

/* Drops and creates the database: no tables, no schema version */
void sfo_store_test_reset(void);

/* A new database, opened, with every migration applied */
sfo_store *sfo_store_test_open(void);

/* The store's export, formatted as inventory JSON */
char *sfo_store_test_export_json(sfo_store *store);

/*
 * Worker processes for races: each has its own connection (never one the
 * parent opened before the fork) and talks to the test over two pipes.
 */
typedef struct {
    pid_t pid;
    int to_worker;   /* the test writes the worker's commands here */
    int from_worker; /* and reads its replies here */
} sfo_store_test_worker;

/*
 * The body of a worker: reads commands from @from_parent until it ends,
 * writes replies to @to_parent, returns the process's exit status. It runs
 * outside cmocka: no assert_*() there, print and return non-zero instead.
 */
typedef int (*sfo_store_test_worker_fn)(int from_parent, int to_parent, gpointer data);

/* Forks a worker running @fn(..., @data) */
void sfo_store_test_worker_start(sfo_store_test_worker *worker, sfo_store_test_worker_fn fn,
                                 gpointer data);

/*
 * Ends @n workers: closes every pipe first (each worker inherited those of
 * the ones forked before it, so it sees the end of its commands only then),
 * then waits for each; fails the test unless every one exited 0.
 */
void sfo_store_test_workers_stop(sfo_store_test_worker *workers, int n);

/* read()/write() of exactly @len bytes, over EINTR and short counts; FALSE at the end or an error */
gboolean sfo_store_test_read_full(int fd, void *buf, size_t len);
gboolean sfo_store_test_write_full(int fd, const void *buf, size_t len);

/* examples/@name, loaded; fails the test otherwise */
sfo_inventory *sfo_store_test_load_example(const char *name);

/* Fails the test unless the last error has @code and @key */
void sfo_store_test_assert_error(int code, const char *key);
