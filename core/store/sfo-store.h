/*
 * sfo-store.h: the PostgreSQL store, internal API (core/store)
 *
 * The public calls are in sriovfo-store.h; this header is shared by the store's
 * files and its tests. The store is the only layer besides exec that talks
 * to the outside: libpq, and initdb/pg_ctl for the embedded cluster.
 * docs/store.md describes the schema, the locking and the retries.
 *
 * Every SQL statement is a constant in sfo-store-sql.c, run with
 * PQexecPrepared() and its values as parameters; the migration files are the
 * only SQL run as text (PQexec), because they hold several statements.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "sriovfo/sriovfo-store.h"

#include "model/sfo-model.h"
#include "rules/sfo-violations.h"

/*
 * libpq cleanups live here rather than in util/sfo-autoptr.h, so that only
 * the store's files see <libpq-fe.h>.
 */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_store, sfo_store_close)

/* The schema version this library is written for: db-migrations/0001 .. NNNN */
#define SFO_STORE_SCHEMA_VERSION 6

/* A user name with this many failed logins in the last SFO_STORE_LOGIN_WINDOW seconds is refused */
#define SFO_STORE_LOGIN_MAX_FAILURES 5
#define SFO_STORE_LOGIN_WINDOW 60

/* How often a transaction is tried before its failure is reported */
#define SFO_STORE_MAX_ATTEMPTS 8

/* ------------------------------------------------------------------------ */
/* Statements (sfo-store-sql.c)                                             */
/* ------------------------------------------------------------------------ */

typedef enum {
    /* transactions */
    SFO_STMT_BEGIN_WRITE,
    SFO_STMT_BEGIN_SNAPSHOT,
    SFO_STMT_COMMIT,
    SFO_STMT_ROLLBACK,
    SFO_STMT_TXN_SHARED,
    SFO_STMT_TXN_EXCLUSIVE,
    SFO_STMT_TXN_UNLOCKED,
    SFO_STMT_TXID_STATUS,
    /* schema */
    SFO_STMT_VERSION_TABLE_EXISTS,
    SFO_STMT_VERSION_GET,
    SFO_STMT_VERSION_TABLE_CREATE,
    SFO_STMT_VERSION_INSERT,
    SFO_STMT_MIGRATE_LOCK,
    SFO_STMT_DATABASE_EXISTS,
    SFO_STMT_DATABASE_CREATE,
    /* vNIC profiles */
    SFO_STMT_PROFILE_GET,
    SFO_STMT_PROFILE_GET_FOR_SHARE,
    SFO_STMT_PROFILE_GET_FOR_UPDATE,
    SFO_STMT_PROFILE_WITH_FAILOVER_FOR_SHARE,
    SFO_STMT_PROFILE_REFERRERS,
    SFO_STMT_PROFILE_USERS,
    SFO_STMT_PROFILE_USERS_IF_GUARDED_CHANGE,
    SFO_STMT_PROFILE_INSERT,
    SFO_STMT_PROFILE_UPDATE,
    SFO_STMT_PROFILE_DELETE,
    SFO_STMT_NETWORK_GET,
    /* VMs, hosts, NICs */
    SFO_STMT_VM_GET,
    SFO_STMT_HOST_GET,
    SFO_STMT_HOST_PFS,
    SFO_STMT_HOST_VFS,
    SFO_STMT_NIC_EXISTS,
    SFO_STMT_NIC_GET_FOR_UPDATE,
    SFO_STMT_NICS_OF_VM,
    SFO_STMT_NICS_WITH_MAC,
    SFO_STMT_NIC_INSERT,
    SFO_STMT_NIC_UPDATE,
    SFO_STMT_NIC_SET_PLUGGED,
    SFO_STMT_NIC_DELETE,
    /* import */
    SFO_STMT_STORE_IS_EMPTY,
    SFO_STMT_DELETE_HOST_VFS,
    SFO_STMT_DELETE_NICS,
    SFO_STMT_DELETE_VMS,
    SFO_STMT_DELETE_HOSTS,
    SFO_STMT_DELETE_PROFILES,
    SFO_STMT_DELETE_CLUSTER_NETWORKS,
    SFO_STMT_DELETE_NETWORKS,
    SFO_STMT_DELETE_CLUSTERS,
    SFO_STMT_DELETE_DATA_CENTERS,
    SFO_STMT_DEFER_FAILOVER_CHECKS,
    SFO_STMT_INSERT_DATA_CENTER,
    SFO_STMT_INSERT_CLUSTER,
    SFO_STMT_INSERT_CLUSTER_NETWORK,
    SFO_STMT_INSERT_NETWORK,
    SFO_STMT_INSERT_VM,
    SFO_STMT_INSERT_HOST,
    SFO_STMT_INSERT_HOST_NETWORK,
    SFO_STMT_INSERT_HOST_PF,
    SFO_STMT_INSERT_HOST_PF_NETWORK,
    SFO_STMT_INSERT_HOST_VF,
    /* export */
    SFO_STMT_EXPORT_DATA_CENTERS,
    SFO_STMT_EXPORT_CLUSTERS,
    SFO_STMT_EXPORT_NETWORKS,
    SFO_STMT_EXPORT_PROFILES,
    SFO_STMT_EXPORT_VMS,
    SFO_STMT_EXPORT_NICS,
    SFO_STMT_EXPORT_HOSTS,
    SFO_STMT_EXPORT_HOST_PFS,
    SFO_STMT_EXPORT_HOST_VFS,
    /* the streamed export: server-side cursors, read in batches */
    SFO_STMT_STREAM_DATA_CENTERS,
    SFO_STMT_STREAM_CLUSTERS,
    SFO_STMT_STREAM_NETWORKS,
    SFO_STMT_STREAM_PROFILES,
    SFO_STMT_STREAM_VMS,
    SFO_STMT_STREAM_NICS,
    SFO_STMT_STREAM_HOST_VFS,
    SFO_STMT_STREAM_FETCH,
    SFO_STMT_STREAM_CLOSE,
    /* the journal */
    SFO_STMT_JOURNAL_BEGIN,
    SFO_STMT_JOURNAL_RECORD,
    SFO_STMT_JOURNAL_FINISH,
    SFO_STMT_JOURNAL_UNLOCK,
    SFO_STMT_JOURNAL_UNLOCK_ALL,
    SFO_STMT_JOURNAL_RELOCK,
    SFO_STMT_JOURNAL_RESERVE_VF,
    SFO_STMT_JOURNAL_RELEASE_VF,
    SFO_STMT_JOURNAL_OPEN_SEQUENCES,
    SFO_STMT_JOURNAL_OPEN_STEPS,
    SFO_STMT_JOURNAL_LOCK,
    SFO_STMT_JOURNAL_VM_BUSY,
    SFO_STMT_JOURNAL_VF_USER,
    SFO_STMT_JOURNAL_DROP_HOLDS,
    SFO_STMT_JOURNAL_HOLDS,
    SFO_STMT_JOURNAL_NAMES,
    /* the store's write-back of a completed sequence */
    SFO_STMT_WRITE_NIC_PLUGGED,
    SFO_STMT_WRITE_NIC_VF,
    SFO_STMT_WRITE_FREE_VFS,
    SFO_STMT_WRITE_TAKE_VF,
    SFO_STMT_WRITE_VM_HOST,
    /* reads (sfo-store-read.c) */
    SFO_STMT_LIST_DATA_CENTERS,
    SFO_STMT_LIST_CLUSTERS,
    SFO_STMT_LIST_NETWORKS,
    SFO_STMT_LIST_PROFILES,
    SFO_STMT_LIST_VMS,
    SFO_STMT_LIST_NICS,
    SFO_STMT_LIST_HOSTS,
    SFO_STMT_GET_DATA_CENTER,
    SFO_STMT_GET_CLUSTER,
    SFO_STMT_GET_NETWORK,
    SFO_STMT_GET_PROFILE,
    SFO_STMT_GET_VM,
    SFO_STMT_GET_NIC,
    SFO_STMT_GET_HOST,
    SFO_STMT_ALL_DATA_CENTERS,
    SFO_STMT_ALL_CLUSTERS,
    SFO_STMT_ALL_NETWORKS,
    SFO_STMT_ALL_PROFILES,
    SFO_STMT_ALL_VMS,
    SFO_STMT_ALL_NICS,
    SFO_STMT_ALL_HOSTS,
    SFO_STMT_PROFILE_VM_COUNTS,
    SFO_STMT_PROFILES_WITH_NETWORKS,
    /* merge updates, names, MACs (sfo-store-repo.c) */
    SFO_STMT_PROFILES_WITH_NAME,
    SFO_STMT_MAC_LOCK,
    SFO_STMT_MAC_LAST,
    SFO_STMT_MAC_FIRST_GAP,
    /* users and tokens (sfo-store-users.c) */
    SFO_STMT_USER_INSERT,
    SFO_STMT_USER_SET_PASSWORD,
    SFO_STMT_USER_DELETE,
    SFO_STMT_USER_LIST,
    SFO_STMT_USER_INSERT_FIRST,
    SFO_STMT_USER_GET,
    SFO_STMT_LOGIN_LOCK,
    SFO_STMT_LOGIN_FAILURES,
    SFO_STMT_LOGIN_FAILURE_RECORD,
    SFO_STMT_TOKEN_INSERT,
    SFO_STMT_TOKEN_GET,
    SFO_STMT_TOKEN_DELETE,
    SFO_STMT_LAST
} sfo_store_stmt_id;

/* rows a FETCH of the streamed export reads */
#define SFO_STORE_STREAM_BATCH 1000

typedef struct {
    const char *name; /* also the prepared statement's name */
    const char *sql;
    int nparams;
    gboolean unprepared; /* run with PQexecParams (utility statements) */
} sfo_store_stmt;

extern const sfo_store_stmt sfo_store_stmts[SFO_STMT_LAST];

/*
 * Column lists of the SELECTs, and how many columns each takes; the
 * sfo_store_row_*() readers take the offset of the first.
 */
#define SFO_STORE_PROFILE_NCOLS 9
#define SFO_STORE_NETWORK_NCOLS 9
#define SFO_STORE_CLUSTER_NCOLS 7
#define SFO_STORE_VM_NCOLS 7
#define SFO_STORE_NIC_NCOLS 8
#define SFO_STORE_HOST_NCOLS 5

/* ------------------------------------------------------------------------ */
/* Connections, statements and transactions (sfo-store-db.c)                */
/* ------------------------------------------------------------------------ */

/*
 * Called by the transaction runner at named points ("before-commit": before the
 * COMMIT is sent; "commit-sent": after it was sent, before its answer is read);
 * tests use it to break things.
 */
typedef void (*sfo_store_test_hook)(sfo_store *store, const char *point, gpointer data);

typedef struct sfo_store_query sfo_store_query;

/* the inventory's collections (sfo_store_coll) */
#define SFO_STORE_NCOLLS 7

/*
 * A journal's connection, kept for the next journal of the same store when
 * the journal is freed: idle, holding no lock, its statements prepared. The
 * store and each journal it opened hold a reference (atomic reference count,
 * g_atomic_rc_box), since the store may be closed before its journals and a
 * journal freed in another thread; @lock guards the rest.
 */
typedef struct {
    GMutex lock;
    gboolean closed;  /* the store is closed: nothing is kept any more */
    sfo_store *store; /* the kept connection, or NULL */
} sfo_store_spare;

/* @store's spare (a new one on first use), with a reference for the caller */
sfo_store_spare *sfo_store_spare_ref(sfo_store *store);
void sfo_store_spare_unref(sfo_store_spare *spare);
/* The kept connection of @spare, now the caller's, or NULL */
sfo_store *sfo_store_spare_take(sfo_store_spare *spare);
/* Keeps @conn (idle, no lock held) in @spare, else closes it */
void sfo_store_spare_keep(sfo_store_spare *spare, sfo_store *conn);

struct sfo_store {
    PGconn *conn;
    char *dsn;      /* the caller's connection string; NULL for the embedded store */
    char *data_dir; /* the embedded store's data directory, else NULL */
    gboolean prepared[SFO_STMT_LAST];
    char *txid; /* the running write transaction's id (txid_current()) */
    /* a write transaction's BEGIN, sent with its first statements (an sfo_store_txn_mode; -1: none) */
    int begin_pending;
    /* the write sent together with COMMIT, and its parameters' copies */
    sfo_store_query *at_commit;
    GPtrArray *at_commit_strings;
    /* the last statement's failure, for the retry logic */
    char sqlstate[6];
    gboolean conn_lost;
    /* set by the body of a transaction whose attempt must not be repeated */
    gboolean no_retry;
    int attempts; /* of the last transaction, for tests */
    /* connections made (and re-made): a new one has lost the session's advisory locks */
    guint connections;
    sfo_store_test_hook test_hook;
    gpointer test_hook_data;
    /* sfo-store-read.c: per kind (sfo_store_coll), the rows of the last list and their text */
    struct {
        PGresult *res;
        char *text;
    } list_memo[SFO_STORE_NCOLLS];
    /* the connection a freed journal left for the next one (sfo-store-journal.c) */
    sfo_store_spare *spare;
};

/* Connects @store to its dsn or embedded cluster (sfo_store_open() minus the schema check). */
int sfo_store_connect(sfo_store *store);

/*
 * Called by a transaction's body once it has done what cannot be undone
 * outside the store (written part of an export): a failure of this attempt
 * is then final, sfo_store_transaction() does not run the body again.
 */
void sfo_store_no_retry(sfo_store *store);

/* Reconnects after the connection was lost (restarting the embedded server if it stopped). */
int sfo_store_reconnect(sfo_store *store);

/* Opens a second connection to the database of @store (as sfo_store_open() would). */
int sfo_store_open_again(const sfo_store *store, sfo_store **ret_store);

/*
 * Runs statement @stmt with @params (as many as the statement takes; NULL
 * entries are SQL NULL). On success returns 0 and, when @ret_res is not
 * NULL, the result. On failure reports DB_QUERY_FAILED (or
 * DB_CONNECTION_FAILED when the connection is gone), records the SQLSTATE
 * for the retry logic and returns SFO_EDATABASE.
 */
int sfo_store_exec(sfo_store *store, sfo_store_stmt_id stmt, const char *const *params,
                   PGresult **ret_res);

/* The most parameters a statement takes */
#define SFO_STORE_MAX_PARAMS 9

/* One statement of a pipeline (sfo_store_exec_pipeline()) */
struct sfo_store_query {
    sfo_store_stmt_id stmt;
    const char *params[SFO_STORE_MAX_PARAMS];
    PGresult *res; /* out: the result, freed by sfo_store_pipeline_clear() */
};

/*
 * Sends @n statements at once (libpq pipeline mode) and collects their
 * results: one round trip instead of @n. The server runs them in order, so
 * a lock taken by one holds for those after it. On the first failure
 * reports it as sfo_store_exec() does and returns SFO_EDATABASE.
 */
int sfo_store_exec_pipeline(sfo_store *store, sfo_store_query *queries, size_t n);

/* Frees the results of @queries */
void sfo_store_pipeline_clear(sfo_store_query *queries, size_t n);

/*
 * The body's last statement, whose result it does not need: sent together
 * with COMMIT, in one round trip. @params are copied. At most one a transaction.
 */
void sfo_store_exec_at_commit(sfo_store *store, sfo_store_stmt_id stmt, const char *const *params);

/* Runs @sql (several statements, no parameters): the migration files only. */
int sfo_store_exec_script(sfo_store *store, const char *what, const char *sql);

/* Number of rows a command changed (PQcmdTuples), 0 when unknown. */
guint64 sfo_store_changed_rows(PGresult *res);

typedef enum {
    SFO_STORE_TXN_WRITE,     /* read committed; shared inventory lock */
    SFO_STORE_TXN_EXCLUSIVE, /* read committed; exclusive inventory lock (import) */
    SFO_STORE_TXN_SNAPSHOT,  /* repeatable read, read only (export) */
    /* read committed, no inventory lock: migrations (they lock the tables), the journal */
    SFO_STORE_TXN_UNLOCKED,
    /*
     * one read-only statement (or one pipeline) in the implicit transaction the
     * server gives it: its own snapshot, one round trip, no BEGIN nor COMMIT
     * (get and list of one kind, a token check)
     */
    SFO_STORE_TXN_STATEMENT,
} sfo_store_txn_mode;

/*
 * The body of a transaction. It returns 0 to commit, SFO_EVIOLATED (or any
 * error that is not the database's) to roll back and return that, and
 * SFO_EDATABASE after a failed statement. It must be safe to run again: the
 * runner retries after a serialization failure, a deadlock, a unique,
 * foreign key or exclusion violation (a concurrent commit the body did not
 * see yet; on the next attempt the rules see it) or a lost connection.
 */
typedef int (*sfo_store_txn_fn)(sfo_store *store, gpointer data);

int sfo_store_transaction(sfo_store *store, sfo_store_txn_mode mode, sfo_store_txn_fn fn,
                          gpointer data);

void sfo_store_set_test_hook(sfo_store *store, sfo_store_test_hook hook, gpointer data);

/* ------------------------------------------------------------------------ */
/* Migrations (sfo-store-migrate.c)                                         */
/* ------------------------------------------------------------------------ */

/* $SRIOVFO_MIGRATIONS_DIR, else the installed $(pkgdatadir)/db-migrations */
char *sfo_store_migrations_dir(void);

/*
 * The migration files of @dir, sorted: "NNNN_description.sql" numbered 1..N
 * without gaps (DB_MIGRATIONS_NOT_FOUND otherwise). File names only.
 */
int sfo_store_migrations_list(const char *dir, GPtrArray **ret_files);

/*
 * The applied schema version (0 when the version table does not exist), in
 * the transaction under way (a body of sfo_store_transaction())
 */
int sfo_store_schema_version(sfo_store *store, int *ret_version);

/* The same as a call of its own: one read-only transaction, retried as every call is */
int sfo_store_read_schema_version(sfo_store *store, int *ret_version);

/*
 * Applies the migrations of @dir up to version @target, each in its own
 * transaction. Returns how many were applied.
 */
int sfo_store_migrate(sfo_store *store, const char *dir, int target);

/* ------------------------------------------------------------------------ */
/* The embedded cluster (sfo-store-embedded.c)                              */
/* ------------------------------------------------------------------------ */

/* Directory of initdb, pg_ctl and postgres: $SRIOVFO_PG_BINDIR, configure's, or found. */
int sfo_store_server_bindir(char **ret_dir);

/*
 * Creates (initdb), starts (pg_ctl) and prepares (database "sriovfo") the
 * cluster under @data_dir as needed; serialised between processes by a lock
 * file. Safe to call when it is running already.
 */
int sfo_store_embedded_start(const char *data_dir);

/* libpq keywords and values (NULL-terminated) reaching the cluster of @data_dir. */
void sfo_store_embedded_conninfo(const char *data_dir, const char *dbname,
                                 const char ***ret_keywords, const char ***ret_values);

/* ------------------------------------------------------------------------ */
/* Model objects from rows (sfo-store-load.c)                               */
/* ------------------------------------------------------------------------ */

/*
 * An inventory assembled from rows: adding an object whose id is there
 * already keeps the first (the one read under a lock) and frees the other.
 */
typedef struct {
    sfo_inventory *inv;
    GHashTable
        *ids[SFO_STORE_NCOLLS]; /* per collection (sfo_store_coll): id -> object (borrowed) */
} sfo_store_builder;

typedef enum {
    SFO_STORE_COLL_DATA_CENTERS,
    SFO_STORE_COLL_CLUSTERS,
    SFO_STORE_COLL_NETWORKS,
    SFO_STORE_COLL_PROFILES,
    SFO_STORE_COLL_VMS,
    SFO_STORE_COLL_NICS,
    SFO_STORE_COLL_HOSTS,
} sfo_store_coll;
G_STATIC_ASSERT(SFO_STORE_COLL_HOSTS + 1 == SFO_STORE_NCOLLS);

void sfo_store_builder_init(sfo_store_builder *b);
void sfo_store_builder_clear(sfo_store_builder *b);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sfo_store_builder, sfo_store_builder_clear)
/* Indexes the inventory (sfo_inventory_index()) and hands it over. */
int sfo_store_builder_finish(sfo_store_builder *b, sfo_inventory **ret_inventory);

sfo_vnic_profile *sfo_store_builder_add_profile(sfo_store_builder *b, sfo_vnic_profile *p);
sfo_network *sfo_store_builder_add_network(sfo_store_builder *b, sfo_network *net);
sfo_cluster *sfo_store_builder_add_cluster(sfo_store_builder *b, sfo_cluster *cl);
sfo_vm *sfo_store_builder_add_vm(sfo_store_builder *b, sfo_vm *vm);
sfo_nic *sfo_store_builder_add_nic(sfo_store_builder *b, sfo_nic *nic);
sfo_host *sfo_store_builder_add_host(sfo_store_builder *b, sfo_host *host);

/* Objects from row @row starting at column @col; NULL when that column is NULL (outer joins). */
sfo_vnic_profile *sfo_store_row_profile(const PGresult *res, int row, int col);
/* The same profile in @p, its strings pointing into @res (no copy: valid while @res is) */
void sfo_store_row_profile_view(const PGresult *res, int row, int col, sfo_vnic_profile *p);
sfo_network *sfo_store_row_network(const PGresult *res, int row, int col);
sfo_cluster *sfo_store_row_cluster(const PGresult *res, int row, int col);
sfo_vm *sfo_store_row_vm(const PGresult *res, int row, int col);
sfo_nic *sfo_store_row_nic(const PGresult *res, int row, int col);
sfo_host *sfo_store_row_host(const PGresult *res, int row, int col);
/* id, name */
sfo_data_center *sfo_store_row_data_center(const PGresult *res, int row, int col);
/* name, address, network ids (comma-separated); no VFs yet */
sfo_pf *sfo_store_row_pf(const PGresult *res, int row, int col);
/* address, nic id */
sfo_vf *sfo_store_row_vf(const PGresult *res, int row, int col);

/* The value of a column: a copy (NULL for SQL NULL), a boolean, an integer. */
char *sfo_store_col_str(const PGresult *res, int row, int col);
gboolean sfo_store_col_bool(const PGresult *res, int row, int col);
int sfo_store_col_int(const PGresult *res, int row, int col, int if_null);
/* "a,b,c" (a string_agg of ids, which never hold ',') as a list of ids; empty for NULL */
GPtrArray *sfo_store_col_id_list(const PGresult *res, int row, int col);

/*
 * Readers: add what the result of a statement holds to @b.
 *  - profile: PROFILE_GET*: the profile and its network; PROFILE_WITH_FAILOVER_FOR_SHARE:
 *    also its failover profile and that one's network. Returns the profile (borrowed) or NULL;
 *  - profiles: PROFILE_REFERRERS;
 *  - nics_with_vms: PROFILE_USERS, PROFILE_USERS_IF_GUARDED_CHANGE, NICS_WITH_MAC;
 *  - nics_with_profiles: NICS_OF_VM;
 *  - vm: VM_GET (with its cluster), returns the VM or NULL.
 */
sfo_vnic_profile *sfo_store_read_profile(sfo_store_builder *b, const PGresult *res);
void sfo_store_read_network(sfo_store_builder *b, const PGresult *res);
void sfo_store_read_profiles(sfo_store_builder *b, const PGresult *res);
void sfo_store_read_nics_with_vms(sfo_store_builder *b, const PGresult *res);
void sfo_store_read_nics_with_profiles(sfo_store_builder *b, const PGresult *res);
sfo_vm *sfo_store_read_vm(sfo_store_builder *b, const PGresult *res);

/* Loads host @id with its networks, PFs and VFs (one pipeline) */
int sfo_store_load_host(sfo_store *store, sfo_store_builder *b, const char *id);

/* The boolean as a parameter: "t" or "f" */
const char *sfo_store_bool_param(gboolean value);

/*
 * The parameters of a vNIC profile's row, in the order of SFO_STMT_PROFILE_INSERT and
 * _UPDATE (borrowed from @p), and of a NIC's row for SFO_STMT_NIC_INSERT and _UPDATE.
 */
#define SFO_STORE_PROFILE_NPARAMS 9
void sfo_store_profile_params(const sfo_vnic_profile *p,
                              const char *ret_params[SFO_STORE_PROFILE_NPARAMS]);
#define SFO_STORE_NIC_NPARAMS 8
void sfo_store_nic_params(const sfo_nic *nic, const char *ret_params[SFO_STORE_NIC_NPARAMS]);

/*
 * Ends a rule check inside a transaction: SFO_EVIOLATED (reported as
 * RULE_VIOLATED) when @violations holds an error, else 0.
 */
int sfo_store_check_violations(const sfo_violations *violations, const char *action);
