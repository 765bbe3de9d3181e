/*
 * test-journal.c: the journal's contract, over the file and the store alike
 *
 * Every case of the contract table runs once over the JSON-lines file and
 * once over the store's tables (a real PostgreSQL cluster, store-test.h):
 * the same body, given the kind as its state (journal-test.h). "Another
 * process" is another journal opened on the same file or database after the
 * first was closed, as a crash would leave it.
 *
 * Then what only the store can do, since many processes share it (the file
 * is locked by one process at a time): two processes reserving one VF at the
 * same moment, round after round (exactly one wins, the other is told who);
 * an open sequence of a live process is invisible to another's reconcile
 * until that process is gone; a journal whose connection was cut takes its
 * sequences' locks again, or stops when another process took one meanwhile;
 * a freed journal's connection serves its store's next journal.
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
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "exec/sfo-exec.h"
#include "journal-test.h"
#include "store-test.h"
#include "../unit/sfo-test.h"

/* rounds of the reserve race: SFO_JOURNAL_RACE_ROUNDS, default 200 */
#define SFO_RACE_DEFAULT_ROUNDS 200

static sfo_inventory *sfo_inv;

static int
sfo_test_group_setup(void **state G_GNUC_UNUSED)
{
    sfo_inv = sfo_test_load_inventory("exec", "inventory.json");
    return 0;
}

static int
sfo_test_group_teardown(void **state G_GNUC_UNUSED)
{
    sfo_test_journal_cleanup();
    sfo_inventory_free(sfo_inv);
    return 0;
}

/* A plan with steps and undo steps (an unplug of a failover NIC) */
static sfo_plan *
sfo_test_plan(void)
{
    sfo_plan *plan = NULL;

    assert_int_equal(
        sfo_plan_build(sfo_inv, SFO_PLAN_UNPLUG, "n-plug", NULL, SFO_PLAN_EMULATED, &plan), 0);
    assert_true(plan->steps->len >= 3 && plan->undo->len >= 1);
    return plan;
}

/*
 * The test plan as if for VM @vm: the store's journal keeps one open sequence
 * per VM, so sequences open side by side belong to different VMs
 */
static sfo_plan *
sfo_test_plan_of_vm(const char *vm)
{
    sfo_plan *plan = sfo_test_plan();

    g_free(plan->vm_id);
    plan->vm_id = g_strdup(vm);
    return plan;
}

static char *
sfo_test_plan_text(const sfo_plan *plan)
{
    g_autoptr(json_object) obj = sfo_plan_to_json(plan);

    return g_strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
}

static char *
sfo_test_begin(sfo_journal *journal, const sfo_plan *plan, const char *source,
               const char *destination)
{
    char *id = NULL;

    if (journal->ops->begin(journal, plan, source, destination, &id) < 0)
        fail_msg("begin: %s", sfo_error_last()->message);
    assert_non_null(id);
    return id;
}

static void
sfo_test_record(sfo_journal *journal, const char *id, gboolean undo, int index, int phase,
                const char *key, const char *message)
{
    if (journal->ops->record(journal, id, undo, index, phase, key, message) < 0)
        fail_msg("record: %s", sfo_error_last()->message);
}

/* reserve_vf(): NULL when held for @nic now, else the holder */
static char *
sfo_test_reserve(sfo_journal *journal, const char *id, const char *host, const char *vf,
                 const char *nic)
{
    char *holder = (char *)"unset";

    if (journal->ops->reserve_vf(journal, id, host, vf, nic, &holder) < 0)
        fail_msg("reserve_vf: %s", sfo_error_last()->message);
    return holder;
}

static void
sfo_test_release(sfo_journal *journal, const char *id, const char *host, const char *vf,
                 const char *nic)
{
    if (journal->ops->release_vf(journal, id, host, vf, nic) < 0)
        fail_msg("release_vf: %s", sfo_error_last()->message);
}

static void
sfo_test_assert_holder(char *holder, const char *expected)
{
    if (expected)
        assert_string_equal(holder, expected);
    else
        assert_null(holder);
    g_free(holder);
}

/* ------------------------------------------------------------------------ */
/* The contract, once per kind                                              */
/* ------------------------------------------------------------------------ */

/*
 * What exec records comes back to another process: the open sequences, oldest
 * first, with their URIs, their plan and the last phase of every step; an
 * ended sequence does not, for good.
 */
static void
test_journal__round_trip(void **state)
{
    const sfo_test_journal_kind *kind = *state;
    g_autoptr(sfo_plan) plan = sfo_test_plan();
    g_autoptr(sfo_plan) other_vm = sfo_test_plan_of_vm("vm-other");
    g_autofree char *plan_text = sfo_test_plan_text(plan);
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    g_autofree char *entry_plan = NULL;
    g_autoptr(GPtrArray) open = NULL;
    sfo_journal *journal;
    sfo_journal_entry *entry;

    kind->reset();
    journal = kind->open();
    first = sfo_test_begin(journal, plan, "test:///default", "qemu:///dest");
    second = sfo_test_begin(journal, other_vm, "test:///default", NULL);
    assert_string_not_equal(first, second);
    sfo_test_record(journal, first, FALSE, 0, SFO_JOURNAL_STARTED, NULL, NULL);
    sfo_test_record(journal, second, FALSE, 0, SFO_JOURNAL_STARTED, NULL, NULL);
    sfo_test_record(journal, first, FALSE, 0, SFO_JOURNAL_DONE, NULL, NULL);
    sfo_test_record(journal, first, FALSE, 1, SFO_JOURNAL_STARTED, NULL, NULL);
    sfo_test_record(journal, first, FALSE, 1, SFO_JOURNAL_FAILED, "VM_INTERFACE_UNPLUG_TIMED_OUT",
                    "the guest did not release it");
    sfo_test_record(journal, first, TRUE, 0, SFO_JOURNAL_STARTED, NULL, NULL);
    sfo_journal_free(journal);

    journal = kind->open();
    open = sfo_test_journal_unfinished(journal);
    assert_int_equal(open->len, 2);
    entry = open->pdata[0];
    assert_string_equal(entry->id, first);
    assert_string_equal(entry->source_uri, "test:///default");
    assert_string_equal(entry->destination_uri, "qemu:///dest");
    entry_plan = sfo_test_plan_text(entry->plan);
    assert_string_equal(entry_plan, plan_text);
    assert_int_equal(entry->step_phase[0], SFO_JOURNAL_DONE);
    assert_int_equal(entry->step_phase[1], SFO_JOURNAL_FAILED);
    assert_int_equal(entry->step_phase[2], -1);
    assert_int_equal(entry->undo_phase[0], SFO_JOURNAL_STARTED);
    assert_int_equal(entry->undo_phase[1], -1);
    entry = open->pdata[1];
    assert_string_equal(entry->id, second);
    assert_null(entry->destination_uri);
    assert_int_equal(entry->step_phase[0], SFO_JOURNAL_STARTED);
    assert_int_equal(entry->step_phase[1], -1);

    assert_int_equal(journal->ops->finish(journal, first, "undone"), 0);
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(journal);
    assert_int_equal(open->len, 1);
    assert_string_equal(((sfo_journal_entry *)open->pdata[0])->id, second);
    sfo_journal_free(journal);

    journal = kind->open();
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(journal);
    assert_int_equal(open->len, 1);
    assert_int_equal(journal->ops->finish(journal, second, "completed"), 0);
    sfo_journal_free(journal);

    journal = kind->open();
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(journal);
    assert_int_equal(open->len, 0);
    sfo_journal_free(journal);
}

/*
 * A VF is held by one NIC: reserving it again for that NIC changes nothing,
 * for another NIC names the holder; releasing another NIC's hold does
 * nothing. Holds outlive the process that took them.
 */
static void
test_journal__vf_holds(void **state)
{
    const sfo_test_journal_kind *kind = *state;
    g_autoptr(sfo_plan) plan = sfo_test_plan();
    g_autofree char *id = NULL;
    sfo_journal *journal;

    kind->reset();
    journal = kind->open();
    id = sfo_test_begin(journal, plan, "test:///default", NULL);
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h1", "0000:3b:02.0", "nicA"), NULL);
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h1", "0000:3b:02.0", "nicA"), NULL);
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h1", "0000:3b:02.0", "nicB"), "nicA");
    /* the same address on another host is another VF */
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h2", "0000:3b:02.0", "nicB"), NULL);
    /* not nicB's to drop */
    sfo_test_release(journal, id, "h1", "0000:3b:02.0", "nicB");
    sfo_test_release(journal, id, "h1", "0000:3b:07.0", "nicB"); /* held by nobody */
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h1", "0000:3b:02.0", "nicB"), "nicA");
    sfo_journal_free(journal);

    journal = kind->open();
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h1", "0000:3b:02.0", "nicC"), "nicA");
    sfo_test_release(journal, id, "h1", "0000:3b:02.0", "nicA");
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h1", "0000:3b:02.0", "nicC"), NULL);
    sfo_test_assert_holder(sfo_test_reserve(journal, id, "h2", "0000:3b:02.0", "nicC"), "nicB");
    sfo_journal_free(journal);
}

/* ------------------------------------------------------------------------ */
/* The store: many processes at once                                        */
/* ------------------------------------------------------------------------ */

typedef struct {
    int rc;
    char holder[64]; /* "" when the worker's NIC holds the VF */
} race_reply;

typedef struct {
    sfo_plan *plan;
    const char *nic;
} race_worker_data;

/*
 * A process with its own journal: for each round number it reads, it reserves
 * VF 0000:3b:<round> of h1 for its NIC and says who holds it.
 */
static int
race_worker_main(int from_parent, int to_parent, gpointer data)
{
    race_worker_data *w = data;
    g_autoptr(sfo_store) store = NULL;
    sfo_journal *journal = NULL;
    g_autofree char *id = NULL;
    guint32 round;

    if (sfo_store_open(sfo_store_test_dsn(), 0, &store) < 0 ||
        sfo_store_open_journal(store, 0, &journal) < 0 ||
        journal->ops->begin(journal, w->plan, "test:///default", NULL, &id) < 0) {
        fprintf(stderr, "# worker %s: %s\n", w->nic, sfo_error_last()->message);
        return 99;
    }
    while (sfo_store_test_read_full(from_parent, &round, sizeof(round))) {
        g_autofree char *vf = g_strdup_printf("0000:3b:%u", round);
        race_reply reply = { 0 };
        char *holder = NULL;

        reply.rc = journal->ops->reserve_vf(journal, id, "h1", vf, w->nic, &holder);
        g_strlcpy(reply.holder, holder ? holder : "", sizeof(reply.holder));
        g_free(holder);
        if (!sfo_store_test_write_full(to_parent, &reply, sizeof(reply)))
            break;
    }
    sfo_journal_free(journal);
    return 0;
}

/*
 * Two processes, each with its own connection, reserve the same VF for
 * their own NIC at the same moment, round after round: exactly one holds
 * it, and the other is told that one's NIC.
 */
static void
test_journal__store_reserve_race(void **state G_GNUC_UNUSED)
{
    const char *nics[2] = { "nic-left", "nic-right" };
    const char *rounds_env = g_getenv("SFO_JOURNAL_RACE_ROUNDS");
    guint32 rounds = rounds_env ? (guint32)atoi(rounds_env) : SFO_RACE_DEFAULT_ROUNDS;
    g_autoptr(sfo_plan) left = sfo_test_plan_of_vm("vm-left");
    g_autoptr(sfo_plan) right = sfo_test_plan_of_vm("vm-right");
    sfo_plan *plans[2] = { left, right };
    race_worker_data data[2];
    sfo_store_test_worker workers[2];
    guint wins[2] = { 0, 0 };
    guint32 round;
    int i;

    sfo_test_journal_store.reset();
    for (i = 0; i < 2; i++) {
        data[i] = (race_worker_data){ plans[i], nics[i] };
        sfo_store_test_worker_start(&workers[i], race_worker_main, &data[i]);
    }
    for (round = 1; round <= rounds; round++) {
        race_reply replies[2];
        int winner;

        /* who hears first alternates, so neither always starts ahead */
        for (i = 0; i < 2; i++)
            assert_true(sfo_store_test_write_full(workers[(i + round) % 2].to_worker, &round,
                                                  sizeof(round)));
        for (i = 0; i < 2; i++) {
            assert_true(
                sfo_store_test_read_full(workers[i].from_worker, &replies[i], sizeof(replies[i])));
            assert_int_equal(replies[i].rc, 0);
        }
        if (!!replies[0].holder[0] == !!replies[1].holder[0])
            fail_msg("round %u: holders '%s' and '%s': not exactly one winner", round,
                     replies[0].holder, replies[1].holder);
        winner = replies[0].holder[0] ? 1 : 0;
        assert_string_equal(replies[1 - winner].holder, nics[winner]);
        wins[winner]++;
    }
    sfo_store_test_workers_stop(workers, 2);
    printf("# %u rounds: %s won %u, %s won %u\n", rounds, nics[0], wins[0], nics[1], wins[1]);
}

typedef struct {
    sfo_journal *journal;
    const char *id;
    char *holder;
    int rc;
    gint done;
} reserve_call;

static gpointer
reserve_thread(gpointer data)
{
    reserve_call *call = data;

    call->rc = call->journal->ops->reserve_vf(call->journal, call->id, "h1", "0000:3b:09.0",
                                              "nic-mine", &call->holder);
    g_atomic_int_set(&call->done, 1);
    return NULL;
}

/*
 * Reserving a VF whose hold another process has written but not committed
 * waits for that process: when it commits, its NIC is the holder; when it
 * rolls back, the VF is reserved.
 */
static void
test_journal__store_reserve_waits_for_another(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plan = sfo_test_plan();
    g_autofree char *id = NULL;
    sfo_journal *journal;
    PGconn *other;
    int commit;

    sfo_test_journal_store.reset();
    journal = sfo_test_journal_store.open();
    id = sfo_test_begin(journal, plan, "test:///default", NULL);
    other = sfo_store_test_connect();
    for (commit = 1; commit >= 0; commit--) {
        const char *params[] = { id };
        reserve_call call = { journal, id, NULL, -1, 0 };
        g_autofree char *sqlstate = NULL;
        GThread *thread;

        sfo_store_test_sql(other, "BEGIN");
        sqlstate = sfo_store_test_try_sql(other,
                                          "INSERT INTO journal_vf_holds "
                                          "(host_id, vf_address, nic_id, sequence_id) "
                                          "VALUES ('h1', '0000:3b:09.0', 'nic-other', $1)",
                                          1, params, NULL);
        assert_string_equal(sqlstate, "");
        thread = g_thread_new("reserve", reserve_thread, &call);
        g_usleep(300 * 1000);
        assert_int_equal(g_atomic_int_get(&call.done), 0); /* waiting for the other writer */
        sfo_store_test_sql(other, commit ? "COMMIT" : "ROLLBACK");
        g_thread_join(thread);
        assert_int_equal(call.rc, 0);
        sfo_test_assert_holder(call.holder, commit ? "nic-other" : NULL);
        sfo_store_test_sql(other, "DELETE FROM journal_vf_holds");
    }
    PQfinish(other);
    sfo_journal_free(journal);
}

/*
 * A sequence is its process's while that process lives: another journal's
 * unfinished() does not return it. When the process is gone (its connection
 * closed), the next reconcile takes it over, and then a third does not get it.
 */
static void
test_journal__store_sequence_of_live_process(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plan = sfo_test_plan();
    g_autofree char *id = NULL;
    g_autoptr(GPtrArray) open = NULL;
    sfo_journal *running;
    sfo_journal *reconciling;
    sfo_journal *third;

    sfo_test_journal_store.reset();
    running = sfo_test_journal_store.open();
    id = sfo_test_begin(running, plan, "test:///default", NULL);
    sfo_test_record(running, id, FALSE, 0, SFO_JOURNAL_STARTED, NULL, NULL);

    reconciling = sfo_test_journal_store.open();
    open = sfo_test_journal_unfinished(reconciling);
    assert_int_equal(open->len, 0);
    /* its own process sees it */
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(running);
    assert_int_equal(open->len, 1);

    sfo_journal_free(running); /* the process died */
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(reconciling);
    assert_int_equal(open->len, 1);
    assert_string_equal(((sfo_journal_entry *)open->pdata[0])->id, id);
    assert_int_equal(((sfo_journal_entry *)open->pdata[0])->step_phase[0], SFO_JOURNAL_STARTED);

    third = sfo_test_journal_store.open();
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(third);
    assert_int_equal(open->len, 0);
    sfo_test_record(reconciling, id, TRUE, 0, SFO_JOURNAL_DONE, NULL, NULL);
    assert_int_equal(reconciling->ops->finish(reconciling, id, "undone"), 0);
    sfo_journal_free(reconciling);
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(third);
    assert_int_equal(open->len, 0); /* ended, not just free */
    sfo_journal_free(third);
}

/* Ends every other session of the test database, as a restarted server would */
static void
sfo_test_cut_connections(void)
{
    PGconn *conn = sfo_store_test_connect();

    sfo_store_test_sql(conn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    PQfinish(conn);
}

/*
 * A journal whose connection was cut reconnects and takes its sequences'
 * locks again, so they stay its own; when another process took one over in
 * between, it stops (JOURNAL_LOCKED) rather than run a step of it.
 */
static void
test_journal__store_lost_connection(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plan = sfo_test_plan();
    g_autofree char *id = NULL;
    g_autoptr(GPtrArray) open = NULL;
    sfo_journal *running;
    sfo_journal *other;

    sfo_test_journal_store.reset();
    running = sfo_test_journal_store.open();
    id = sfo_test_begin(running, plan, "test:///default", NULL);

    sfo_test_cut_connections();
    sfo_test_record(running, id, FALSE, 0, SFO_JOURNAL_STARTED, NULL, NULL);
    other = sfo_test_journal_store.open();
    open = sfo_test_journal_unfinished(other);
    assert_int_equal(open->len, 0); /* locked again */

    sfo_test_cut_connections();
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(other); /* reconnects, and finds the lock free */
    assert_int_equal(open->len, 1);
    assert_int_equal(running->ops->record(running, id, FALSE, 0, SFO_JOURNAL_DONE, NULL, NULL),
                     SFO_EIO);
    assert_string_equal(sfo_error_last()->key, "JOURNAL_LOCKED");
    sfo_journal_free(running);
    sfo_journal_free(other);
}

/* The sessions of the test database but @conn's: "pid,pid,..." in order, "" for none */
static char *
sfo_test_sessions(PGconn *conn)
{
    g_autoptr(PGresult) res = PQexec(
        conn, "SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity "
              "WHERE datname = current_database() AND pid <> pg_backend_pid()");

    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    return g_strdup(PQgetvalue(res, 0, 0));
}

/*
 * A journal freed with its connection sound leaves it to its store's next
 * journal (no new session), without the locks of its sequences: another
 * process takes them over at once. Once the store is closed, nothing is kept:
 * the journals' sessions end with them.
 */
static void
test_journal__store_connection_kept(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_plan) plan = sfo_test_plan();
    g_autofree char *id = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(GPtrArray) open = NULL;
    sfo_store *store = NULL;
    sfo_journal *first = NULL;
    sfo_journal *next = NULL;
    sfo_journal *other;
    PGconn *conn;
    int i;

    sfo_test_journal_store.reset();
    conn = sfo_store_test_connect();
    if (sfo_store_open(sfo_store_test_dsn(), 0, &store) < 0 ||
        sfo_store_open_journal(store, 0, &first) < 0)
        fail_msg("store journal: %s", sfo_error_last()->message);
    id = sfo_test_begin(first, plan, "test:///default", NULL);
    before = sfo_test_sessions(conn);
    sfo_journal_free(first);
    assert_int_equal(sfo_store_open_journal(store, 0, &next), 0);
    after = sfo_test_sessions(conn);
    assert_string_equal(after, before);

    other = sfo_test_journal_store.open();
    open = sfo_test_journal_unfinished(other);
    assert_int_equal(open->len, 1);
    assert_string_equal(((sfo_journal_entry *)open->pdata[0])->id, id);
    g_clear_pointer(&open, g_ptr_array_unref);
    open = sfo_test_journal_unfinished(next); /* the other process's now */
    assert_int_equal(open->len, 0);

    sfo_store_close(store);
    sfo_journal_free(next);
    sfo_journal_free(other);
    for (i = 0; i < 200; i++) {
        g_free(after);
        after = sfo_test_sessions(conn);
        if (!*after)
            break;
        g_usleep(50 * 1000);
    }
    assert_string_equal(after, "");
    PQfinish(conn);
}

/* Arguments, and a plan in the database that cannot be read */
static void
test_journal__store_arguments(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = NULL;
    g_autoptr(sfo_plan) plan = sfo_test_plan();
    g_autofree char *id = NULL;
    GPtrArray *open = NULL;
    sfo_journal *journal = NULL;
    PGconn *conn;

    sfo_test_journal_store.reset();
    assert_int_equal(sfo_store_open_journal(NULL, 0, &journal), SFO_EINVALID);
    assert_int_equal(sfo_store_open(sfo_store_test_dsn(), 0, &store), 0);
    assert_int_equal(sfo_store_open_journal(store, 1, &journal), SFO_EINVALID);
    assert_null(journal);
    assert_int_equal(sfo_exec_use_journal(NULL, sfo_test_journal_store.open()), SFO_EINVALID);
    sfo_journal_free(NULL);

    journal = sfo_test_journal_store.open();
    id = sfo_test_begin(journal, plan, "test:///default", NULL);
    sfo_journal_free(journal);
    conn = sfo_store_test_connect();
    sfo_store_test_sql(conn, "UPDATE journal_sequences SET plan = '{\"steps\": 7}'");
    PQfinish(conn);
    journal = sfo_test_journal_store.open();
    assert_int_equal(journal->ops->unfinished(journal, &open), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "JOURNAL_CORRUPT");
    assert_null(open);
    sfo_journal_free(journal);
}

/* ------------------------------------------------------------------------ */
/* The store is the truth: write-back, one open sequence per VM, VF holds   */
/* ------------------------------------------------------------------------ */

/* The first value of @sql (one or two parameters) as text; "" without a row or for NULL */
static char *
sfo_test_sql_value(const char *sql, const char *p1, const char *p2)
{
    const char *params[] = { p1, p2 };
    PGconn *conn = sfo_store_test_connect();
    g_autoptr(PGresult) res = PQexecParams(conn, sql, p2 ? 2 : 1, NULL, params, NULL, NULL, 0);
    char *value;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    value = g_strdup(PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
    PQfinish(conn);
    return value;
}

/* The NIC holding VF @vf of @host in the store's inventory ("" when free) */
static char *
sfo_test_vf_holder(const char *host, const char *vf)
{
    return sfo_test_sql_value("SELECT coalesce(v.nic_id, '') FROM host_vfs v "
                              "JOIN host_pfs p ON p.id = v.pf_id "
                              "WHERE p.host_id = $1 AND v.address = $2",
                              host, vf);
}

/* @plan as if it were for NIC @nic of VM @vm */
static sfo_plan *
sfo_test_plan_for(const sfo_plan *plan, const char *vm, const char *nic)
{
    g_autoptr(json_object) obj = sfo_plan_to_json(plan);
    sfo_plan *copy = NULL;
    guint i;

    assert_int_equal(sfo_plan_from_json(obj, &copy), 0);
    g_free(copy->vm_id);
    copy->vm_id = g_strdup(vm);
    g_free(copy->nic_id);
    copy->nic_id = g_strdup(nic);
    for (i = 0; i < copy->steps->len; i++) {
        sfo_plan_step *step = copy->steps->pdata[i];

        g_free(step->nic_id);
        step->nic_id = g_strdup(nic);
    }
    return copy;
}

/* The store holding tests/data/plan/inventory.json, and a journal on it */
static sfo_store *
sfo_test_store_with_inventory(void)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory("plan", "inventory.json");
    sfo_store *store = sfo_store_test_open();

    if (sfo_store_import(store, inv, 0, NULL) < 0)
        fail_msg("import: %s", sfo_error_last()->message);
    return store;
}

/*
 * A completed migration moves the VM and its VF holdings to the destination in
 * the transaction that ends it; an undone one changes nothing; the holds live
 * until the end even when the plan's release-vf ran.
 */
static void
test_journal__store_write_back_migrate(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_test_store_with_inventory();
    g_autoptr(sfo_plan) plan = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *undone = NULL;
    g_autofree char *done = NULL;
    g_autofree char *value = NULL;
    sfo_journal *journal;
    guint i;

    assert_int_equal(sfo_store_plan(store, SFO_PLAN_MIGRATE, "vm1", "h2", SFO_PLAN_EMULATED, &plan),
                     0);
    assert_false(sfo_plan_is_refused(plan));
    before = sfo_store_test_export_json(store);

    /* undone: the store exactly as before, no hold left */
    journal = sfo_test_journal_store.open();
    undone = sfo_test_begin(journal, plan, "test:///default", "test:///dest");
    value = sfo_test_sql_value("SELECT count(*) FROM journal_vf_holds WHERE sequence_id = $1",
                               undone, NULL);
    assert_string_equal(value, "2"); /* held from the start: both reserve-vf steps */
    g_clear_pointer(&value, g_free);
    assert_int_equal(journal->ops->finish(journal, undone, "undone"), 0);
    after = sfo_store_test_export_json(store);
    assert_string_equal(after, before);
    value = sfo_test_sql_value("SELECT count(*) FROM journal_vf_holds WHERE sequence_id = $1",
                               undone, NULL);
    assert_string_equal(value, "0");
    g_clear_pointer(&value, g_free);

    /* completed: the release-vf steps ran, the holds stay until the end */
    done = sfo_test_begin(journal, plan, "test:///default", "test:///dest");
    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];

        if (step->op == SFO_PLAN_OP_RELEASE_VF)
            sfo_test_release(journal, done, step->host_id, step->vf_address, step->nic_id);
    }
    value = sfo_test_sql_value("SELECT count(*) FROM journal_vf_holds WHERE sequence_id = $1", done,
                               NULL);
    assert_string_equal(value, "2");
    g_clear_pointer(&value, g_free);
    assert_int_equal(journal->ops->finish(journal, done, "completed"), 0);
    value = sfo_test_sql_value("SELECT host_id FROM vms WHERE id = $1", "vm1", NULL);
    assert_string_equal(value, "h2");
    g_clear_pointer(&value, g_free);
    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];
        g_autofree char *holder = NULL;

        if (step->op != SFO_PLAN_OP_RESERVE_VF)
            continue;
        holder = sfo_test_vf_holder("h2", step->vf_address);
        assert_string_equal(holder, step->nic_id);
        value = sfo_test_sql_value("SELECT vf_address FROM nics WHERE id = $1", step->nic_id, NULL);
        assert_string_equal(value, step->vf_address);
        g_clear_pointer(&value, g_free);
    }
    /* the source's VFs are free, no hold is left */
    g_clear_pointer(&value, g_free);
    value = sfo_test_vf_holder("h1", "0000:3b:02.0");
    assert_string_equal(value, "");
    g_clear_pointer(&value, g_free);
    value = sfo_test_sql_value("SELECT count(*) FROM journal_vf_holds WHERE sequence_id = $1", done,
                               NULL);
    assert_string_equal(value, "0");
    g_clear_pointer(&value, g_free);
    /* ending it again writes nothing more */
    assert_int_equal(journal->ops->finish(journal, done, "completed"), 0);
    sfo_journal_free(journal);
    g_clear_pointer(&after, g_free);
    after = sfo_store_test_export_json(store);
    assert_string_not_equal(after, before);
}

/*
 * A VM has one open sequence: a second begin is refused at once, begins
 * nothing and keeps no lock; so is a plan whose VF another sequence holds, or
 * that the inventory gave to another NIC since the plan was made.
 */
static void
test_journal__store_begin_refusals(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_store) store = sfo_test_store_with_inventory();
    g_autoptr(sfo_plan) plug = NULL;
    g_autoptr(sfo_plan) plug_other = NULL;
    g_autofree char *first = NULL;
    g_autofree char *value = NULL;
    char *id = NULL;
    sfo_journal *journal;
    sfo_journal *other;
    const sfo_plan_step *reserve;

    /* nic4 of vm1 and nic7 of vm3 each want a VF: on h1 and on h3 */
    assert_int_equal(sfo_store_plan(store, SFO_PLAN_PLUG, "nic4", NULL, SFO_PLAN_EMULATED, &plug),
                     0);
    assert_false(sfo_plan_is_refused(plug));
    reserve = plug->steps->pdata[0];
    assert_int_equal(reserve->op, SFO_PLAN_OP_RESERVE_VF);

    journal = sfo_test_journal_store.open();
    first = sfo_test_begin(journal, plug, "test:///default", NULL);
    /* the same VM again, from another process */
    other = sfo_test_journal_store.open();
    assert_int_equal(other->ops->begin(other, plug, "test:///default", NULL, &id), SFO_EVIOLATED);
    assert_null(id);
    assert_string_equal(sfo_error_last()->key, "ACTION_TYPE_FAILED_OBJECT_LOCKED");
    assert_non_null(strstr(sfo_error_last()->message, "web1"));
    value = sfo_test_sql_value("SELECT count(*) FROM journal_sequences WHERE ended_at IS NULL AND "
                               "plan->>'vm' = $1",
                               "vm1", NULL);
    assert_string_equal(value, "1");
    g_clear_pointer(&value, g_free);

    /* the VF it holds, planned for another VM's NIC: refused before anything began */
    assert_int_equal(
        sfo_store_plan(store, SFO_PLAN_PLUG, "nic4", NULL, SFO_PLAN_EMULATED, &plug_other), 0);
    /* the store's plan sees the hold: that VF is no longer offered */
    assert_true(sfo_plan_is_refused(plug_other) ||
                g_strcmp0(((sfo_plan_step *)plug_other->steps->pdata[0])->vf_address,
                          reserve->vf_address) != 0);
    g_clear_pointer(&plug_other, sfo_plan_free);
    plug_other = sfo_test_plan_for(plug, "vm5", "nic-x");
    assert_int_equal(other->ops->begin(other, plug_other, "test:///default", NULL, &id),
                     SFO_EVIOLATED);
    assert_string_equal(sfo_error_last()->key, "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF");
    value = sfo_test_sql_value("SELECT count(*) FROM journal_sequences WHERE plan->>'vm' = $1",
                               "vm5", NULL);
    assert_string_equal(value, "0");
    g_clear_pointer(&value, g_free);
    /* once the first ended undone, the VF is free again */
    assert_int_equal(journal->ops->finish(journal, first, "undone"), 0);
    assert_int_equal(other->ops->begin(other, plug_other, "test:///default", NULL, &id), 0);
    assert_int_equal(other->ops->finish(other, id, "completed"), 0);
    g_free(id);
    id = NULL;
    /* the inventory gives it to nic-x now (nic-x is no NIC of the store: no write) */
    g_clear_pointer(&value, g_free);
    value = sfo_test_vf_holder(reserve->host_id, reserve->vf_address);
    assert_string_equal(value, "");
    g_clear_pointer(&value, g_free);
    /* the VF used in the inventory by another NIC refuses the begin */
    g_free(sfo_test_sql_value("UPDATE host_vfs v SET nic_id = 'nic5' FROM host_pfs p "
                              "WHERE p.id = v.pf_id AND p.host_id = $1 AND v.address = $2 "
                              "RETURNING v.nic_id",
                              reserve->host_id, reserve->vf_address));
    assert_int_equal(journal->ops->begin(journal, plug, "test:///default", NULL, &id),
                     SFO_EVIOLATED);
    assert_string_equal(sfo_error_last()->key, "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF");
    /* no lock was kept by the refusals: nothing open is owned by anyone */
    value = sfo_test_sql_value("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                               "classid = 0 AND objid < $1::integer",
                               "1000000", NULL);
    assert_string_equal(value, "0");
    sfo_journal_free(other);
    sfo_journal_free(journal);
}

#define SFO_TEST_JOURNAL_CASE(kind, f) \
    { \
#kind ": " #f, f, NULL, NULL, (void *)&sfo_test_journal_##kind \
    }

int
main(void)
{
    const struct CMUnitTest tests[] = {
        /* the contract: one body, both kinds */
        SFO_TEST_JOURNAL_CASE(file, test_journal__round_trip),
        SFO_TEST_JOURNAL_CASE(store, test_journal__round_trip),
        SFO_TEST_JOURNAL_CASE(file, test_journal__vf_holds),
        SFO_TEST_JOURNAL_CASE(store, test_journal__vf_holds),
        /* the store alone */
        cmocka_unit_test(test_journal__store_reserve_race),
        cmocka_unit_test(test_journal__store_reserve_waits_for_another),
        cmocka_unit_test(test_journal__store_sequence_of_live_process),
        cmocka_unit_test(test_journal__store_lost_connection),
        cmocka_unit_test(test_journal__store_connection_kept),
        cmocka_unit_test(test_journal__store_arguments),
        cmocka_unit_test(test_journal__store_write_back_migrate),
        cmocka_unit_test(test_journal__store_begin_refusals),
    };

    return cmocka_run_group_tests_name("journal", tests, sfo_test_group_setup,
                                       sfo_test_group_teardown);
}
