/*
 * sfo-store-journal.c: the journal of plan runs (plan/sfo-journal.h) in PostgreSQL
 *
 * The tables of db-migrations/0003_journal.sql, on a connection of the
 * journal's own. Each call is one transaction (sfo_store_transaction(),
 * retried as the store's calls are) that takes no inventory lock, so a
 * record never waits for an import; it has committed when the call returns,
 * before exec runs the step it records.
 *
 * Many processes may use one database. A VF hold is a row whose primary key
 * is (host, VF): of two processes reserving one VF, one inserts and the
 * other gets the holder back. A sequence belongs to the process running it:
 * begin() takes a session advisory lock keyed by the sequence's ordinal, and
 * unfinished() returns only the open sequences whose lock this journal holds
 * or can take (and keeps them). PostgreSQL drops a session's locks when its
 * connection ends, so the sequences of a process that died are free for
 * reconcile and those of a live one never are. A reconnect drops them too:
 * before its next statement the journal takes its locks again, and stops
 * with JOURNAL_LOCKED when another process took one meanwhile.
 *
 * A journal freed with its connection sound hands its locks over and leaves
 * the connection to the store that opened it, for that store's next journal
 * (sfo_store_spare): a plan run then costs no new PostgreSQL session and no
 * statement prepared again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "plan/sfo-journal.h"
#include "sfo-store.h"
#include "util/sfo-messages.h"

typedef struct {
    sfo_journal parent;
    sfo_store *store;
    sfo_store_spare *spare; /* where @store goes when the journal is freed */
    GHashTable *owned;      /* sequence id -> its ordinal (text): the locks this session holds */
    guint connection;       /* store->connections when those locks were last known held */
} sfo_store_journal;

/* One statement in a transaction of its own */
typedef struct {
    sfo_store_journal *journal;
    sfo_store_stmt_id stmt;
    const char *params[SFO_STORE_MAX_PARAMS];
    char *value;  /* out: the first column of the first row, if any */
    char *value2; /* out: its second column, if any */
} sfo_store_journal_op;

/*
 * "{a,b}": @values as a PostgreSQL array, passed as a parameter. They are
 * ordinals and UUIDs the server wrote: digits, hex digits and '-'.
 */
static char *
sfo_store_journal_array(GList *values)
{
    GString *text = g_string_new("{");
    GList *l;

    for (l = values; l; l = l->next)
        g_string_append_printf(text, "%s%s", l == values ? "" : ",", (const char *)l->data);
    g_string_append_c(text, '}');
    return g_string_free(text, FALSE);
}

static char *
sfo_store_journal_owned_ordinals(sfo_store_journal *j)
{
    g_autoptr(GList) ordinals = g_hash_table_get_values(j->owned);

    return sfo_store_journal_array(ordinals);
}

/* The owned sequence whose lock is @ordinal */
static const char *
sfo_store_journal_id_of(sfo_store_journal *j, const char *ordinal)
{
    GHashTableIter iter;
    gpointer id;
    gpointer value;

    g_hash_table_iter_init(&iter, j->owned);
    while (g_hash_table_iter_next(&iter, &id, &value)) {
        if (g_str_equal(value, ordinal))
            return id;
    }
    return ordinal;
}

/* After a reconnect, takes the locks of the sequences this journal owns again */
static int
sfo_store_journal_relock(sfo_store_journal *j)
{
    g_autoptr(PGresult) res = NULL;
    g_autofree char *ordinals = NULL;
    const char *params[1];

    if (j->connection == j->store->connections)
        return 0;
    if (g_hash_table_size(j->owned) > 0) {
        params[0] = ordinals = sfo_store_journal_owned_ordinals(j);
        if (sfo_store_exec(j->store, SFO_STMT_JOURNAL_RELOCK, params, &res) < 0)
            return SFO_EDATABASE;
        if (PQntuples(res) > 0) {
            /* until it is closed, this journal refuses every call: its sequences are not all its own */
            sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_LOCKED,
                             "the connection to the store was lost and another process took over "
                             "sequence %s meanwhile",
                             sfo_store_journal_id_of(j, PQgetvalue(res, 0, 0)));
            return SFO_EIO;
        }
    }
    j->connection = j->store->connections;
    return 0;
}

static int
sfo_store_journal_txn(sfo_store *store, gpointer data)
{
    sfo_store_journal_op *op = data;
    g_autoptr(PGresult) res = NULL;
    int rc;

    if ((rc = sfo_store_journal_relock(op->journal)) < 0)
        return rc;
    if (sfo_store_exec(store, op->stmt, op->params, &res) < 0)
        return SFO_EDATABASE;
    g_clear_pointer(&op->value, g_free);
    g_clear_pointer(&op->value2, g_free);
    if (PQntuples(res) > 0) {
        op->value = sfo_store_col_str(res, 0, 0);
        if (PQnfields(res) > 1)
            op->value2 = sfo_store_col_str(res, 0, 1);
    }
    return 0;
}

static int
sfo_store_journal_run(sfo_journal *journal, sfo_store_journal_op *op)
{
    op->journal = (sfo_store_journal *)journal;
    return sfo_store_transaction(op->journal->store, SFO_STORE_TXN_UNLOCKED, sfo_store_journal_txn,
                                 op);
}

/* ${action} of a plan's refusals, as the plan's own violations name it */
static const char *
sfo_store_journal_verb(int action)
{
    switch (action) {
    case SFO_PLAN_PLUG:
        return "VAR__ACTION__HOT_PLUG";
    case SFO_PLAN_UNPLUG:
        return "VAR__ACTION__HOT_UNPLUG";
    case SFO_PLAN_MIGRATE:
    case SFO_PLAN_MIGRATE_OFFLINE:
        return "VAR__ACTION__MIGRATE";
    case SFO_PLAN_SAVE:
        return "VAR__ACTION__HIBERNATE";
    case SFO_PLAN_SNAPSHOT:
        return "VAR__ACTION__SNAPSHOT";
    default:
        return "VAR__ACTION__RUN";
    }
}

/*
 * Refuses to begin @plan with catalogue key @key (SFO_EVIOLATED), naming the
 * VM, and for a VF the NIC, @host and the NIC's network, by the names the
 * store has (else their ids).
 */
static int
sfo_store_journal_refuse(sfo_store *s, const sfo_plan *plan, const char *key, const char *nic,
                         const char *host)
{
    const char *params[] = { plan->vm_id, nic, host };
    g_autoptr(PGresult) res = NULL;
    g_autofree char *message = NULL;
    const char *vm_name = plan->vm_id;
    const char *nic_name = nic;
    const char *host_name = host;
    const char *net_name = "";

    if (sfo_store_exec(s, SFO_STMT_JOURNAL_NAMES, params, &res) < 0)
        return SFO_EDATABASE;
    if (!PQgetisnull(res, 0, 0))
        vm_name = PQgetvalue(res, 0, 0);
    if (!PQgetisnull(res, 0, 1))
        nic_name = PQgetvalue(res, 0, 1);
    if (!PQgetisnull(res, 0, 2))
        host_name = PQgetvalue(res, 0, 2);
    if (!PQgetisnull(res, 0, 3))
        net_name = PQgetvalue(res, 0, 3);
    if (nic) {
        const char *args[] = { "action",      sfo_store_journal_verb(plan->action),
                               "type",        "VAR__TYPE__VM_INTERFACE",
                               "typeName",    nic_name,
                               "typeVmName",  vm_name ? vm_name : "",
                               "HostName",    host_name ? host_name : "",
                               "NetworkName", net_name,
                               NULL };

        message = sfo_messages_render(key, args);
    } else {
        const char *args[] = { "action",   sfo_store_journal_verb(plan->action),
                               "type",     "VAR__TYPE__VM",
                               "typeName", vm_name ? vm_name : "",
                               NULL };

        message = sfo_messages_render(key, args);
    }
    sfo_error_report(SFO_EVIOLATED, key, "%s", message);
    return SFO_EVIOLATED;
}

typedef struct {
    sfo_store_journal *journal;
    const sfo_plan *plan;
    const char *params[3];
    char *id;      /* out */
    char *ordinal; /* out */
} sfo_store_journal_begin_op;

/*
 * One transaction: the VM has no other open sequence (else
 * ACTION_TYPE_FAILED_OBJECT_LOCKED), the sequence is inserted, every VF the
 * plan reserves is held for its NIC at once and is used by no other NIC of
 * the inventory (else CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF: nothing
 * began, nothing ran), and the sequence's lock is taken last, so that a
 * refusal leaves no lock behind.
 */
static int
sfo_store_journal_begin_txn(sfo_store *store, gpointer data)
{
    sfo_store_journal_begin_op *op = data;
    const sfo_plan *plan = op->plan;
    g_autoptr(PGresult) res = NULL;
    guint i;
    int rc;

    g_clear_pointer(&op->id, g_free);
    g_clear_pointer(&op->ordinal, g_free);
    if ((rc = sfo_store_journal_relock(op->journal)) < 0)
        return rc;
    if (plan->vm_id) {
        const char *params[] = { plan->vm_id };

        if (sfo_store_exec(store, SFO_STMT_JOURNAL_VM_BUSY, params, &res) < 0)
            return SFO_EDATABASE;
        if (PQntuples(res) > 0)
            return sfo_store_journal_refuse(store, plan, SFO_KEY_ACTION_TYPE_FAILED_OBJECT_LOCKED,
                                            NULL, NULL);
        g_clear_pointer(&res, PQclear);
    }
    if (sfo_store_exec(store, SFO_STMT_JOURNAL_BEGIN, op->params, &res) < 0)
        return SFO_EDATABASE;
    op->id = sfo_store_col_str(res, 0, 0);
    op->ordinal = sfo_store_col_str(res, 0, 1);
    g_clear_pointer(&res, PQclear);
    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];
        const char *hold[] = { step->host_id ? step->host_id : "",
                               step->vf_address ? step->vf_address : "",
                               step->nic_id ? step->nic_id : "", op->id };
        gboolean taken;

        if (step->op != SFO_PLAN_OP_RESERVE_VF)
            continue;
        if (sfo_store_exec(store, SFO_STMT_JOURNAL_RESERVE_VF, hold, &res) < 0)
            return SFO_EDATABASE;
        taken = PQntuples(res) > 0 && g_strcmp0(PQgetvalue(res, 0, 0), hold[2]) != 0;
        g_clear_pointer(&res, PQclear);
        /* a statement of its own: it sees what a finish the hold waited for wrote */
        if (!taken) {
            if (sfo_store_exec(store, SFO_STMT_JOURNAL_VF_USER, hold, &res) < 0)
                return SFO_EDATABASE;
            taken = PQntuples(res) > 0;
            g_clear_pointer(&res, PQclear);
        }
        if (taken)
            return sfo_store_journal_refuse(store, plan, SFO_PLAN_KEY_NO_SUITABLE_VF, step->nic_id,
                                            step->host_id);
    }
    {
        const char *params[] = { op->ordinal };

        if (sfo_store_exec(store, SFO_STMT_JOURNAL_LOCK, params, NULL) < 0)
            return SFO_EDATABASE;
    }
    return 0;
}

static int
sfo_store_journal_begin(sfo_journal *journal, const sfo_plan *plan, const char *source_uri,
                        const char *destination_uri, char **ret_id)
{
    sfo_store_journal *j = (sfo_store_journal *)journal;
    g_autoptr(json_object) obj = sfo_plan_to_json(plan);
    sfo_store_journal_begin_op op = {
        .journal = j,
        .plan = plan,
        .params = { json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE),
                    source_uri, destination_uri },
    };
    int rc;

    rc = sfo_store_transaction(j->store, SFO_STORE_TXN_UNLOCKED, sfo_store_journal_begin_txn, &op);
    if (rc < 0) {
        g_free(op.id);
        g_free(op.ordinal);
        return rc;
    }
    /* the sequence's id (made by the server) and its ordinal, whose lock is held now */
    g_hash_table_insert(j->owned, g_strdup(op.id), op.ordinal);
    *ret_id = op.id;
    return 0;
}

static int
sfo_store_journal_record(sfo_journal *journal, const char *id, gboolean undo, int index,
                         sfo_journal_phase phase, const char *error_key, const char *error_message)
{
    g_autofree char *index_text = g_strdup_printf("%d", index);
    sfo_store_journal_op op = {
        .stmt = SFO_STMT_JOURNAL_RECORD,
        .params = { id, sfo_store_bool_param(undo), index_text, sfo_journal_phase_to_string(phase),
                    error_key, error_key && !error_message ? "" : error_message },
    };
    int rc = sfo_store_journal_run(journal, &op);

    g_free(op.value);
    g_free(op.value2);
    return rc;
}

/* A plan as the server returned it, read by its length: one JSON object and nothing else */
static json_object *
sfo_store_journal_parse_plan(const char *text, int len)
{
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, text, len);
    gboolean whole = obj && json_tokener_get_error(tok) == json_tokener_success &&
                     json_tokener_get_parse_end(tok) == (size_t)len;

    json_tokener_free(tok);
    if (!whole)
        g_clear_pointer(&obj, json_object_put);
    return obj;
}

static int
sfo_store_journal_write(sfo_store *s, sfo_store_stmt_id stmt, const char *p1, const char *p2,
                        const char *p3)
{
    const char *params[] = { p1, p2, p3 };

    return sfo_store_exec(s, stmt, params, NULL) < 0 ? SFO_EDATABASE : 0;
}

/*
 * What a completed @plan did, written to the inventory: a plug marks its NIC
 * plugged, an unplug unplugged and frees its VF, a migration moves the VM to
 * the destination; every VF the plan reserved is now its NIC's (the NIC's
 * VF anywhere else is freed). Objects the store does not hold are skipped.
 */
static int
sfo_store_journal_write_back(sfo_store *s, const sfo_plan *plan)
{
    guint i;

    switch (plan->action) {
    case SFO_PLAN_PLUG:
        if (plan->nic_id && sfo_store_journal_write(s, SFO_STMT_WRITE_NIC_PLUGGED, plan->nic_id,
                                                    sfo_store_bool_param(TRUE), NULL) < 0)
            return SFO_EDATABASE;
        break;
    case SFO_PLAN_UNPLUG:
        if (plan->nic_id &&
            (sfo_store_journal_write(s, SFO_STMT_WRITE_NIC_PLUGGED, plan->nic_id,
                                     sfo_store_bool_param(FALSE), NULL) < 0 ||
             sfo_store_journal_write(s, SFO_STMT_WRITE_FREE_VFS, plan->nic_id, NULL, NULL) < 0 ||
             sfo_store_journal_write(s, SFO_STMT_WRITE_NIC_VF, plan->nic_id, NULL, NULL) < 0))
            return SFO_EDATABASE;
        break;
    case SFO_PLAN_MIGRATE:
    case SFO_PLAN_MIGRATE_OFFLINE:
        if (plan->host_id && sfo_store_journal_write(s, SFO_STMT_WRITE_VM_HOST, plan->vm_id,
                                                     plan->host_id, NULL) < 0)
            return SFO_EDATABASE;
        break;
    default:
        break;
    }
    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];

        if (step->op != SFO_PLAN_OP_RESERVE_VF || !step->nic_id || !step->host_id ||
            !step->vf_address)
            continue;
        if (sfo_store_journal_write(s, SFO_STMT_WRITE_FREE_VFS, step->nic_id, NULL, NULL) < 0 ||
            sfo_store_journal_write(s, SFO_STMT_WRITE_TAKE_VF, step->host_id, step->vf_address,
                                    step->nic_id) < 0 ||
            sfo_store_journal_write(s, SFO_STMT_WRITE_NIC_VF, step->nic_id, step->vf_address,
                                    NULL) < 0)
            return SFO_EDATABASE;
    }
    return 0;
}

typedef struct {
    sfo_store_journal *journal;
    const char *id;
    const char *status;
} sfo_store_journal_finish_op;

/*
 * One transaction: the sequence ends; when it completed, the inventory takes
 * what the plan did; its holds go (the inventory covers the VFs now, or they
 * are free again). A sequence that had ended already changes nothing.
 */
static int
sfo_store_journal_finish_txn(sfo_store *store, gpointer data)
{
    sfo_store_journal_finish_op *op = data;
    const char *params[] = { op->id, op->status };
    g_autoptr(PGresult) res = NULL;
    g_autoptr(json_object) obj = NULL;
    g_autoptr(sfo_plan) plan = NULL;
    int rc;

    if ((rc = sfo_store_journal_relock(op->journal)) < 0)
        return rc;
    if (sfo_store_exec(store, SFO_STMT_JOURNAL_FINISH, params, &res) < 0)
        return SFO_EDATABASE;
    if (PQntuples(res) == 0)
        return 0;
    if (g_str_equal(op->status, "completed")) {
        obj = sfo_store_journal_parse_plan(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0));
        if (!obj || sfo_plan_from_json(obj, &plan) < 0) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_JOURNAL_CORRUPT,
                             "journal sequence %s: its plan cannot be read", op->id);
            return SFO_EINVALID;
        }
        if ((rc = sfo_store_journal_write_back(store, plan)) < 0)
            return rc;
    }
    return sfo_store_journal_write(store, SFO_STMT_JOURNAL_DROP_HOLDS, op->id, NULL, NULL);
}

static int
sfo_store_journal_finish(sfo_journal *journal, const char *id, const char *status)
{
    sfo_store_journal *j = (sfo_store_journal *)journal;
    sfo_store_journal_finish_op op = { j, id, status };
    const char *ordinal;
    int rc;

    /* the inventory's shared lock: the write-back never interleaves with an import */
    if ((rc = sfo_store_transaction(j->store, SFO_STORE_TXN_WRITE, sfo_store_journal_finish_txn,
                                    &op)) < 0)
        return rc;
    /*
     * Once the end has committed, nobody needs the lock: reconcile never looks at an ended
     * sequence. Dropping it is tidiness, so a failure here changes nothing.
     */
    ordinal = g_hash_table_lookup(j->owned, id);
    if (ordinal) {
        const char *params[] = { ordinal };

        if (sfo_store_exec(j->store, SFO_STMT_JOURNAL_UNLOCK, params, NULL) < 0)
            sfo_error_clear();
        g_hash_table_remove(j->owned, id);
    }
    return 0;
}

static int
sfo_store_journal_reserve_vf(sfo_journal *journal, const char *id, const char *host, const char *vf,
                             const char *nic, char **ret_holder)
{
    sfo_store_journal_op op = {
        .stmt = SFO_STMT_JOURNAL_RESERVE_VF,
        .params = { host ? host : "", vf ? vf : "", nic ? nic : "", id },
    };
    int rc;

    if ((rc = sfo_store_journal_run(journal, &op)) < 0)
        return rc;
    if (g_strcmp0(op.value, nic ? nic : "") == 0)
        g_clear_pointer(&op.value, g_free); /* held for @nic now, or already was */
    *ret_holder = op.value;
    return 0;
}

static int
sfo_store_journal_release_vf(sfo_journal *journal, const char *id, const char *host, const char *vf,
                             const char *nic)
{
    sfo_store_journal_op op = {
        .stmt = SFO_STMT_JOURNAL_RELEASE_VF,
        .params = { host ? host : "", vf ? vf : "", nic ? nic : "" },
    };
    int rc = sfo_store_journal_run(journal, &op);

    g_free(op.value);
    g_free(op.value2);
    return rc;
}

typedef struct {
    sfo_store_journal *journal;
    GPtrArray *entries; /* out */
} sfo_store_journal_scan;

/* The open sequences this session holds or could lock, with the plans they ran */
static int
sfo_store_journal_read_sequences(sfo_store_journal *j, GPtrArray *entries, GHashTable *by_id)
{
    g_autoptr(PGresult) res = NULL;
    g_autofree char *ordinals = sfo_store_journal_owned_ordinals(j);
    const char *params[] = { ordinals };
    int row;

    if (sfo_store_exec(j->store, SFO_STMT_JOURNAL_OPEN_SEQUENCES, params, &res) < 0)
        return SFO_EDATABASE;
    for (row = 0; row < PQntuples(res); row++) {
        const char *id = PQgetvalue(res, row, 0);
        g_autoptr(json_object) obj =
            sfo_store_journal_parse_plan(PQgetvalue(res, row, 2), PQgetlength(res, row, 2));
        sfo_plan *plan = NULL;
        sfo_journal_entry *entry;

        /* locked now (or before): this journal owns it */
        if (!g_hash_table_contains(j->owned, id))
            g_hash_table_insert(j->owned, g_strdup(id), sfo_store_col_str(res, row, 1));
        if (!obj || sfo_plan_from_json(obj, &plan) < 0) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_JOURNAL_CORRUPT,
                             "journal sequence %s: its plan cannot be read", id);
            return SFO_EINVALID;
        }
        entry =
            sfo_journal_entry_new(id, PQgetisnull(res, row, 3) ? NULL : PQgetvalue(res, row, 3),
                                  PQgetisnull(res, row, 4) ? NULL : PQgetvalue(res, row, 4), plan);
        g_ptr_array_add(entries, entry);
        g_hash_table_insert(by_id, entry->id, entry);
    }
    return 0;
}

static int
sfo_store_journal_scan_txn(sfo_store *store, gpointer data)
{
    sfo_store_journal_scan *scan = data;
    g_autoptr(GHashTable) by_id = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(PGresult) res = NULL;
    g_autoptr(GList) ids = NULL;
    g_autofree char *id_array = NULL;
    const char *params[1];
    int row;
    int rc;

    g_ptr_array_set_size(scan->entries, 0);
    if ((rc = sfo_store_journal_relock(scan->journal)) < 0 ||
        (rc = sfo_store_journal_read_sequences(scan->journal, scan->entries, by_id)) < 0)
        return rc;
    if (scan->entries->len == 0)
        return 0;
    ids = g_hash_table_get_keys(by_id);
    params[0] = id_array = sfo_store_journal_array(ids);
    if (sfo_store_exec(store, SFO_STMT_JOURNAL_OPEN_STEPS, params, &res) < 0)
        return SFO_EDATABASE;
    /* in the order they were recorded: the last phase of a step wins */
    for (row = 0; row < PQntuples(res); row++) {
        sfo_journal_entry *entry = g_hash_table_lookup(by_id, PQgetvalue(res, row, 0));

        if (entry)
            sfo_journal_entry_set_phase(entry, sfo_store_col_bool(res, row, 1),
                                        sfo_store_col_int(res, row, 2, -1),
                                        sfo_journal_phase_from_string(PQgetvalue(res, row, 3)));
    }
    return 0;
}

static int
sfo_store_journal_unfinished(sfo_journal *journal, GPtrArray **ret_entries)
{
    g_autoptr(GPtrArray) entries =
        g_ptr_array_new_with_free_func((GDestroyNotify)sfo_journal_entry_free);
    sfo_store_journal_scan scan = { (sfo_store_journal *)journal, entries };
    int rc;

    if ((rc = sfo_store_transaction(scan.journal->store, SFO_STORE_TXN_UNLOCKED,
                                    sfo_store_journal_scan_txn, &scan)) < 0)
        return rc;
    *ret_entries = g_steal_pointer(&entries);
    return 0;
}

static void
sfo_store_journal_free(sfo_journal *journal)
{
    sfo_store_journal *j = (sfo_store_journal *)journal;
    gboolean sound;

    /*
     * The server drops a session's locks when it notices the connection is gone, a moment
     * after a crash; a journal closed on purpose hands its sequences over at once. Only a
     * connection that did so, is idle and was never cut under the journal (its locks taken
     * again) is kept for the next journal.
     */
    sound = j->store && j->connection == j->store->connections;
    if (j->store && g_hash_table_size(j->owned) > 0 &&
        sfo_store_exec(j->store, SFO_STMT_JOURNAL_UNLOCK_ALL, NULL, NULL) < 0) {
        sfo_error_clear();
        sound = FALSE;
    }
    if (sound && j->spare && !j->store->conn_lost && PQstatus(j->store->conn) == CONNECTION_OK &&
        PQtransactionStatus(j->store->conn) == PQTRANS_IDLE)
        sfo_store_spare_keep(j->spare, g_steal_pointer(&j->store));
    sfo_store_close(j->store);
    if (j->spare)
        sfo_store_spare_unref(j->spare);
    g_hash_table_unref(j->owned);
    g_free(j);
}

static const sfo_journal_ops sfo_store_journal_ops = {
    .begin = sfo_store_journal_begin,
    .record = sfo_store_journal_record,
    .finish = sfo_store_journal_finish,
    .reserve_vf = sfo_store_journal_reserve_vf,
    .release_vf = sfo_store_journal_release_vf,
    .unfinished = sfo_store_journal_unfinished,
    .free = sfo_store_journal_free,
};

int
sfo_store_open_journal(sfo_store *store, unsigned int flags, sfo_journal **ret_journal)
{
    g_autoptr(sfo_journal) journal = NULL;
    sfo_store_journal *j;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_journal != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    j = g_new0(sfo_store_journal, 1);
    j->parent.ops = &sfo_store_journal_ops;
    j->owned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    journal = &j->parent;
    j->spare = sfo_store_spare_ref(store);
    j->store = sfo_store_spare_take(j->spare);
    if (!j->store && sfo_store_open_again(store, &j->store) < 0)
        return SFO_EDATABASE;
    j->connection = j->store->connections;
    *ret_journal = g_steal_pointer(&journal);
    return 0;
}
