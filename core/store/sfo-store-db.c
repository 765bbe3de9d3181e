/*
 * sfo-store-db.c: connections, prepared statements, transactions and retries
 *
 * Each public store call is one transaction run by sfo_store_transaction():
 * BEGIN, the inventory lock and the transaction id, the body (load with row
 * locks, run the rules, write), COMMIT. It is tried again, a bounded number
 * of times with a growing random pause, after
 *  - a serialization failure or a deadlock (SQLSTATE 40001, 40P01);
 *  - a unique, foreign key or exclusion violation (23505, 23503, 23P01): a
 *    concurrent transaction committed what this one's reads had not seen;
 *    on the next attempt the rules see it and report the violation;
 *  - a lost connection: the store reconnects (and restarts the embedded
 *    server if it is gone) before the next attempt.
 * A connection lost during COMMIT leaves the outcome unknown; the transaction
 * id (txid_current()) taken at the start settles it: txid_status() after
 * reconnecting says whether it committed (done) or not (try again), so a
 * call is never applied twice nor half.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-store.h"

/* PostgreSQL's messages can span lines; ours are one line. */
static char *
sfo_store_one_line(const char *msg)
{
    char *line = g_strdup(msg ? msg : "unknown error");

    g_strdelimit(line, "\r\n\t", ' ');
    return g_strstrip(line);
}

/* The library never prints: drop NOTICEs ("... already exists, skipping") */
static void
sfo_store_ignore_notice(void *arg, const char *message)
{
}

static int
sfo_store_conn_setup(sfo_store *s)
{
    memset(s->prepared, 0, sizeof(s->prepared));
    PQsetNoticeProcessor(s->conn, sfo_store_ignore_notice, NULL);
    if (PQsetClientEncoding(s->conn, "UTF8") != 0) {
        g_autofree char *msg = sfo_store_one_line(PQerrorMessage(s->conn));

        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CONNECTION_FAILED,
                         "cannot set the client encoding to UTF8: %s", msg);
        return SFO_EDATABASE;
    }
    return 0;
}

static void
sfo_store_report_connect_failure(sfo_store *s)
{
    g_autofree char *msg = sfo_store_one_line(PQerrorMessage(s->conn));

    /* the DSN may hold a password: never repeat it */
    if (s->data_dir)
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CONNECTION_FAILED,
                         "cannot connect to the embedded store in %s: %s", s->data_dir, msg);
    else
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CONNECTION_FAILED,
                         "cannot connect to the store: %s", msg);
}

int
sfo_store_connect(sfo_store *s)
{
    if (s->conn) {
        PQfinish(s->conn);
        s->conn = NULL;
    }
    if (s->data_dir) {
        g_autofree const char **keywords = NULL;
        g_autofree const char **values = NULL;

        sfo_store_embedded_conninfo(s->data_dir, "sriovfo", &keywords, &values);
        s->conn = PQconnectdbParams(keywords, values, 0);
    } else {
        s->conn = PQconnectdb(s->dsn);
    }
    if (!s->conn) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CONNECTION_FAILED,
                         "cannot connect to the store: out of memory");
        return SFO_EDATABASE;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        sfo_store_report_connect_failure(s);
        return SFO_EDATABASE;
    }
    s->connections++;
    return sfo_store_conn_setup(s);
}

int
sfo_store_reconnect(sfo_store *s)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK && !s->conn_lost)
        return 0;
    if (!s->conn)
        return sfo_store_connect(s);
    PQreset(s->conn);
    if (PQstatus(s->conn) != CONNECTION_OK && s->data_dir) {
        /* the embedded server may have been stopped or have crashed */
        if (sfo_store_embedded_start(s->data_dir) < 0)
            return SFO_EDATABASE;
        PQreset(s->conn);
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        sfo_store_report_connect_failure(s);
        return SFO_EDATABASE;
    }
    s->connections++;
    return sfo_store_conn_setup(s);
}

static gboolean
sfo_store_sqlstate_is(const sfo_store *s, const char *state)
{
    return strcmp(s->sqlstate, state) == 0;
}

static int
sfo_store_fail(sfo_store *s, const char *what, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    g_autofree char *msg = sfo_store_one_line(primary ? primary : PQerrorMessage(s->conn));

    g_strlcpy(s->sqlstate, state ? state : "", sizeof(s->sqlstate));
    /* a terminated backend's FATAL can arrive before libpq sees the connection close */
    s->conn_lost = PQstatus(s->conn) != CONNECTION_OK || g_str_has_prefix(s->sqlstate, "08") ||
                   g_str_has_prefix(s->sqlstate, "57P");
    if (s->conn_lost)
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CONNECTION_FAILED,
                         "%s: the connection to the store was lost: %s", what, msg);
    else if (g_str_has_prefix(s->sqlstate, "23"))
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CONSTRAINT_VIOLATED,
                         "%s: %s (constraint %s, SQLSTATE %s)", what, msg,
                         constraint ? constraint : "?", s->sqlstate);
    else
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_QUERY_FAILED, "%s: %s (SQLSTATE %s)", what, msg,
                         s->sqlstate[0] ? s->sqlstate : "none");
    return SFO_EDATABASE;
}

static gboolean
sfo_store_result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);

    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* ------------------------------------------------------------------------ */
/* Pipelines                                                                */
/* ------------------------------------------------------------------------ */

/* Reads the next result, and the NULL that ends it; NULL when the connection failed */
static PGresult *
sfo_store_pipeline_result(sfo_store *s)
{
    PGresult *res = PQgetResult(s->conn);
    PGresult *end;

    if (res && PQresultStatus(res) != PGRES_PIPELINE_SYNC && (end = PQgetResult(s->conn)))
        PQclear(end); /* not expected: one result per statement */
    return res;
}

/*
 * Sends @q (each statement's Parse too, the first time it is used on this
 * connection, marked in @preparing) and a Sync. Nothing is read yet.
 */
static int
sfo_store_pipeline_send(sfo_store *s, sfo_store_query *q, size_t n, gboolean *preparing)
{
    gboolean sent_prepare[SFO_STMT_LAST] = { FALSE };
    size_t i;

    if (PQenterPipelineMode(s->conn) != 1)
        return sfo_store_fail(s, "pipeline", NULL);
    for (i = 0; i < n; i++) {
        const sfo_store_stmt *st = &sfo_store_stmts[q[i].stmt];
        int sent;

        g_assert(q[i].stmt >= 0 && q[i].stmt < SFO_STMT_LAST && st->sql);
        q[i].res = NULL;
        if (st->unprepared) {
            sent =
                PQsendQueryParams(s->conn, st->sql, st->nparams, NULL, q[i].params, NULL, NULL, 0);
        } else {
            if (!s->prepared[q[i].stmt] && !sent_prepare[q[i].stmt]) {
                if (PQsendPrepare(s->conn, st->name, st->sql, st->nparams, NULL) != 1)
                    return sfo_store_fail(s, st->name, NULL);
                preparing[i] = sent_prepare[q[i].stmt] = TRUE;
            }
            sent = PQsendQueryPrepared(s->conn, st->name, st->nparams, q[i].params, NULL, NULL, 0);
        }
        if (sent != 1)
            return sfo_store_fail(s, st->name, NULL);
    }
    if (PQpipelineSync(s->conn) != 1)
        return sfo_store_fail(s, "pipeline", NULL);
    return 0;
}

/* Reads the results of what sfo_store_pipeline_send() sent and leaves pipeline mode */
static int
sfo_store_pipeline_receive(sfo_store *s, sfo_store_query *q, size_t n, const gboolean *preparing)
{
    gboolean failed = FALSE;
    PGresult *sync;
    size_t i;

    for (i = 0; i < n; i++) {
        const sfo_store_stmt *st = &sfo_store_stmts[q[i].stmt];
        PGresult *res;

        if (preparing[i]) {
            res = sfo_store_pipeline_result(s);
            if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
                s->prepared[q[i].stmt] = TRUE;
            else if (!failed && (failed = TRUE))
                sfo_store_fail(s, st->name, res);
            PQclear(res);
        }
        res = sfo_store_pipeline_result(s);
        if (!res) {
            if (!failed)
                sfo_store_fail(s, st->name, NULL);
            sfo_store_pipeline_clear(q, n);
            return SFO_EDATABASE;
        }
        /* after a failure the rest come back PGRES_PIPELINE_ABORTED */
        if (!failed && !sfo_store_result_ok(res) && (failed = TRUE))
            sfo_store_fail(s, st->name, res);
        q[i].res = res;
    }
    sync = PQgetResult(s->conn);
    if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC || PQexitPipelineMode(s->conn) != 1) {
        if (!failed && (failed = TRUE))
            sfo_store_fail(s, "pipeline", NULL);
    }
    PQclear(sync);
    if (failed) {
        sfo_store_pipeline_clear(q, n);
        return SFO_EDATABASE;
    }
    return 0;
}

/* Runs @q in one round trip; a pending BEGIN (sfo_store_transaction()) goes first */
int
sfo_store_exec_pipeline(sfo_store *s, sfo_store_query *q, size_t n)
{
    size_t nbegin = s->begin_pending >= 0 ? 2 : 0;
    g_autofree sfo_store_query *all = g_new0(sfo_store_query, n + nbegin);
    g_autofree gboolean *preparing = g_new0(gboolean, n + nbegin);
    size_t i;

    if (nbegin) {
        all[0].stmt = SFO_STMT_BEGIN_WRITE;
        all[1].stmt = s->begin_pending == SFO_STORE_TXN_EXCLUSIVE  ? SFO_STMT_TXN_EXCLUSIVE
                      : s->begin_pending == SFO_STORE_TXN_UNLOCKED ? SFO_STMT_TXN_UNLOCKED
                                                                   : SFO_STMT_TXN_SHARED;
        s->begin_pending = -1;
    }
    if (n)
        memcpy(all + nbegin, q, n * sizeof(*q));
    if (sfo_store_pipeline_send(s, all, n + nbegin, preparing) < 0 ||
        sfo_store_pipeline_receive(s, all, n + nbegin, preparing) < 0)
        return SFO_EDATABASE;
    if (nbegin) {
        s->txid = g_strdup(PQgetvalue(all[1].res, 0, 0));
        sfo_store_pipeline_clear(all, nbegin);
    }
    for (i = 0; i < n; i++)
        q[i].res = all[nbegin + i].res;
    return 0;
}

void
sfo_store_pipeline_clear(sfo_store_query *q, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        g_clear_pointer(&q[i].res, PQclear);
}

int
sfo_store_exec(sfo_store *s, sfo_store_stmt_id id, const char *const *params, PGresult **ret_res)
{
    const sfo_store_stmt *st = &sfo_store_stmts[id];
    g_autoptr(PGresult) res = NULL;

    g_assert(id >= 0 && id < SFO_STMT_LAST && st->sql);
    if (s->begin_pending >= 0) {
        sfo_store_query q = { id, { NULL } };
        int i;

        for (i = 0; i < st->nparams; i++)
            q.params[i] = params[i];
        if (sfo_store_exec_pipeline(s, &q, 1) < 0)
            return SFO_EDATABASE;
        res = q.res;
    } else if (st->unprepared) {
        res = PQexecParams(s->conn, st->sql, st->nparams, NULL, params, NULL, NULL, 0);
    } else {
        if (!s->prepared[id]) {
            res = PQprepare(s->conn, st->name, st->sql, st->nparams, NULL);
            if (!res || !sfo_store_result_ok(res))
                return sfo_store_fail(s, st->name, res);
            g_clear_pointer(&res, PQclear);
            s->prepared[id] = TRUE;
        }
        res = PQexecPrepared(s->conn, st->name, st->nparams, params, NULL, NULL, 0);
    }
    if (!res || !sfo_store_result_ok(res))
        return sfo_store_fail(s, st->name, res);
    if (ret_res)
        *ret_res = g_steal_pointer(&res);
    return 0;
}

void
sfo_store_exec_at_commit(sfo_store *s, sfo_store_stmt_id id, const char *const *params)
{
    int i;

    g_assert(!s->at_commit);
    s->at_commit = g_new0(sfo_store_query, 1);
    s->at_commit->stmt = id;
    for (i = 0; i < sfo_store_stmts[id].nparams; i++) {
        s->at_commit->params[i] = g_strdup(params[i]);
        g_ptr_array_add(s->at_commit_strings, (gpointer)s->at_commit->params[i]);
    }
}

static void
sfo_store_clear_at_commit(sfo_store *s)
{
    g_clear_pointer(&s->at_commit, g_free);
    g_ptr_array_set_size(s->at_commit_strings, 0);
}

int
sfo_store_exec_script(sfo_store *s, const char *what, const char *sql)
{
    g_autoptr(PGresult) res = NULL;

    /* a pending BEGIN goes first, on its own */
    if (s->begin_pending >= 0 && sfo_store_exec_pipeline(s, NULL, 0) < 0)
        return SFO_EDATABASE;
    /* several statements in one text: only the simple query protocol takes them */
    res = PQexec(s->conn, sql);

    if (!res || !sfo_store_result_ok(res))
        return sfo_store_fail(s, what, res);
    return 0;
}

guint64
sfo_store_changed_rows(PGresult *res)
{
    const char *n = PQcmdTuples(res);

    return n && *n ? g_ascii_strtoull(n, NULL, 10) : 0;
}

const char *
sfo_store_bool_param(gboolean value)
{
    return value ? "t" : "f";
}

void
sfo_store_set_test_hook(sfo_store *s, sfo_store_test_hook hook, gpointer data)
{
    s->test_hook = hook;
    s->test_hook_data = data;
}

static void
sfo_store_hook(sfo_store *s, const char *point)
{
    if (s->test_hook)
        s->test_hook(s, point, s->test_hook_data);
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                             */
/* ------------------------------------------------------------------------ */

/* Rolls back without touching the last error (the failure being handled). */
static void
sfo_store_rollback_quietly(sfo_store *s)
{
    if (PQstatus(s->conn) == CONNECTION_OK)
        PQclear(PQexecParams(s->conn, sfo_store_stmts[SFO_STMT_ROLLBACK].sql, 0, NULL, NULL, NULL,
                             NULL, 0));
}

static gboolean
sfo_store_retryable(const sfo_store *s)
{
    return s->conn_lost || sfo_store_sqlstate_is(s, "40001") || sfo_store_sqlstate_is(s, "40P01") ||
           sfo_store_sqlstate_is(s, "23505") || sfo_store_sqlstate_is(s, "23503") ||
           sfo_store_sqlstate_is(s, "23P01");
}

/*
 * The connection broke while COMMIT was under way: ask the server whether the
 * transaction committed. Returns 0 when it did; SFO_EDATABASE with conn_lost
 * set (retry) when it did not; SFO_EDATABASE with conn_lost clear (give up,
 * DB_COMMIT_UNKNOWN) when that cannot be known.
 */
static int
sfo_store_resolve_commit(sfo_store *s)
{
    g_autofree char *txid = g_strdup(s->txid);
    const char *params[] = { txid };
    int i;

    if (sfo_store_reconnect(s) < 0) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_COMMIT_UNKNOWN,
                         "the connection was lost during COMMIT of transaction %s and the store "
                         "cannot be reached to learn whether it committed",
                         txid);
        s->conn_lost = FALSE;
        return SFO_EDATABASE;
    }
    /* the server ends the orphaned transaction when it notices the client is gone */
    for (i = 0; i < 200; i++) {
        g_autoptr(PGresult) res = NULL;
        const char *status;

        if (sfo_store_exec(s, SFO_STMT_TXID_STATUS, params, &res) < 0)
            return SFO_EDATABASE;
        status = PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0);
        if (g_str_equal(status, "committed"))
            return 0;
        if (g_str_equal(status, "aborted")) {
            sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_CONNECTION_FAILED,
                             "the connection was lost during COMMIT of transaction %s, which "
                             "was rolled back",
                             txid);
            s->conn_lost = TRUE;
            return SFO_EDATABASE;
        }
        if (!g_str_equal(status, "in progress"))
            break;
        g_usleep(50 * 1000);
    }
    sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_COMMIT_UNKNOWN,
                     "the connection was lost during COMMIT of transaction %s and whether it "
                     "committed cannot be learned",
                     txid);
    s->conn_lost = FALSE;
    return SFO_EDATABASE;
}

/*
 * COMMIT, with the write the body left for it (sfo_store_exec_at_commit()) in
 * the same round trip.
 */
static int
sfo_store_commit(sfo_store *s)
{
    sfo_store_query q[2] = { { SFO_STMT_COMMIT, { NULL } }, { SFO_STMT_COMMIT, { NULL } } };
    gboolean preparing[2] = { FALSE, FALSE };
    size_t n = 0;

    if (s->at_commit)
        q[n++] = *s->at_commit;
    q[n++] = (sfo_store_query){ SFO_STMT_COMMIT, { NULL } };
    sfo_store_hook(s, "before-commit");
    if (sfo_store_pipeline_send(s, q, n, preparing) == 0) {
        sfo_store_hook(s, "commit-sent");
        if (sfo_store_pipeline_receive(s, q, n, preparing) == 0) {
            sfo_store_pipeline_clear(q, n);
            return 0;
        }
    }
    if (s->conn_lost && s->txid)
        return sfo_store_resolve_commit(s);
    return SFO_EDATABASE;
}

static int
sfo_store_transaction_once(sfo_store *s, sfo_store_txn_mode mode, sfo_store_txn_fn fn,
                           gpointer data)
{
    int r;

    g_clear_pointer(&s->txid, g_free);
    sfo_store_clear_at_commit(s);
    if (mode == SFO_STORE_TXN_STATEMENT) {
        /* the server ends the statement's implicit transaction itself */
        r = fn(s, data);
        g_assert(!s->at_commit);
        return r;
    }
    if (mode == SFO_STORE_TXN_SNAPSHOT) {
        if (sfo_store_exec(s, SFO_STMT_BEGIN_SNAPSHOT, NULL, NULL) < 0)
            return SFO_EDATABASE;
    } else {
        /* BEGIN and the inventory lock go out with the body's first statements */
        s->begin_pending = mode;
    }
    r = fn(s, data);
    if (s->begin_pending >= 0) {
        /* the body sent nothing: no transaction was begun */
        s->begin_pending = -1;
        sfo_store_clear_at_commit(s);
        return r;
    }
    if (r < 0) {
        sfo_store_rollback_quietly(s);
        sfo_store_clear_at_commit(s);
        return r;
    }
    r = sfo_store_commit(s);
    if (r < 0)
        sfo_store_rollback_quietly(s);
    sfo_store_clear_at_commit(s);
    return r;
}

void
sfo_store_no_retry(sfo_store *store)
{
    store->no_retry = TRUE;
}

int
sfo_store_transaction(sfo_store *s, sfo_store_txn_mode mode, sfo_store_txn_fn fn, gpointer data)
{
    int attempt;
    int r;

    for (attempt = 1;; attempt++) {
        s->attempts = attempt;
        s->sqlstate[0] = '\0';
        s->conn_lost = FALSE;
        s->no_retry = FALSE;
        r = sfo_store_transaction_once(s, mode, fn, data);
        if (r != SFO_EDATABASE || s->no_retry || !sfo_store_retryable(s))
            return r;
        if (attempt >= SFO_STORE_MAX_ATTEMPTS) {
            const sfo_error *err = sfo_error_last();
            g_autofree char *msg = g_strdup(err ? err->message : "unknown error");

            sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_RETRIES_EXHAUSTED,
                             "gave up after %d attempts; the last failed with: %s", attempt, msg);
            return SFO_EDATABASE;
        }
        /* a random pause, doubling its bound each time: 2, 4, ... 128 ms */
        g_usleep(g_random_int_range(0, 1000 << MIN(attempt, 7)));
        if (s->conn_lost && sfo_store_reconnect(s) < 0)
            return SFO_EDATABASE;
    }
}
