/*
 * sfo-store-read.c: reading objects: get, list, VM counts of profiles, failover candidates
 *
 * What a front end (the REST engine, the CLI) shows: one object by id, or a
 * collection in import/add order, filtered by exact name and by its parent,
 * in inventory format (docs/inventory-format.md). Each call is one
 * statement, which is its own snapshot, in one round trip (a host is read
 * with its PFs and VFs by several statements, in one read-only snapshot
 * transaction); the list statements are run unprepared, so that the
 * planner sees which filters are NULL and uses the index of those that are not;
 * a get by id and a list without filters run prepared statements of their own
 * (parsing and planning cost more than running them).
 *
 * The JSON text of a list is a function of its rows alone: the store keeps,
 * per kind, the rows of the last list and their text, and a list whose rows
 * are the same, value for value, is answered with that text instead of a
 * json-c object for every field of every row (a client polling a collection
 * unchanged: GET /vnicprofiles). Any difference in the rows, a value, a NULL,
 * one row more or less, builds the text afresh.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-store.h"
#include "rules/sfo-rules.h"
#include "util/sfo-util.h"

typedef struct {
    const char *kind; /* the inventory's collection name */
    sfo_store_coll coll;
    sfo_store_stmt_id list;    /* $1 id, $2 name, $3 parent, $4 limit (NULL: all) */
    sfo_store_stmt_id get;     /* $1 id */
    sfo_store_stmt_id all;     /* $1 limit: a list without filters */
    const char *parent;        /* the filter's field, NULL when there is none */
    const char *not_found_key; /* SFO_ENOTFOUND of a get */
    const char *what;          /* for messages */
} sfo_store_kind;

static const sfo_store_kind sfo_store_kinds[] = {
    { "data_centers", SFO_STORE_COLL_DATA_CENTERS, SFO_STMT_LIST_DATA_CENTERS,
      SFO_STMT_GET_DATA_CENTER, SFO_STMT_ALL_DATA_CENTERS, NULL, SFO_KEY_DATA_CENTER_NOT_FOUND,
      "data center" },
    { "clusters", SFO_STORE_COLL_CLUSTERS, SFO_STMT_LIST_CLUSTERS, SFO_STMT_GET_CLUSTER,
      SFO_STMT_ALL_CLUSTERS, "data_center", SFO_KEY_CLUSTER_NOT_FOUND, "cluster" },
    { "networks", SFO_STORE_COLL_NETWORKS, SFO_STMT_LIST_NETWORKS, SFO_STMT_GET_NETWORK,
      SFO_STMT_ALL_NETWORKS, "data_center", SFO_KEY_NETWORK_NOT_FOUND, "network" },
    { "vnic_profiles", SFO_STORE_COLL_PROFILES, SFO_STMT_LIST_PROFILES, SFO_STMT_GET_PROFILE,
      SFO_STMT_ALL_PROFILES, "network", SFO_KEY_VNIC_PROFILE_NOT_FOUND, "vNIC profile" },
    { "vms", SFO_STORE_COLL_VMS, SFO_STMT_LIST_VMS, SFO_STMT_GET_VM, SFO_STMT_ALL_VMS, "cluster",
      SFO_KEY_VM_NOT_FOUND, "VM" },
    { "nics", SFO_STORE_COLL_NICS, SFO_STMT_LIST_NICS, SFO_STMT_GET_NIC, SFO_STMT_ALL_NICS, "vm",
      SFO_KEY_NIC_NOT_FOUND, "NIC" },
    { "hosts", SFO_STORE_COLL_HOSTS, SFO_STMT_LIST_HOSTS, SFO_STMT_GET_HOST, SFO_STMT_ALL_HOSTS,
      "cluster", SFO_KEY_HOST_NOT_FOUND, "host" },
};

static const sfo_store_kind *
sfo_store_find_kind(const char *kind)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(sfo_store_kinds); i++) {
        if (g_str_equal(sfo_store_kinds[i].kind, kind))
            return &sfo_store_kinds[i];
    }
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT,
                     "unknown kind of object '%s' (data_centers, clusters, networks, "
                     "vnic_profiles, vms, nics, hosts)",
                     kind);
    return NULL;
}

static int
sfo_store_check_read_id(const char *field, const char *id)
{
    if (id && !sfo_id_is_valid(id)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                         "%s '%s' is not an id: only letters, digits, '_' and '-'", field, id);
        return SFO_EINVALID;
    }
    return 0;
}

typedef struct {
    const sfo_store_kind *kind;
    gboolean get; /* by id (params[0]), else a list (the four parameters) */
    const char *params[4];
    gboolean want_text;  /* a list's text (op->text), else op->result */
    json_object *result; /* out: the array of objects, */
    char *text;          /* or its JSON text */
} sfo_store_read_op;

/* Lists whose text is longer are not memoised (the rows and the text stay in memory) */
#define SFO_STORE_LIST_MEMO_LIMIT (256 * 1024)

/* Row @row of a list statement as inventory JSON (not hosts: sfo_store_read_hosts()) */
static json_object *
sfo_store_row_to_json(sfo_store_coll coll, const PGresult *res, int row)
{
    json_object *obj = NULL;

    switch (coll) {
    case SFO_STORE_COLL_DATA_CENTERS: {
        sfo_data_center dc = { (char *)PQgetvalue(res, row, 0), (char *)PQgetvalue(res, row, 1) };

        obj = sfo_data_center_to_json(&dc);
        break;
    }
    case SFO_STORE_COLL_CLUSTERS: {
        sfo_cluster *cl = sfo_store_row_cluster(res, row, 0);

        obj = sfo_cluster_to_json(cl);
        sfo_cluster_free(cl);
        break;
    }
    case SFO_STORE_COLL_NETWORKS: {
        sfo_network *net = sfo_store_row_network(res, row, 0);

        obj = sfo_network_to_json(net);
        sfo_network_free(net);
        break;
    }
    case SFO_STORE_COLL_PROFILES: {
        /* the most read list (GET /vnicprofiles): its strings are not copied */
        sfo_vnic_profile p;

        sfo_store_row_profile_view(res, row, 0, &p);
        obj = sfo_vnic_profile_to_json(&p);
        break;
    }
    case SFO_STORE_COLL_VMS: {
        sfo_vm *vm = sfo_store_row_vm(res, row, 0);

        obj = sfo_vm_to_json(vm);
        sfo_vm_free(vm);
        break;
    }
    case SFO_STORE_COLL_NICS: {
        g_autoptr(sfo_nic) nic = sfo_store_row_nic(res, row, 0);

        obj = sfo_nic_to_json(nic);
        break;
    }
    case SFO_STORE_COLL_HOSTS:
        g_assert_not_reached();
    }
    return obj;
}

/* Hosts: their ids from the list statement, then each with its PFs and VFs */
static int
sfo_store_read_hosts(sfo_store *s, const PGresult *res, json_object *arr)
{
    g_auto(sfo_store_builder) b = { 0 };
    int i;

    sfo_store_builder_init(&b);
    for (i = 0; i < PQntuples(res); i++) {
        const char *id = PQgetvalue(res, i, 0);
        const sfo_host *host;

        if (sfo_store_load_host(s, &b, id) < 0)
            return SFO_EDATABASE;
        host = g_hash_table_lookup(b.ids[SFO_STORE_COLL_HOSTS], id);
        if (host)
            json_object_array_add(arr, sfo_host_to_json(host));
    }
    return 0;
}

static char *
sfo_store_json_text(json_object *obj)
{
    return g_strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Whether @a and @b hold the same rows: as many, each value the same bytes or both NULL */
static gboolean
sfo_store_same_rows(const PGresult *a, const PGresult *b)
{
    int nrows = PQntuples(a);
    int ncols = PQnfields(a);
    int i;
    int j;

    if (nrows != PQntuples(b) || ncols != PQnfields(b))
        return FALSE;
    for (i = 0; i < nrows; i++) {
        for (j = 0; j < ncols; j++) {
            int len = PQgetlength(a, i, j);

            if (PQgetisnull(a, i, j) != PQgetisnull(b, i, j) || len != PQgetlength(b, i, j) ||
                memcmp(PQgetvalue(a, i, j), PQgetvalue(b, i, j), len) != 0)
                return FALSE;
        }
    }
    return TRUE;
}

/* The text of @op->result in @op->text; kept with @res (taken) as @kind's memo */
static void
sfo_store_list_text(sfo_store *s, sfo_store_read_op *op, PGresult **res)
{
    op->text = sfo_store_json_text(op->result);
    g_clear_pointer(&op->result, json_object_put);
    if (op->kind->coll != SFO_STORE_COLL_HOSTS && strlen(op->text) <= SFO_STORE_LIST_MEMO_LIMIT) {
        PQclear(s->list_memo[op->kind->coll].res);
        g_free(s->list_memo[op->kind->coll].text);
        s->list_memo[op->kind->coll].res = g_steal_pointer(res);
        s->list_memo[op->kind->coll].text = g_strdup(op->text);
    }
}

static int
sfo_store_read_txn(sfo_store *s, gpointer data)
{
    sfo_store_read_op *op = data;
    g_autoptr(PGresult) res = NULL;
    int i;
    int r;

    g_clear_pointer(&op->result, json_object_put);
    g_clear_pointer(&op->text, g_free);
    if (op->get)
        r = sfo_store_exec(s, op->kind->get, op->params, &res);
    else if (!op->params[1] && !op->params[2])
        r = sfo_store_exec(s, op->kind->all, (const char *[]){ op->params[3] }, &res);
    else
        r = sfo_store_exec(s, op->kind->list, op->params, &res);
    if (r < 0)
        return SFO_EDATABASE;
    if (op->want_text && s->list_memo[op->kind->coll].res &&
        sfo_store_same_rows(s->list_memo[op->kind->coll].res, res)) {
        op->text = g_strdup(s->list_memo[op->kind->coll].text);
        return 0;
    }
    op->result = json_object_new_array_ext(PQntuples(res));
    if (op->kind->coll == SFO_STORE_COLL_HOSTS) {
        if ((r = sfo_store_read_hosts(s, res, op->result)) < 0)
            return r;
    } else {
        for (i = 0; i < PQntuples(res); i++)
            json_object_array_add(op->result, sfo_store_row_to_json(op->kind->coll, res, i));
    }
    if (op->want_text)
        sfo_store_list_text(s, op, &res);
    return 0;
}

static int
sfo_store_read(sfo_store *store, sfo_store_read_op *op)
{
    /* one statement, its own snapshot; a host's PFs and VFs take more: one snapshot for all */
    int r = sfo_store_transaction(store,
                                  op->kind->coll == SFO_STORE_COLL_HOSTS ? SFO_STORE_TXN_SNAPSHOT
                                                                         : SFO_STORE_TXN_STATEMENT,
                                  sfo_store_read_txn, op);

    if (r < 0) {
        g_clear_pointer(&op->result, json_object_put);
        g_clear_pointer(&op->text, g_free);
    }
    return r;
}

int
sfo_store_get(sfo_store *store, const char *kind, const char *id, unsigned int flags,
              char **ret_json)
{
    sfo_store_read_op op = { NULL, TRUE, { id }, FALSE, NULL, NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(kind != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(id != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (!(op.kind = sfo_store_find_kind(kind)) || sfo_store_check_read_id("id", id) < 0)
        return SFO_EINVALID;
    if ((r = sfo_store_read(store, &op)) < 0)
        return r;
    if (json_object_array_length(op.result) == 0) {
        json_object_put(op.result);
        sfo_error_report(SFO_ENOTFOUND, op.kind->not_found_key, "no %s with id '%s' in the store",
                         op.kind->what, id);
        return SFO_ENOTFOUND;
    }
    *ret_json = sfo_store_json_text(json_object_array_get_idx(op.result, 0));
    json_object_put(op.result);
    return 0;
}

int
sfo_store_list(sfo_store *store, const char *kind, const char *name, const char *parent, int limit,
               unsigned int flags, char **ret_json)
{
    g_autofree char *limit_text = limit >= 0 ? g_strdup_printf("%d", limit) : NULL;
    sfo_store_read_op op = { NULL, FALSE, { NULL, name, parent, limit_text }, TRUE, NULL, NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(kind != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(limit >= -1, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (!(op.kind = sfo_store_find_kind(kind)))
        return SFO_EINVALID;
    if (parent && !op.kind->parent) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT, "%s have no parent to filter by",
                         kind);
        return SFO_EINVALID;
    }
    if (sfo_store_check_read_id(op.kind->parent, parent) < 0)
        return SFO_EINVALID;
    if ((r = sfo_store_read(store, &op)) < 0)
        return r;
    *ret_json = g_steal_pointer(&op.text);
    return 0;
}

/* sfo_store_list() of every profile, wrapped and printed for people (the CLI) */
int
sfo_store_list_vnic_profiles(sfo_store *store, unsigned int flags, char **ret_json)
{
    sfo_store_read_op op = {
        sfo_store_find_kind("vnic_profiles"), FALSE, { NULL }, FALSE, NULL, NULL
    };
    g_autoptr(json_object) root = NULL;
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if ((r = sfo_store_read(store, &op)) < 0)
        return r;
    root = json_object_new_object();
    json_object_object_add(root, "vnic_profiles", op.result);
    *ret_json = g_strdup_printf(
        "%s\n",
        json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    return 0;
}

typedef struct {
    json_object *result; /* out */
} sfo_store_counts_op;

static int
sfo_store_counts_txn(sfo_store *s, gpointer data)
{
    sfo_store_counts_op *op = data;
    g_autoptr(PGresult) res = NULL;
    int i;

    g_clear_pointer(&op->result, json_object_put);
    if (sfo_store_exec(s, SFO_STMT_PROFILE_VM_COUNTS, NULL, &res) < 0)
        return SFO_EDATABASE;
    op->result = json_object_new_object();
    for (i = 0; i < PQntuples(res); i++)
        json_object_object_add(op->result, PQgetvalue(res, i, 0),
                               json_object_new_int(sfo_store_col_int(res, i, 1, 0)));
    return 0;
}

int
sfo_store_vnic_profile_vm_counts(sfo_store *store, unsigned int flags, char **ret_json)
{
    sfo_store_counts_op op = { NULL };
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    r = sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_counts_txn, &op);
    if (r < 0) {
        g_clear_pointer(&op.result, json_object_put);
        return r;
    }
    *ret_json = sfo_store_json_text(op.result);
    json_object_put(op.result);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Failover candidates                                                      */
/* ------------------------------------------------------------------------ */

typedef struct {
    const sfo_vnic_profile *profile;
    json_object *result; /* out */
    gboolean no_network; /* out: the profile's network is not in the store */
} sfo_store_candidates_op;

static int
sfo_store_candidates_txn(sfo_store *s, gpointer data)
{
    sfo_store_candidates_op *op = data;
    sfo_store_query q[] = {
        { SFO_STMT_NETWORK_GET, { op->profile->network_id } },
        { SFO_STMT_PROFILES_WITH_NETWORKS, { NULL } },
        { SFO_STMT_LIST_CLUSTERS, { NULL } }, /* no filter: every cluster */
    };
    g_auto(sfo_store_builder) b = { 0 };
    g_autoptr(sfo_inventory) inv = NULL;
    g_autoptr(GPtrArray) ids = NULL;
    guint i;
    int row;
    int r;

    g_clear_pointer(&op->result, json_object_put);
    if (sfo_store_exec_pipeline(s, q, G_N_ELEMENTS(q)) < 0)
        return SFO_EDATABASE;
    op->no_network = PQntuples(q[0].res) == 0;
    sfo_store_builder_init(&b);
    sfo_store_read_network(&b, q[0].res);
    for (row = 0; row < PQntuples(q[1].res); row++) {
        sfo_store_builder_add_profile(&b, sfo_store_row_profile(q[1].res, row, 0));
        sfo_store_builder_add_network(
            &b, sfo_store_row_network(q[1].res, row, SFO_STORE_PROFILE_NCOLS));
    }
    for (row = 0; row < PQntuples(q[2].res); row++)
        sfo_store_builder_add_cluster(&b, sfo_store_row_cluster(q[2].res, row, 0));
    sfo_store_pipeline_clear(q, G_N_ELEMENTS(q));
    if ((r = sfo_store_builder_finish(&b, &inv)) < 0)
        return r;
    ids = sfo_rules_failover_candidates(inv, op->profile);
    op->result = json_object_new_array_ext(ids->len);
    for (i = 0; i < ids->len; i++)
        json_object_array_add(op->result, json_object_new_string(g_ptr_array_index(ids, i)));
    return 0;
}

int
sfo_store_failover_candidates(sfo_store *store, const char *json, unsigned int flags,
                              char **ret_json)
{
    g_autoptr(json_object) obj = NULL;
    g_autoptr(sfo_vnic_profile) profile = NULL;
    sfo_store_candidates_op op = { NULL, NULL, FALSE };
    json_object *id = NULL;
    int r;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(json != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (sfo_json_parse(json, "vnic_profile", &obj) < 0)
        return SFO_EINVALID;
    if (!json_object_is_type(obj, json_type_object)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "vnic_profile: expected an object, found %s",
                         json_type_to_name(json_object_get_type(obj)));
        return SFO_EINVALID;
    }
    /* a new profile has no id yet: any id that no stored profile has */
    if (!json_object_object_get_ex(obj, "id", &id) || json_object_is_type(id, json_type_null))
        json_object_object_add(obj, "id", json_object_new_string("-"));
    if (sfo_vnic_profile_from_json(obj, "vnic_profile", &profile) < 0)
        return SFO_EINVALID;
    op.profile = profile;
    r = sfo_store_transaction(store, SFO_STORE_TXN_SNAPSHOT, sfo_store_candidates_txn, &op);
    if (r < 0) {
        g_clear_pointer(&op.result, json_object_put);
        return r;
    }
    if (op.no_network) {
        json_object_put(op.result);
        sfo_error_report(SFO_ENOTFOUND, SFO_KEY_NETWORK_NOT_FOUND,
                         "vnic_profile.network: no network with id '%s' in the store",
                         profile->network_id);
        return SFO_ENOTFOUND;
    }
    *ret_json = sfo_store_json_text(op.result);
    json_object_put(op.result);
    return 0;
}
