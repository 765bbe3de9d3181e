/*
 * bench-store.c: latency of the store's calls at 10,000 and at 1,000,000 NICs
 *
 * Starts a throw-away PostgreSQL cluster (the embedded store's code, in a
 * temporary directory), loads a generated inventory of a given size with
 * INSERT ... SELECT generate_series (fixed SQL text, sizes as parameters),
 * then times three calls of the public API, each a whole transaction with
 * every rule: "add VF NIC", "update profile", "remove profile", in turn with
 * the floor, an empty durable transaction. It does so for a small and a
 * large inventory and prints p50/p99, their ratios to the floor's and the
 * growth of p99 from the small to the large one. docs/benchmarks.md explains
 * the figures and the query plans (--explain).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "store/sfo-store.h"

typedef struct {
    int nics;
    int profiles; /* half failover targets, half VF profiles naming them */
} bench_size;

typedef struct {
    bench_size small;
    bench_size large;
    int samples;
    gboolean no_sync;
    gboolean explain;
    gboolean json;
    char *data_dir;
} bench_options;

enum {
    OP_ADD_NIC,
    OP_UPDATE_PROFILE,
    OP_REMOVE_PROFILE,
    OP_LAST,
};

static const char *const op_names[OP_LAST] = { "add VF NIC", "update profile", "remove profile" };

typedef struct {
    double p50_ms;
    double p99_ms;
    double max_ms;
} bench_result;

/* NICs per VM in the generated inventory (all VF NICs, each on its own failover target) */
#define NICS_PER_VM 8

/* ------------------------------------------------------------------------ */
/* loading                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * The generated inventory, by INSERT ... SELECT over generate_series. $1 is
 * always a count. Profiles: fo-K (virtio, net-br) and vf-K (passthrough,
 * migratable, failover fo-K, net-vf) for K = 1..pairs; spare-K (virtio,
 * unused, for removal). VMs vm-V with NICS_PER_VM NICs each; NIC G is on VM
 * (G-1)/8+1 and profile vf-((G-1) % pairs + 1), so the NICs of one VM have
 * distinct failover profiles and every profile has nics/pairs users.
 */
static const char *const bench_load_sql[] = {
    "INSERT INTO data_centers (id, name) VALUES ('dc1', 'Default')",
    "INSERT INTO clusters (id, name, data_center_id, version_major, version_minor) "
    "VALUES ('cl1', 'Default', 'dc1', 4, 7)",
    "INSERT INTO networks (id, name, data_center_id, vlan_id, bridge) "
    "VALUES ('net-vf', 'sriov-vf', 'dc1', 100, 'sriov-vf'), "
    "('net-br', 'vm-bridge', 'dc1', 100, 'vm-bridge')",
    "INSERT INTO cluster_networks (cluster_id, position, network_id) "
    "VALUES ('cl1', 0, 'net-vf'), ('cl1', 1, 'net-br')",
    "INSERT INTO vnic_profiles (id, name, network_id, data_center_id, network_external) "
    "SELECT 'fo-' || g, 'fo-' || g, 'net-br', 'dc1', false FROM generate_series(1, $1::integer) g",
    "INSERT INTO vnic_profiles (id, name, network_id, data_center_id, network_external, "
    "pass_through, migratable, failover_vnic_profile_id) "
    "SELECT 'vf-' || g, 'vf-' || g, 'net-vf', 'dc1', false, true, true, 'fo-' || g "
    "FROM generate_series(1, $1::integer) g",
    "INSERT INTO vnic_profiles (id, name, network_id, data_center_id, network_external) "
    "SELECT 'spare-' || g, 'spare-' || g, 'net-br', 'dc1', false "
    "FROM generate_series(1, $2::integer) g",
    "INSERT INTO vms (id, name, cluster_id, os_type, status) "
    "SELECT 'vm-' || g, 'vm-' || g, 'cl1', 'rhel_8x64', 'down' "
    "FROM generate_series(1, ($3::integer + 7) / 8) g",
    "INSERT INTO nics (id, name, vm_id, vnic_profile_id, interface, mac, "
    "failover_vnic_profile_id) "
    "SELECT 'nic-' || g, 'nic' || ((g - 1) % 8), 'vm-' || ((g - 1) / 8 + 1), "
    "'vf-' || ((g - 1) % $1::integer + 1), 'pci_passthrough', "
    "format('56:6f:%s:%s:%s:%s', lpad(to_hex((g >> 24) & 255), 2, '0'), "
    "lpad(to_hex((g >> 16) & 255), 2, '0'), lpad(to_hex((g >> 8) & 255), 2, '0'), "
    "lpad(to_hex(g & 255), 2, '0'))::macaddr, "
    "'fo-' || ((g - 1) % $1::integer + 1) FROM generate_series(1, $3::integer) g",
    /* the floor's one row (bench_floor()) */
    "CREATE TABLE bench_floor (n bigint NOT NULL)",
    "INSERT INTO bench_floor (n) VALUES (0)",
};

static void bench_die(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

/* The cluster to stop when the benchmark ends (NULL: none started, or --keep) */
static const char *bench_cluster;
/* The temporary directory the benchmark made, removed when it ends (NULL: --data-dir, --keep) */
static const char *bench_tmp_dir;

/* Stops the cluster and removes the temporary directory, on every way out */
static void
bench_cleanup(void)
{
    if (bench_cluster)
        sfo_store_embedded_stop(bench_cluster, 0);
    bench_cluster = NULL;
    if (bench_tmp_dir) {
        const char *rm[] = { "rm", "-rf", bench_tmp_dir, NULL };

        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                     NULL);
    }
    bench_tmp_dir = NULL;
}

/* SIGINT, SIGTERM: the sample loops stop at the next sample and clean up */
static volatile sig_atomic_t bench_interrupted;

static void
bench_interrupt(int sig)
{
    bench_interrupted = sig;
}

static void
bench_die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "bench-store: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    bench_cleanup();
    exit(1);
}

static void
bench_ignore_notice(void *arg, const char *message)
{
}

static PGconn *
bench_connect(const char *data_dir, const char *dbname)
{
    g_autofree const char **keywords = NULL;
    g_autofree const char **values = NULL;
    PGconn *conn;

    sfo_store_embedded_conninfo(data_dir, dbname, &keywords, &values);
    conn = PQconnectdbParams(keywords, values, 0);
    if (PQstatus(conn) != CONNECTION_OK)
        bench_die("cannot connect: %s", PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, bench_ignore_notice, NULL);
    return conn;
}

static void
bench_sql(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    g_autoptr(PGresult) res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);

    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        bench_die("%s: %s", sql, PQerrorMessage(conn));
}

static double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A new database @dbname at the current schema, loaded with @size; returns its DSN */
static char *
bench_load(const bench_options *o, const char *dbname, const bench_size *size, int spares)
{
    PGconn *conn = bench_connect(o->data_dir, "postgres");
    g_autofree char *pairs = g_strdup_printf("%d", size->profiles / 2);
    g_autofree char *nspares = g_strdup_printf("%d", spares);
    g_autofree char *nics = g_strdup_printf("%d", size->nics);
    g_autofree char *migrations = sfo_store_migrations_dir();
    const char *params[] = { pairs, nspares, nics };
    sfo_store *store = NULL;
    char *dsn;
    double t0;
    size_t i;

    /* the two databases of the benchmark: fixed names, no identifier built from input */
    if (g_str_equal(dbname, "sriovfo_small")) {
        bench_sql(conn, "DROP DATABASE IF EXISTS sriovfo_small WITH (FORCE)", 0, NULL);
        bench_sql(conn, "CREATE DATABASE sriovfo_small", 0, NULL);
    } else {
        bench_sql(conn, "DROP DATABASE IF EXISTS sriovfo_large WITH (FORCE)", 0, NULL);
        bench_sql(conn, "CREATE DATABASE sriovfo_large", 0, NULL);
    }
    PQfinish(conn);

    dsn = g_strdup_printf("host='%s' port=5432 dbname=%s user=sriovfo", o->data_dir, dbname);
    if (sfo_store_open(dsn, SFO_STORE_OPEN_NO_UPGRADE, &store) < 0 ||
        sfo_store_migrate(store, migrations, SFO_STORE_SCHEMA_VERSION) < 0)
        bench_die("migrating: %s", sfo_error_last()->message);
    sfo_store_close(store);

    t0 = bench_now();
    conn = bench_connect(o->data_dir, dbname);
    bench_sql(conn, "BEGIN", 0, NULL);
    for (i = 0; i < G_N_ELEMENTS(bench_load_sql); i++) {
        /* every statement gets the three counts, typed, whether it uses them or not */
        static const Oid int4[] = { 23, 23, 23 };
        g_autoptr(PGresult) res =
            PQexecParams(conn, bench_load_sql[i], 3, int4, params, NULL, NULL, 0);

        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            bench_die("%s: %s", bench_load_sql[i], PQerrorMessage(conn));
    }
    bench_sql(conn, "COMMIT", 0, NULL);
    bench_sql(conn, "VACUUM ANALYZE", 0, NULL);
    /* write the load's dirty pages now, not while the calls are timed */
    bench_sql(conn, "CHECKPOINT", 0, NULL);
    PQfinish(conn);
    if (!o->json)
        printf("loaded       %d NICs on %d VMs, %d profiles (+%d spare) in %.1f s\n", size->nics,
               (size->nics + NICS_PER_VM - 1) / NICS_PER_VM, size->profiles, spares,
               bench_now() - t0);
    return dsn;
}

/* ------------------------------------------------------------------------ */
/* timing                                                                   */
/* ------------------------------------------------------------------------ */

static int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static bench_result
bench_summarise(double *ms, int n)
{
    bench_result r;

    qsort(ms, (size_t)n, sizeof(double), bench_cmp_double);
    r.p50_ms = ms[(n - 1) / 2];
    r.p99_ms = ms[(int)ceil(0.99 * n) - 1];
    r.max_ms = ms[n - 1];
    return r;
}

/*
 * Sample @i of @op: a new VF NIC on a VM that has none on that failover
 * profile; a rename of a VF profile (NICs use it: rules 5 and 6 read its users);
 * the removal of an unused profile.
 */
static int
bench_op(sfo_store *store, int op, int i, const bench_size *size)
{
    int pairs = size->profiles / 2;
    int vms = (size->nics + NICS_PER_VM - 1) / NICS_PER_VM;
    int r;

    switch (op) {
    case OP_ADD_NIC: {
        /* VMs in turn; a VM used again takes the next profile up */
        int vm = (int)(((gint64)i * 7919) % vms) + 1;
        int pass = i / vms;
        int k = ((vm - 1) * NICS_PER_VM + NICS_PER_VM + pass) % pairs + 1;
        int g = size->nics + i + 1;
        g_autofree char *json = g_strdup_printf(
            "{\"id\": \"new-%d\", \"name\": \"new\", \"vm\": {\"id\": \"vm-%d\"}, "
            "\"vnic_profile\": {\"id\": \"vf-%d\"}, \"interface\": \"pci_passthrough\", "
            "\"mac\": {\"address\": \"56:6f:%02x:%02x:%02x:%02x\"}}",
            i, vm, k, (g >> 24) & 255, (g >> 16) & 255, (g >> 8) & 255, g & 255);

        r = sfo_store_add_nic(store, json, 0, NULL, NULL);
        break;
    }
    case OP_UPDATE_PROFILE: {
        int k = (int)(((gint64)i * 104729) % pairs) + 1;
        g_autofree char *json = g_strdup_printf(
            "{\"id\": \"vf-%d\", \"name\": \"vf-%d-%d\", \"network\": {\"id\": \"net-vf\"}, "
            "\"pass_through\": {\"mode\": \"enabled\"}, \"migratable\": true, "
            "\"failover\": {\"id\": \"fo-%d\"}}",
            k, k, i, k);

        r = sfo_store_update_vnic_profile(store, json, 0, NULL);
        break;
    }
    case OP_REMOVE_PROFILE:
    default: {
        g_autofree char *id = g_strdup_printf("spare-%d", i + 1);

        r = sfo_store_remove_vnic_profile(store, id, 0, NULL);
        break;
    }
    }
    return r;
}

/* Sends @sql (statements without parameters) as one pipeline and reads every result */
static void
bench_pipeline(PGconn *conn, const char *const *sql, int n)
{
    int i;

    if (PQenterPipelineMode(conn) != 1)
        bench_die("pipeline: %s", PQerrorMessage(conn));
    for (i = 0; i < n; i++) {
        if (PQsendQueryParams(conn, sql[i], 0, NULL, NULL, NULL, NULL, 0) != 1)
            bench_die("%s: %s", sql[i], PQerrorMessage(conn));
    }
    if (PQpipelineSync(conn) != 1)
        bench_die("pipeline: %s", PQerrorMessage(conn));
    for (i = 0; i <= n;) {
        PGresult *res = PQgetResult(conn);

        if (!res)
            continue;
        if (PQresultStatus(res) == PGRES_FATAL_ERROR)
            bench_die("pipeline: %s", PQerrorMessage(conn));
        i++;
        PQclear(res);
    }
    PQexitPipelineMode(conn);
}

/*
 * The floor: a transaction with the round trips of a call and nothing else
 * (BEGIN and a SELECT in one pipeline; an UPDATE of a one-row table and
 * COMMIT in another): its COMMIT flushes the WAL as a call's does.
 */
static void
bench_floor(PGconn *conn)
{
    static const char *const first[] = { "BEGIN", "SELECT txid_current()" };
    static const char *const second[] = { "UPDATE bench_floor SET n = n + 1", "COMMIT" };

    bench_pipeline(conn, first, G_N_ELEMENTS(first));
    bench_pipeline(conn, second, G_N_ELEMENTS(second));
}

/* One sample of @op (OP_LAST: the floor) on the inventory of @size; @i picks the ids */
static void
bench_sample(sfo_store *store, PGconn *floor_conn, int op, int i, const bench_size *size,
             const char *what)
{
    if (bench_interrupted)
        bench_die("interrupted by signal %d", (int)bench_interrupted);
    if (op == OP_LAST)
        bench_floor(floor_conn);
    else if (bench_op(store, op, i, size) != 0)
        bench_die("%s (%s %d): %s", op_names[op], what, i, sfo_error_last()->message);
}

/*
 * Times every call and the floor on both inventories, interleaved sample by
 * sample (floor, add, update, remove; small, large), so that whatever else
 * the machine does weighs on all of them alike: the floor a call is compared
 * with was measured in the same moments as the call.
 */
static void
bench_measure(const bench_options *o, bench_result small[OP_LAST + 1],
              bench_result large[OP_LAST + 1])
{
    int warmup = MIN(200, o->samples);
    const bench_size *sizes[2] = { &o->small, &o->large };
    bench_result *results[2] = { small, large };
    g_autofree char *dsn[2] = { NULL, NULL };
    double *ms[2][OP_LAST + 1];
    sfo_store *store[2] = { NULL, NULL };
    PGconn *floor_conn[2];
    int op;
    int i;
    int k;

    /* one spare more than the calls remove, for --explain */
    dsn[0] = bench_load(o, "sriovfo_small", &o->small, warmup + o->samples + 1);
    dsn[1] = bench_load(o, "sriovfo_large", &o->large, warmup + o->samples + 1);
    for (k = 0; k < 2; k++) {
        if (sfo_store_open(dsn[k], 0, &store[k]) < 0)
            bench_die("open: %s", sfo_error_last()->message);
        floor_conn[k] = PQconnectdb(dsn[k]);
        if (PQstatus(floor_conn[k]) != CONNECTION_OK)
            bench_die("cannot connect: %s", PQerrorMessage(floor_conn[k]));
        for (op = 0; op <= OP_LAST; op++)
            ms[k][op] = g_new(double, o->samples);
    }
    /* warm-up samples (statements prepared, caches filled) use ids the timed ones do not */
    for (i = 0; i < warmup; i++)
        for (op = OP_LAST; op >= 0; op--)
            for (k = 0; k < 2; k++)
                bench_sample(store[k], floor_conn[k], op, o->samples + i, sizes[k], "warm-up");
    for (i = 0; i < o->samples; i++) {
        for (op = OP_LAST; op >= 0; op--) {
            for (k = 0; k < 2; k++) {
                double t0 = bench_now();

                bench_sample(store[k], floor_conn[k], op, i, sizes[k], "sample");
                ms[k][op][i] = (bench_now() - t0) * 1000.0;
            }
        }
    }
    for (k = 0; k < 2; k++) {
        for (op = 0; op <= OP_LAST; op++) {
            results[k][op] = bench_summarise(ms[k][op], o->samples);
            g_free(ms[k][op]);
        }
        sfo_store_close(store[k]);
        PQfinish(floor_conn[k]);
    }
}

/* ------------------------------------------------------------------------ */
/* query plans                                                              */
/* ------------------------------------------------------------------------ */

typedef struct {
    sfo_store_stmt_id stmt;
    const char *params[9]; /* "SPARE": a spare profile no call has removed */
} bench_plan;

/* The statements of the three calls, with values as the large inventory has them */
static const bench_plan bench_plans[] = {
    { SFO_STMT_TXN_SHARED, { NULL } },
    { SFO_STMT_NIC_EXISTS, { "new-x" } },
    { SFO_STMT_VM_GET, { "vm-4242" } },
    { SFO_STMT_PROFILE_GET_FOR_SHARE, { "vf-4242" } },
    { SFO_STMT_PROFILE_GET, { "fo-4242" } },
    { SFO_STMT_NICS_OF_VM, { "vm-4242" } },
    { SFO_STMT_NICS_WITH_MAC, { "56:6f:ff:00:00:01" } },
    { SFO_STMT_NIC_INSERT,
      { "new-x", "new", "vm-4242", "vf-4242", "pci_passthrough", "56:6f:ff:00:00:01", "t", NULL } },
    { SFO_STMT_PROFILE_GET_FOR_UPDATE, { "vf-4242" } },
    { SFO_STMT_PROFILE_REFERRERS, { "vf-4242" } },
    /* a rename: failover, passthrough and port mirroring as stored, so no user is read */
    { SFO_STMT_PROFILE_USERS_IF_GUARDED_CHANGE, { "vf-4242", "fo-4242", "t", "f" } },
    { SFO_STMT_NETWORK_GET, { "net-vf" } },
    { SFO_STMT_PROFILE_UPDATE,
      { "vf-4242", "renamed", "net-vf", "t", "t", "fo-4242", "f", NULL, NULL } },
    { SFO_STMT_PROFILE_REFERRERS, { "SPARE" } },
    { SFO_STMT_PROFILE_USERS, { "SPARE" } },
    { SFO_STMT_PROFILE_DELETE, { "SPARE" } },
};

static void
bench_explain(const bench_options *o, const char *dsn, const char *spare)
{
    PGconn *conn = PQconnectdb(dsn);
    size_t i;

    if (PQstatus(conn) != CONNECTION_OK)
        bench_die("cannot connect: %s", PQerrorMessage(conn));
    for (i = 0; i < G_N_ELEMENTS(bench_plans); i++) {
        const sfo_store_stmt *st = &sfo_store_stmts[bench_plans[i].stmt];
        /* EXPLAIN runs the statement: inside a transaction that is rolled back */
        g_autofree char *sql = g_strconcat("EXPLAIN (ANALYZE, BUFFERS) ", st->sql, NULL);
        g_autoptr(PGresult) res = NULL;
        const char *params[9];
        int row;
        int k;

        for (k = 0; k < 9; k++)
            params[k] = g_strcmp0(bench_plans[i].params[k], "SPARE") == 0
                            ? spare
                            : bench_plans[i].params[k];
        bench_sql(conn, "BEGIN", 0, NULL);
        res = PQexecParams(conn, sql, st->nparams, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            bench_die("EXPLAIN %s: %s", st->name, PQerrorMessage(conn));
        printf("\n-- %s\n", st->name);
        for (row = 0; row < PQntuples(res); row++)
            printf("   %s\n", PQgetvalue(res, row, 0));
        bench_sql(conn, "ROLLBACK", 0, NULL);
    }
    PQfinish(conn);
}

/* ------------------------------------------------------------------------ */

static void
bench_print(const bench_options *o, const bench_result small[OP_LAST + 1],
            const bench_result large[OP_LAST + 1])
{
    static const char *const names[OP_LAST + 1] = { "add VF NIC", "update profile",
                                                    "remove profile", "floor" };
    gboolean met = TRUE;
    double load[3] = { 0, 0, 0 };
    int op;

    if (getloadavg(load, 3) < 0)
        load[0] = -1;
    if (o->json) {
        printf("{\"samples\": %d, \"sync\": %s, \"load_average\": %.2f, \"sizes\": [", o->samples,
               o->no_sync ? "false" : "true", load[0]);
        for (int k = 0; k < 2; k++) {
            const bench_size *size = k ? &o->large : &o->small;
            const bench_result *res = k ? large : small;

            printf("%s{\"nics\": %d, \"profiles\": %d", k ? ", " : "", size->nics, size->profiles);
            for (op = 0; op <= OP_LAST; op++)
                printf(", \"%s\": {\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
                       "\"p50_floor\": %.3f, \"p99_floor\": %.3f}",
                       names[op], res[op].p50_ms, res[op].p99_ms, res[op].max_ms,
                       res[op].p50_ms / res[OP_LAST].p50_ms, res[op].p99_ms / res[OP_LAST].p99_ms);
            printf("}");
        }
        printf("], \"growth_p99\": {");
        for (op = 0; op < OP_LAST; op++)
            printf("%s\"%s\": %.2f", op ? ", " : "", names[op],
                   large[op].p99_ms / small[op].p99_ms);
        printf("}}\n");
        return;
    }
    printf("\n%-16s %8s %8s %8s %8s %8s %9s %9s %8s\n", "call", "NICs", "profiles", "p50 ms",
           "p99 ms", "max ms", "p50/floor", "p99/floor", "growth");
    for (op = 0; op <= OP_LAST; op++) {
        double growth = large[op].p99_ms / small[op].p99_ms;

        for (int k = 0; k < 2; k++) {
            const bench_size *size = k ? &o->large : &o->small;
            const bench_result *res = k ? large : small;

            printf("%-16s %8d %8d %8.3f %8.3f %8.3f %8.2fx %8.2fx", k ? "" : names[op], size->nics,
                   size->profiles, res[op].p50_ms, res[op].p99_ms, res[op].max_ms,
                   res[op].p50_ms / res[OP_LAST].p50_ms, res[op].p99_ms / res[OP_LAST].p99_ms);
            if (k)
                printf(" %7.2fx", growth);
            printf("\n");
        }
        if (op < OP_LAST)
            met = met && large[op].p50_ms <= 2.0 * large[OP_LAST].p50_ms &&
                  large[op].p99_ms <= 1.3 * large[OP_LAST].p99_ms && growth <= 1.5;
    }
    printf("\nfloor = an empty durable transaction on the same server, disk and connection setup:\n"
           "BEGIN and txid_current() in one round trip, the UPDATE of a one-row table and COMMIT\n"
           "in a second (a call's two round trips), measured in turn with the calls;\n"
           "growth = p99 at %d NICs / p99 at %d NICs; %d samples per call, %s;\n"
           "load average %.2f at the end\n",
           o->large.nics, o->small.nics, o->samples,
           o->no_sync ? "fsync off" : "fsync on (every COMMIT flushes the WAL)", load[0]);
    if (o->no_sync)
        printf("target: judged with fsync on only (without it the floor is not durable)\n");
    else
        printf("target at %d NICs: p50 <= 2x and p99 <= 1.3x the floor's, growth <= 1.5x: %s\n",
               o->large.nics, met ? "met" : "NOT met");
}

int
main(int argc, char **argv)
{
    bench_options o = { { 10000, 1000 }, { 1000000, 100000 }, 2000, FALSE, FALSE, FALSE, NULL };
    bench_result small[OP_LAST + 1];
    bench_result large[OP_LAST + 1];
    gboolean keep = FALSE;
    GOptionEntry entries[] = {
        { "nics", 0, 0, G_OPTION_ARG_INT, &o.large.nics, "NICs of the large inventory", "N" },
        { "profiles", 0, 0, G_OPTION_ARG_INT, &o.large.profiles, "its profiles", "N" },
        { "small-nics", 0, 0, G_OPTION_ARG_INT, &o.small.nics, "NICs of the small one", "N" },
        { "small-profiles", 0, 0, G_OPTION_ARG_INT, &o.small.profiles, "its profiles", "N" },
        { "samples", 0, 0, G_OPTION_ARG_INT, &o.samples, "timed calls of each kind", "N" },
        { "no-sync", 0, 0, G_OPTION_ARG_NONE, &o.no_sync, "a cluster without fsync", NULL },
        { "explain", 0, 0, G_OPTION_ARG_NONE, &o.explain, "print the query plans", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "print JSON", NULL },
        { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.data_dir, "cluster directory", "DIR" },
        { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "keep the cluster running", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- time the store's calls");
    g_autoptr(GError) err = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        bench_die("%s", err->message);
    if (o.samples < 1 || o.small.profiles < 16 || o.large.profiles < 16 || o.small.nics < 8 ||
        o.large.nics < 8)
        bench_die("%s", "sizes too small");
    if (!o.data_dir) {
        o.data_dir = g_dir_make_tmp("sfo-bench.XXXXXX", &err);
        if (!o.data_dir)
            bench_die("%s", err->message);
        if (!keep)
            bench_tmp_dir = o.data_dir;
    }
    if (!keep)
        bench_cluster = o.data_dir;
    signal(SIGINT, bench_interrupt);
    signal(SIGTERM, bench_interrupt);
    if (o.no_sync)
        g_setenv("SRIOVFO_PG_NOSYNC", "1", TRUE);
    if (sfo_store_embedded_start(o.data_dir) < 0)
        bench_die("%s", sfo_error_last()->message);

    bench_measure(&o, small, large);
    bench_print(&o, small, large);
    if (o.explain) {
        g_autofree char *dsn =
            g_strdup_printf("host='%s' port=5432 dbname=sriovfo_large user=sriovfo", o.data_dir);

        g_autofree char *spare = g_strdup_printf("spare-%d", MIN(200, o.samples) + o.samples + 1);

        bench_explain(&o, dsn, spare);
    }

    bench_cleanup();
    g_free(o.data_dir);
    return 0;
}
