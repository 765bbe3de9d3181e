/*
 * sfo-store.c: opening the store, its schema version and upgrade
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "sfo-store.h"

static void
sfo_store_free(sfo_store *s)
{
    guint i;

    if (!s)
        return;
    if (s->spare) {
        g_autoptr(sfo_store) kept = NULL;

        g_mutex_lock(&s->spare->lock);
        s->spare->closed = TRUE;
        kept = g_steal_pointer(&s->spare->store);
        g_mutex_unlock(&s->spare->lock);
        sfo_store_spare_unref(s->spare);
    }
    if (s->conn)
        PQfinish(s->conn);
    g_free(s->dsn);
    g_free(s->data_dir);
    g_free(s->txid);
    g_free(s->at_commit);
    g_ptr_array_unref(s->at_commit_strings);
    for (i = 0; i < G_N_ELEMENTS(s->list_memo); i++) {
        PQclear(s->list_memo[i].res);
        g_free(s->list_memo[i].text);
    }
    g_free(s);
}

void
sfo_store_close(sfo_store *store)
{
    sfo_store_free(store);
}

sfo_store_spare *
sfo_store_spare_ref(sfo_store *store)
{
    if (!store->spare) {
        store->spare = g_atomic_rc_box_new0(sfo_store_spare);
        g_mutex_init(&store->spare->lock);
    }
    return g_atomic_rc_box_acquire(store->spare);
}

static void
sfo_store_spare_clear(sfo_store_spare *spare)
{
    /* the store closed it (closed is set before its reference goes) */
    g_assert(spare->store == NULL);
    g_mutex_clear(&spare->lock);
}

void
sfo_store_spare_unref(sfo_store_spare *spare)
{
    g_atomic_rc_box_release_full(spare, (GDestroyNotify)sfo_store_spare_clear);
}

sfo_store *
sfo_store_spare_take(sfo_store_spare *spare)
{
    sfo_store *conn;

    g_mutex_lock(&spare->lock);
    conn = g_steal_pointer(&spare->store);
    g_mutex_unlock(&spare->lock);
    return conn;
}

void
sfo_store_spare_keep(sfo_store_spare *spare, sfo_store *conn)
{
    g_mutex_lock(&spare->lock);
    if (!spare->closed && !spare->store) {
        spare->store = conn;
        conn = NULL;
    }
    g_mutex_unlock(&spare->lock);
    sfo_store_free(conn);
}

/* The embedded store: connect, and create or start its cluster when that fails */
static int
sfo_store_connect_embedded(sfo_store *s)
{
    if (sfo_store_connect(s) == 0)
        return 0;
    if (sfo_store_embedded_start(s->data_dir) < 0)
        return SFO_EDATABASE;
    return sfo_store_connect(s);
}

static int
sfo_store_check_schema(sfo_store *s)
{
    g_autofree char *dir = NULL;
    int version;

    if (sfo_store_read_schema_version(s, &version) < 0)
        return SFO_EDATABASE;
    if (version > SFO_STORE_SCHEMA_VERSION) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_SCHEMA_TOO_NEW,
                         "the store's schema is at version %d, newer than this sriovfo knows "
                         "(%d); use a newer sriovfo",
                         version, SFO_STORE_SCHEMA_VERSION);
        return SFO_EDATABASE;
    }
    if (version == SFO_STORE_SCHEMA_VERSION)
        return 0;
    if (!s->data_dir) {
        sfo_error_report(SFO_EDATABASE, SFO_KEY_DB_SCHEMA_TOO_OLD,
                         "the store's schema is at version %d, this sriovfo needs %d; run "
                         "'sriovfo db upgrade'",
                         version, SFO_STORE_SCHEMA_VERSION);
        return SFO_EDATABASE;
    }
    /* the embedded store is ours: upgrade it */
    dir = sfo_store_migrations_dir();
    return sfo_store_migrate(s, dir, SFO_STORE_SCHEMA_VERSION) < 0 ? SFO_EDATABASE : 0;
}

/* Opens the database of @dsn, else the embedded store of @data_dir */
static int
sfo_store_open_at(const char *dsn, const char *data_dir, unsigned int flags, sfo_store **ret_store)
{
    g_autoptr(sfo_store) s = g_new0(sfo_store, 1);

    s->begin_pending = -1;
    s->at_commit_strings = g_ptr_array_new_with_free_func(g_free);
    s->dsn = g_strdup(dsn);
    s->data_dir = g_strdup(data_dir);
    if ((dsn ? sfo_store_connect(s) : sfo_store_connect_embedded(s)) < 0)
        return SFO_EDATABASE;
    if (!(flags & SFO_STORE_OPEN_NO_UPGRADE) && sfo_store_check_schema(s) < 0)
        return SFO_EDATABASE;
    *ret_store = g_steal_pointer(&s);
    return 0;
}

int
sfo_store_open(const char *dsn, unsigned int flags, sfo_store **ret_store)
{
    g_autofree char *data_dir = NULL;

    sfo_return_val_if_fail(ret_store != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_STORE_OPEN_NO_UPGRADE);

    if (!dsn && sfo_store_embedded_data_dir(&data_dir) < 0)
        return SFO_EDATABASE;
    return sfo_store_open_at(dsn, data_dir, flags, ret_store);
}

int
sfo_store_open_again(const sfo_store *store, sfo_store **ret_store)
{
    return sfo_store_open_at(store->dsn, store->data_dir, 0, ret_store);
}

int
sfo_store_version(sfo_store *store, unsigned int flags, int *ret_applied, int *ret_latest)
{
    int version;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (sfo_store_read_schema_version(store, &version) < 0)
        return SFO_EDATABASE;
    if (ret_applied)
        *ret_applied = version;
    if (ret_latest)
        *ret_latest = SFO_STORE_SCHEMA_VERSION;
    return 0;
}

int
sfo_store_upgrade(sfo_store *store, unsigned int flags)
{
    g_autofree char *dir = NULL;

    sfo_return_val_if_fail(store != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    dir = sfo_store_migrations_dir();
    return sfo_store_migrate(store, dir, SFO_STORE_SCHEMA_VERSION);
}
