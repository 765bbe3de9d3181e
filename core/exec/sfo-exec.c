/*
 * sfo-exec.c: running plans against libvirt, journaled, with undo
 *
 * A plan's steps run one after the other on the connection of their role.
 * Each step first reads the domain and acts only when its state does not
 * hold yet, so undo steps and steps repeated after a crash are harmless.
 * When a step fails before the commit step, the undo steps up to it run in
 * the plan's order (docs/sequencer.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include <libvirt/virterror.h>

#include "domxml/sfo-domxml.h"
#include "model/sfo-domain.h"
#include "sfo-exec.h"
#include "sfo-journal-file.h"
#include "util/sfo-messages.h"

#define SFO_EXEC_DEFAULT_TIMEOUT_MS 30000
/* a wait re-reads the live XML at least this often, event or not */
#define SFO_EXEC_POLL_MS 1000
/* how long reconcile waits for a migration left running by a dead process */
#define SFO_EXEC_JOB_WAIT_MS (10 * 60 * 1000)
/* how long an undo lets QEMU finish deleting a device unplugged by another process */
#define SFO_EXEC_SETTLE_MS 2000

SFO_ENUM_IMPL(sfo_exec_status_name, SFO_EXEC_UNDO_FAILED + 1, "completed", "refused", "undone",
              "incomplete", "undo-failed");

struct sfo_exec {
    char *uri[SFO_PLAN_ROLE_LAST];          /* by role; NULL: not known (yet) */
    gboolean uri_given[SFO_PLAN_ROLE_LAST]; /* by the caller: reconcile keeps it */
    virConnectPtr conn[SFO_PLAN_ROLE_LAST];
    char *migration_uri;
    char *memory_file; /* where a snapshot step writes the guest's memory */
    unsigned int timeout_ms;
    sfo_journal *journal;
    sfo_exec_step_hook hook;
    void *hook_opaque;
    sfo_exec_crash_hook crash_hook;
    void *crash_opaque;

    /* the last domain looked up per role, kept until a migration moves it */
    virDomainPtr dom[SFO_PLAN_ROLE_LAST];
    char *dom_key[SFO_PLAN_ROLE_LAST];

    /* fed by the event loop thread */
    GMutex lock;
    GCond cond;
    guint64 events;        /* how many device events arrived */
    GHashTable *removed;   /* "uuid\nalias" of DEVICE_REMOVED */
    GHashTable *refused;   /* "uuid\nalias" of DEVICE_REMOVAL_FAILED */
    GHashTable *detaching; /* "uuid\nalias" this exec detached live, until its wait ends */
    GHashTable *unplugged; /* "uuid\nalias" this exec ever detached live */
    gboolean unplug_seen;  /* the undo step running undoes an unplug a wait-removed saw end */

    /* a migration call still returning after its guest resumed on the destination */
    GThread *migration;
};

const char *
sfo_exec_status_to_string(int status)
{
    return sfo_exec_status_name_to_string(status);
}

sfo_exec_status
sfo_exec_status_worse(sfo_exec_status a, sfo_exec_status b)
{
    return MAX(a, b); /* the enum is ordered from best to worst */
}

/* ------------------------------------------------------------------------ */
/* libvirt's event loop                                                     */
/* ------------------------------------------------------------------------ */

static gpointer
sfo_exec_event_thread(gpointer data G_GNUC_UNUSED)
{
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static void
sfo_exec_noop_timeout(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

/* libvirt prints errors on stderr unless a handler is set; the library never prints */
static void
sfo_exec_quiet(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

void
sfo_exec_event_loop_ensure(void)
{
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        int timer;

        virInitialize();
        /* adding a timer fails when no implementation is registered */
        timer = virEventAddTimeout(-1, sfo_exec_noop_timeout, NULL, NULL);

        if (timer >= 0) {
            virEventRemoveTimeout(timer); /* the application's loop: it runs it */
        } else {
            virResetLastError();
            virSetErrorFunc(NULL, sfo_exec_quiet);
            virEventRegisterDefaultImpl();
            g_thread_unref(g_thread_new("sfo-libvirt-events", sfo_exec_event_thread, NULL));
        }
        g_once_init_leave(&once, 1);
    }
}

static char *
sfo_exec_event_key(virDomainPtr dom, const char *alias)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";

    virDomainGetUUIDString(dom, uuid);
    return g_strconcat(uuid, "\n", alias ? alias : "", NULL);
}

static void
sfo_exec_on_device(sfo_exec *exec, virDomainPtr dom, const char *alias, gboolean removed)
{
    char *key = sfo_exec_event_key(dom, alias);

    g_mutex_lock(&exec->lock);
    g_hash_table_add(removed ? exec->removed : exec->refused, key);
    exec->events++;
    g_cond_broadcast(&exec->cond);
    g_mutex_unlock(&exec->lock);
}

/*
 * Device events go through one registration per connection, whatever the
 * number of sfo_exec objects on it: libvirt refuses a second registration
 * of the same function on one connection ("event callback already
 * tracked"), and embedded connections are shared (sfo_exec_open_uri()).
 */
typedef struct {
    virConnectPtr conn;
    int ids[2];       /* DEVICE_REMOVED, DEVICE_REMOVAL_FAILED */
    GPtrArray *execs; /* sfo_exec * listening on conn */
} sfo_exec_listener;

static GMutex sfo_exec_listeners_lock;
static GPtrArray *sfo_exec_listeners; /* sfo_exec_listener * */

static sfo_exec_listener *
sfo_exec_listener_find(virConnectPtr conn)
{
    guint i;

    for (i = 0; sfo_exec_listeners && i < sfo_exec_listeners->len; i++) {
        sfo_exec_listener *l = sfo_exec_listeners->pdata[i];

        if (l->conn == conn)
            return l;
    }
    return NULL;
}

static void
sfo_exec_dispatch(virConnectPtr conn, virDomainPtr dom, const char *alias, gboolean removed)
{
    sfo_exec_listener *l;
    guint i;

    g_mutex_lock(&sfo_exec_listeners_lock);
    if ((l = sfo_exec_listener_find(conn))) {
        for (i = 0; i < l->execs->len; i++)
            sfo_exec_on_device(l->execs->pdata[i], dom, alias, removed);
    }
    g_mutex_unlock(&sfo_exec_listeners_lock);
}

static void
sfo_exec_on_removed(virConnectPtr conn, virDomainPtr dom, const char *alias,
                    void *opaque G_GNUC_UNUSED)
{
    sfo_exec_dispatch(conn, dom, alias, TRUE);
}

static void
sfo_exec_on_removal_failed(virConnectPtr conn, virDomainPtr dom, const char *alias,
                           void *opaque G_GNUC_UNUSED)
{
    sfo_exec_dispatch(conn, dom, alias, FALSE);
}

static void
sfo_exec_listen(sfo_exec *exec, virConnectPtr conn)
{
    sfo_exec_listener *l;

    g_mutex_lock(&sfo_exec_listeners_lock);
    if (!sfo_exec_listeners)
        sfo_exec_listeners = g_ptr_array_new();
    if (!(l = sfo_exec_listener_find(conn))) {
        l = g_new0(sfo_exec_listener, 1);
        l->conn = conn;
        l->execs = g_ptr_array_new();
        l->ids[0] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                                     VIR_DOMAIN_EVENT_CALLBACK(sfo_exec_on_removed),
                                                     NULL, NULL);
        l->ids[1] = virConnectDomainEventRegisterAny(
            conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
            VIR_DOMAIN_EVENT_CALLBACK(sfo_exec_on_removal_failed), NULL, NULL);
        g_ptr_array_add(sfo_exec_listeners, l);
    }
    g_ptr_array_add(l->execs, exec);
    g_mutex_unlock(&sfo_exec_listeners_lock);
}

static void
sfo_exec_unlisten(sfo_exec *exec, virConnectPtr conn)
{
    sfo_exec_listener *l;
    sfo_exec_listener *gone = NULL;
    int k;

    g_mutex_lock(&sfo_exec_listeners_lock);
    if ((l = sfo_exec_listener_find(conn))) {
        g_ptr_array_remove(l->execs, exec);
        if (l->execs->len == 0) {
            g_ptr_array_remove(sfo_exec_listeners, l);
            gone = l;
        }
    }
    g_mutex_unlock(&sfo_exec_listeners_lock);
    if (!gone)
        return;
    /* outside the lock: a callback running now may be waiting for it */
    for (k = 0; k < 2; k++) {
        if (gone->ids[k] >= 0)
            virConnectDomainEventDeregisterAny(conn, gone->ids[k]);
    }
    g_ptr_array_unref(gone->execs);
    g_free(gone);
}

/* ------------------------------------------------------------------------ */
/* Connections                                                              */
/* ------------------------------------------------------------------------ */

/*
 * libvirt 9 registers the qemu driver again on every open of an embedded
 * URI (qemu:///embed?root=...) and refuses the 17th or so ("Too many
 * drivers"): each embedded URI is opened once per process and shared.
 */
static virConnectPtr
sfo_exec_open_uri(const char *uri)
{
    static GMutex lock;
    static GHashTable *embedded; /* URI -> virConnectPtr, one reference each, kept */
    virConnectPtr conn;

    if (!g_str_has_prefix(uri, "qemu:///embed"))
        return virConnectOpen(uri);
    g_mutex_lock(&lock);
    if (!embedded)
        embedded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if ((conn = g_hash_table_lookup(embedded, uri)) && virConnectRef(conn) < 0)
        conn = NULL;
    if (!conn && (conn = virConnectOpen(uri))) {
        virConnectRef(conn);
        g_hash_table_insert(embedded, g_strdup(uri), conn);
    }
    g_mutex_unlock(&lock);
    return conn;
}

static int
sfo_exec_connect(sfo_exec *exec, sfo_plan_role role)
{
    const char *uri = exec->uri[role];
    virConnectPtr conn;

    if (exec->conn[role])
        return 0;
    if (!uri) {
        g_autofree char *msg = NULL;
        const char *args[] = { "Uri", "(none)", "Reason",
                               role == SFO_PLAN_ROLE_SOURCE ? "no source URI was given"
                                                            : "no destination URI was given",
                               NULL };

        msg = sfo_messages_render(SFO_KEY_HOST_CONNECTION_FAILED, args);
        sfo_error_report(SFO_EINVALID, SFO_KEY_HOST_CONNECTION_FAILED, "%s", msg);
        return SFO_EINVALID;
    }
    if (!(conn = sfo_exec_open_uri(uri))) {
        const char *args[] = { "Uri", uri, "Reason", virGetLastErrorMessage(), NULL };
        g_autofree char *msg = sfo_messages_render(SFO_KEY_HOST_CONNECTION_FAILED, args);

        sfo_error_report(SFO_EIO, SFO_KEY_HOST_CONNECTION_FAILED, "%s", msg);
        return SFO_EIO;
    }
    virConnSetErrorFunc(conn, NULL, sfo_exec_quiet);
    if (virConnectSetKeepAlive(conn, 5, 3) < 0)
        virResetLastError(); /* local drivers have no keepalive */
    sfo_exec_listen(exec, conn);
    exec->conn[role] = conn;
    return 0;
}

virConnectPtr
sfo_exec_connection(sfo_exec *exec, sfo_plan_role role)
{
    if (sfo_exec_connect(exec, role) < 0)
        return NULL;
    return exec->conn[role];
}

static void
sfo_exec_forget_domain(sfo_exec *exec, sfo_plan_role role)
{
    if (exec->dom[role])
        virDomainFree(exec->dom[role]);
    exec->dom[role] = NULL;
    g_clear_pointer(&exec->dom_key[role], g_free);
}

static void
sfo_exec_disconnect(sfo_exec *exec, sfo_plan_role role)
{
    sfo_exec_forget_domain(exec, role);
    if (!exec->conn[role])
        return;
    sfo_exec_unlisten(exec, exec->conn[role]);
    virConnectClose(exec->conn[role]);
    exec->conn[role] = NULL;
}

/* Waits for the migration call still running after an early end of the step */
static void
sfo_exec_migration_join(sfo_exec *exec)
{
    if (!exec->migration)
        return;
    g_thread_join(g_steal_pointer(&exec->migration));
}

int
sfo_exec_open(const char *uri, const char *destination_uri, unsigned int flags, sfo_exec **ret_exec)
{
    g_autoptr(sfo_exec) exec = NULL;
    int rc;

    sfo_return_val_if_fail(ret_exec != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    sfo_exec_event_loop_ensure();
    exec = g_new0(sfo_exec, 1);
    exec->uri[SFO_PLAN_ROLE_SOURCE] = g_strdup(uri);
    exec->uri[SFO_PLAN_ROLE_DESTINATION] = g_strdup(destination_uri);
    exec->uri_given[SFO_PLAN_ROLE_SOURCE] = uri != NULL;
    exec->uri_given[SFO_PLAN_ROLE_DESTINATION] = destination_uri != NULL;
    exec->timeout_ms = SFO_EXEC_DEFAULT_TIMEOUT_MS;
    g_mutex_init(&exec->lock);
    g_cond_init(&exec->cond);
    exec->removed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    exec->refused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    exec->detaching = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    exec->unplugged = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (uri && (rc = sfo_exec_connect(exec, SFO_PLAN_ROLE_SOURCE)) < 0)
        return rc;
    *ret_exec = g_steal_pointer(&exec);
    return 0;
}

void
sfo_exec_free(sfo_exec *exec)
{
    int role;

    if (!exec)
        return;
    sfo_exec_migration_join(exec);
    for (role = 0; role < SFO_PLAN_ROLE_LAST; role++) {
        sfo_exec_disconnect(exec, role);
        g_free(exec->uri[role]);
    }
    sfo_journal_free(exec->journal);
    g_free(exec->migration_uri);
    g_free(exec->memory_file);
    g_hash_table_unref(exec->removed);
    g_hash_table_unref(exec->refused);
    g_hash_table_unref(exec->detaching);
    g_hash_table_unref(exec->unplugged);
    g_mutex_clear(&exec->lock);
    g_cond_clear(&exec->cond);
    g_free(exec);
}

int
sfo_exec_set_unplug_timeout(sfo_exec *exec, unsigned int milliseconds)
{
    sfo_return_val_if_fail(exec != NULL, SFO_EINVALID);
    exec->timeout_ms = milliseconds;
    return 0;
}

int
sfo_exec_set_migration_uri(sfo_exec *exec, const char *uri)
{
    sfo_return_val_if_fail(exec != NULL, SFO_EINVALID);
    g_free(exec->migration_uri);
    exec->migration_uri = g_strdup(uri);
    return 0;
}

int
sfo_exec_set_snapshot_memory_file(sfo_exec *exec, const char *path)
{
    sfo_return_val_if_fail(exec != NULL, SFO_EINVALID);
    g_free(exec->memory_file);
    exec->memory_file = g_strdup(path);
    return 0;
}

int
sfo_exec_set_journal(sfo_exec *exec, const char *path)
{
    sfo_journal *journal = NULL;
    int rc;

    sfo_return_val_if_fail(exec != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(path != NULL, SFO_EINVALID);
    if ((rc = sfo_journal_file_open(path, &journal)) < 0)
        return rc;
    return sfo_exec_use_journal(exec, journal);
}

int
sfo_exec_use_journal(sfo_exec *exec, sfo_journal *journal)
{
    if (!exec)
        sfo_journal_free(journal);
    sfo_return_val_if_fail(exec != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(journal != NULL, SFO_EINVALID);
    sfo_journal_free(exec->journal);
    exec->journal = journal;
    return 0;
}

sfo_journal *
sfo_exec_journal(sfo_exec *exec)
{
    return exec->journal;
}

void
sfo_exec_set_step_hook(sfo_exec *exec, sfo_exec_step_hook hook, void *opaque)
{
    exec->hook = hook;
    exec->hook_opaque = opaque;
}

void
sfo_exec_set_crash_hook(sfo_exec *exec, sfo_exec_crash_hook hook, void *opaque)
{
    exec->crash_hook = hook;
    exec->crash_opaque = opaque;
}

/* A point a crash test may stop the process at (sfo_exec_set_crash_hook()) */
static void
sfo_exec_point(sfo_exec *exec, const char *point)
{
    if (exec->crash_hook)
        exec->crash_hook(exec, point, exec->crash_opaque);
}

/* ------------------------------------------------------------------------ */
/* Shared by the steps                                                      */
/* ------------------------------------------------------------------------ */

/* Marks @r failed with catalogue key @key; the varargs are name, value pairs ending with NULL */
static void G_GNUC_NULL_TERMINATED
sfo_exec_fail(sfo_exec_step_result *r, const char *key, ...)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    const char *s;
    va_list ap;

    va_start(ap, key);
    while ((s = va_arg(ap, const char *)))
        g_ptr_array_add(args, (gpointer)s);
    va_end(ap);
    g_ptr_array_add(args, NULL);
    r->outcome = SFO_EXEC_OUTCOME_FAILED;
    g_free(r->error_key);
    g_free(r->error_message);
    r->error_key = g_strdup(key);
    r->error_message = sfo_messages_render(key, (const char *const *)args->pdata);
}

/* Fails @r with the library's last error (a journal or connection problem) */
static void
sfo_exec_fail_last(sfo_exec_step_result *r)
{
    const sfo_error *err = sfo_error_last();

    r->outcome = SFO_EXEC_OUTCOME_FAILED;
    g_free(r->error_key);
    g_free(r->error_message);
    r->error_key = g_strdup(err ? err->key : "ERROR");
    r->error_message = g_strdup(err ? err->message : "unknown error");
}

static const char *
sfo_exec_uri(sfo_exec *exec, const sfo_plan_step *step)
{
    return exec->uri[step->role] ? exec->uri[step->role] : "(none)";
}

static const char *
sfo_exec_vm_name(const sfo_plan_step *step)
{
    return step->domain ? step->domain : step->vm_id ? step->vm_id : "";
}

/* Fails @r with VM_DOMAIN_NOT_FOUND: the step's domain cannot be found or read */
static void
sfo_exec_fail_domain(sfo_exec *exec, const sfo_plan_step *step, sfo_exec_step_result *r)
{
    sfo_exec_fail(r, SFO_EXEC_KEY_DOMAIN_NOT_FOUND, "VmName", sfo_exec_vm_name(step), "VmId",
                  step->vm_id ? step->vm_id : "", "Uri", sfo_exec_uri(exec, step), NULL);
}

/* The domain of @step on its connection: by the VM id when it is a UUID, else by name */
static virDomainPtr
sfo_exec_domain(sfo_exec *exec, const sfo_plan_step *step, sfo_exec_step_result *r)
{
    g_autofree char *key =
        g_strconcat(step->vm_id ? step->vm_id : "", "\n", step->domain ? step->domain : "", NULL);
    virConnectPtr conn;
    virDomainPtr dom = NULL;
    gint64 t;

    if (exec->dom[step->role] && g_strcmp0(exec->dom_key[step->role], key) == 0)
        return exec->dom[step->role];
    if (!(conn = sfo_exec_connection(exec, step->role))) {
        sfo_exec_fail_last(r);
        r->untouched = TRUE;
        return NULL;
    }
    t = g_get_monotonic_time();
    if (step->vm_id && g_uuid_string_is_valid(step->vm_id))
        dom = virDomainLookupByUUIDString(conn, step->vm_id);
    if (!dom && step->domain)
        dom = virDomainLookupByName(conn, step->domain);
    r->probe_us += g_get_monotonic_time() - t;
    if (!dom) {
        virResetLastError();
        sfo_exec_fail_domain(exec, step, r);
        r->untouched = TRUE;
        return NULL;
    }
    sfo_exec_forget_domain(exec, step->role);
    exec->dom[step->role] = dom;
    exec->dom_key[step->role] = g_steal_pointer(&key);
    return dom;
}

typedef struct {
    gboolean active;
    gboolean persistent;
    int state; /* virDomainState */
} sfo_exec_domain_info;

static int
sfo_exec_domain_info_get(virDomainPtr dom, sfo_exec_step_result *r, sfo_exec_domain_info *info)
{
    gint64 t = g_get_monotonic_time();
    int reason;
    int active = virDomainIsActive(dom);
    int persistent = virDomainIsPersistent(dom);
    int state = 0;

    if (active >= 0 && persistent >= 0 && virDomainGetState(dom, &state, &reason, 0) == 0) {
        info->active = active;
        info->persistent = persistent;
        info->state = state;
        r->probe_us += g_get_monotonic_time() - t;
        return 0;
    }
    r->probe_us += g_get_monotonic_time() - t;
    return -1;
}

/* The parts of a domain a change can go to: live when it runs, its definition when persistent */
static unsigned int
sfo_exec_domain_parts(const sfo_exec_domain_info *info)
{
    return (info->active ? VIR_DOMAIN_AFFECT_LIVE : 0) |
           (info->persistent ? VIR_DOMAIN_AFFECT_CONFIG : 0);
}

/* sfo_exec_domain_info_get(), failing @r with VM_DOMAIN_NOT_FOUND when @dom cannot be read */
static int
sfo_exec_info(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step,
              sfo_exec_domain_info *info, sfo_exec_step_result *r)
{
    if (sfo_exec_domain_info_get(dom, r, info) == 0)
        return 0;
    sfo_exec_fail_domain(exec, step, r);
    return -1;
}

static const char *
sfo_exec_state_name(int state)
{
    /* catalogue words (ui-strings/AppErrors.properties), in virDomainState's order */
    static const char *const names[] = {
        "VAR__STATE__NOSTATE", "VAR__STATE__RUNNING",     "VAR__STATE__BLOCKED",
        "VAR__STATE__PAUSED",  "VAR__STATE__SHUTDOWN",    "VAR__STATE__SHUTOFF",
        "VAR__STATE__CRASHED", "VAR__STATE__PMSUSPENDED",
    };

    return state >= 0 && state < (int)G_N_ELEMENTS(names) ? names[state] : "VAR__STATE__UNKNOWN";
}

/*
 * 1 when @dom's live XML (@inactive: its persistent definition) has the
 * step's interface (its alias with its MAC), 0 when not; -1 when the domain
 * cannot be read (@r failed with VM_DOMAIN_NOT_FOUND).
 */
static int
sfo_exec_has_interface(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step,
                       gboolean inactive, sfo_exec_step_result *r)
{
    gint64 t = g_get_monotonic_time();
    g_autofree char *xml = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
    int has = xml ? sfo_domain_has_device(xml, step->alias, step->mac) : -1;

    r->probe_us += g_get_monotonic_time() - t;
    if (has < 0)
        sfo_exec_fail_domain(exec, step, r);
    return has < 0 ? -1 : has;
}

/*
 * The parts of @dom (VIR_DOMAIN_AFFECT_LIVE, _CONFIG) that have our
 * interface (@want TRUE) or lack it (@want FALSE). -1 on error (@r failed).
 */
static int
sfo_exec_parts(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step, gboolean want,
               sfo_exec_step_result *r)
{
    sfo_exec_domain_info info;
    unsigned int parts = 0;
    int has;

    if (sfo_exec_info(exec, dom, step, &info, r) < 0)
        return -1;
    if (info.active) {
        if ((has = sfo_exec_has_interface(exec, dom, step, FALSE, r)) < 0)
            return -1;
        if (has == want)
            parts |= VIR_DOMAIN_AFFECT_LIVE;
    }
    if (info.persistent) {
        if ((has = sfo_exec_has_interface(exec, dom, step, TRUE, r)) < 0)
            return -1;
        if (has == want)
            parts |= VIR_DOMAIN_AFFECT_CONFIG;
    }
    return (int)parts;
}

/* ------------------------------------------------------------------------ */
/* Steps                                                                    */
/* ------------------------------------------------------------------------ */

/* virDomainAttachDeviceFlags() of the step's XML to @parts; libvirt's time counted */
static int
sfo_exec_attach_parts(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step,
                      unsigned int parts, sfo_exec_step_result *r)
{
    gint64 t = g_get_monotonic_time();
    int rc = virDomainAttachDeviceFlags(dom, step->xml, parts);

    r->libvirt_us += g_get_monotonic_time() - t;
    sfo_exec_point(exec, "libvirt-attach");
    return rc;
}

/* virDomainDetachDeviceAlias() of the step's alias from @parts; libvirt's time counted */
static int
sfo_exec_detach_parts(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step,
                      unsigned int parts, sfo_exec_step_result *r)
{
    g_autofree char *key = sfo_exec_event_key(dom, step->alias);
    gint64 t;
    int rc;

    /* events of an earlier unplug of the same alias must not end this one's wait */
    g_mutex_lock(&exec->lock);
    g_hash_table_remove(exec->removed, key);
    g_hash_table_remove(exec->refused, key);
    g_mutex_unlock(&exec->lock);
    if (parts & VIR_DOMAIN_AFFECT_LIVE) {
        g_hash_table_add(exec->detaching, g_strdup(key));
        g_hash_table_add(exec->unplugged, g_strdup(key));
    } else {
        g_hash_table_remove(exec->detaching, key);
    }
    /* asynchronous for the live part: wait-removed waits for the guest */
    t = g_get_monotonic_time();
    rc = virDomainDetachDeviceAlias(dom, step->alias, parts);
    r->libvirt_us += g_get_monotonic_time() - t;
    sfo_exec_point(exec, "libvirt-detach");
    return rc;
}

typedef int (*sfo_exec_act_fn)(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step,
                               unsigned int parts, sfo_exec_step_result *r);

/*
 * @act on the parts @tried, the common case read nothing to find. When
 * libvirt refuses, the domain is read: the parts that have our interface
 * (@want TRUE) or lack it (@want FALSE) get @act, unless they are the ones
 * tried, in which case libvirt refused for a reason of its own and that is
 * the error (@key); no such part: the state already held.
 */
static void
sfo_exec_act(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step, unsigned int tried,
             gboolean want, sfo_exec_act_fn act, const char *key, sfo_exec_step_result *r)
{
    g_autofree char *refusal = NULL;
    int parts;

    if (act(exec, dom, step, tried, r) == 0)
        return;
    refusal = g_strdup(virGetLastErrorMessage());
    if ((parts = sfo_exec_parts(exec, dom, step, want, r)) < 0)
        return;
    if (parts == 0) {
        r->outcome = SFO_EXEC_OUTCOME_ALREADY;
        return;
    }
    if ((unsigned int)parts != tried && act(exec, dom, step, (unsigned int)parts, r) == 0)
        return;
    sfo_exec_fail(r, key, "Alias", step->alias, "VmName", sfo_exec_vm_name(step), "Uri",
                  sfo_exec_uri(exec, step), "Reason",
                  (unsigned int)parts == tried ? refusal : virGetLastErrorMessage(), NULL);
}

/*
 * Detaches the interface when it is ours (its alias with its MAC), live and
 * from the definition. One read decides: the live domain's XML (the
 * definition's when the domain is not running); the definition is assumed to
 * have it too, and when libvirt refuses, both are read and the parts that
 * have it are detached. Reading both first would cost two domain XMLs per
 * step (docs/benchmarks.md).
 */
static void
sfo_exec_detach(sfo_exec *exec, const sfo_plan_step *step, sfo_exec_step_result *r)
{
    virDomainPtr dom = sfo_exec_domain(exec, step, r);
    sfo_exec_domain_info info;
    unsigned int parts = 0;
    int has;

    if (!dom)
        return;
    if (sfo_exec_info(exec, dom, step, &info, r) < 0)
        return;
    if ((has = sfo_exec_has_interface(exec, dom, step, !info.active, r)) < 0)
        return;
    if (has)
        parts = sfo_exec_domain_parts(&info);
    /* not in the running domain: its definition alone may still have it */
    else if (info.active && info.persistent) {
        if ((has = sfo_exec_has_interface(exec, dom, step, TRUE, r)) < 0)
            return;
        parts = has ? VIR_DOMAIN_AFFECT_CONFIG : 0;
    }
    if (parts == 0) {
        r->outcome = SFO_EXEC_OUTCOME_ALREADY;
        return;
    }
    sfo_exec_act(exec, dom, step, parts, TRUE, sfo_exec_detach_parts, SFO_EXEC_KEY_UNPLUG_FAILED,
                 r);
}

/*
 * Returns once libvirt has written down what it did to @dom. libvirt removes
 * a device the guest released in a job of its own: it drops the device from
 * the live definition, emits DEVICE_REMOVED, then writes the domain's status
 * file and ends the job. A step recorded done before that write, and a crash
 * then, leave a status that still lists the device: the next process's
 * libvirt (the embedded driver lives in the process) removes it again when it
 * reconnects, QEMU refuses (its backend is gone), and libvirt stops the
 * domain. A query that takes the domain's job (virDomainMemoryStats()) waits
 * for that job to end; its answer does not matter.
 */
static void
sfo_exec_sync(virDomainPtr dom, sfo_exec_step_result *r)
{
    virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
    gint64 t = g_get_monotonic_time();

    if (virDomainMemoryStats(dom, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0) < 0)
        virResetLastError();
    r->probe_us += g_get_monotonic_time() - t;
}

/* Sleeps until a device event arrives after the @seen-th, a poll tick passes or @deadline */
static void
sfo_exec_wait_event(sfo_exec *exec, guint64 seen, gint64 deadline, sfo_exec_step_result *r)
{
    gint64 now = g_get_monotonic_time();

    g_mutex_lock(&exec->lock);
    while (exec->events == seen && g_get_monotonic_time() < deadline &&
           g_cond_wait_until(&exec->cond, &exec->lock,
                             MIN(deadline, now + SFO_EXEC_POLL_MS * G_TIME_SPAN_MILLISECOND)))
        ;
    if (exec->events != seen)
        r->woken++;
    g_mutex_unlock(&exec->lock);
    r->waited_us += g_get_monotonic_time() - now;
}

/* sfo_exec_wait_removed() without the bookkeeping: it fails @r or returns when removed */
static void
sfo_exec_wait_removed_loop(sfo_exec *exec, virDomainPtr dom, const char *key,
                           const sfo_plan_step *step, sfo_exec_step_result *r)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)exec->timeout_ms * 1000;
    /* nothing to wait for unless this exec asked the guest to release it */
    gboolean asked = g_hash_table_contains(exec->detaching, key);
    gboolean first = TRUE;
    sfo_exec_domain_info info;

    for (;; first = FALSE) {
        guint64 seen;
        gboolean refused;
        gboolean removed;
        int has;

        g_mutex_lock(&exec->lock);
        seen = exec->events;
        refused = g_hash_table_contains(exec->refused, key);
        removed = g_hash_table_contains(exec->removed, key);
        g_mutex_unlock(&exec->lock);
        /* libvirt emits DEVICE_REMOVED once the device has left the live definition */
        if (asked && removed) {
            sfo_exec_sync(dom, r);
            return;
        }
        if (sfo_exec_info(exec, dom, step, &info, r) < 0)
            return;
        /* an inactive domain changes only its definition, synchronously */
        if (!info.active)
            return;
        /* a guest takes far longer than a read: the first round only waits */
        if (!(first && asked && !refused)) {
            if ((has = sfo_exec_has_interface(exec, dom, step, FALSE, r)) < 0)
                return;
            if (has == 0) {
                sfo_exec_sync(dom, r);
                return;
            }
            if (refused) {
                sfo_exec_fail(r, SFO_EXEC_KEY_UNPLUG_REFUSED, "VmName", sfo_exec_vm_name(step),
                              "Alias", step->alias, NULL);
                return;
            }
            if (g_get_monotonic_time() >= deadline) {
                g_autofree char *seconds = g_strdup_printf("%.1f", exec->timeout_ms / 1000.0);

                sfo_exec_fail(r, SFO_EXEC_KEY_UNPLUG_TIMED_OUT, "VmName", sfo_exec_vm_name(step),
                              "Alias", step->alias, "Seconds", seconds, "State",
                              sfo_exec_state_name(info.state), NULL);
                return;
            }
        }
        sfo_exec_wait_event(exec, seen, deadline, r);
    }
}

/*
 * Waits until our interface is gone from the live domain. After a live
 * detach by this exec, DEVICE_REMOVED for the alias ends the wait (libvirt
 * emits it once the device has left the live definition); without it the
 * live XML is re-read at each poll tick and device event, so a missed event
 * costs at most a tick. With no detach of its own to wait for (a re-run, a
 * reconcile), the live XML decides at once. Bounded by the unplug timeout;
 * DEVICE_REMOVAL_FAILED ends it at once.
 */
static void
sfo_exec_wait_removed(sfo_exec *exec, const sfo_plan_step *step, sfo_exec_step_result *r)
{
    virDomainPtr dom = sfo_exec_domain(exec, step, r);
    g_autofree char *key = NULL;

    if (!dom)
        return;
    key = sfo_exec_event_key(dom, step->alias);
    sfo_exec_wait_removed_loop(exec, dom, key, step, r);
    g_hash_table_remove(exec->detaching, key);
}

/*
 * Before an undo attaches an interface back to a running domain: when the
 * domain's definition lacks it, the step undone detached it (live and from
 * the definition in one call), so the live interface is leaving or has left,
 * at the request of a process that was killed since (reconcile: this exec
 * did not detach it; when it did, or when the journal has the unplug's
 * wait-removed ended, the unplug was seen through).
 *  - Still live: the guest has not released it yet. Attaching now would
 *    reach only the definition, and the live domain would lose it once the
 *    guest lets go. Wait until it leaves (the unplug timeout); a guest that
 *    keeps it keeps it plugged, which is what the undo wants.
 *  - Gone: QEMU reports a deleted device (DEVICE_DELETED) only when it frees
 *    it, after an RCU grace period, which can lag behind the device leaving
 *    its tree. The libvirt of a process that connected in between
 *    (reconcile's, after a crash) dropped the interface as soon as QEMU no
 *    longer listed it (and emitted DEVICE_REMOVED: that event proves nothing
 *    here), and takes the late report for the interface attached anew under
 *    the same alias: it drops that one from the live domain, while QEMU keeps
 *    it. QEMU flushes pending reports at its next device_add, the attach
 *    itself, so let them arrive first (SFO_EXEC_SETTLE_MS), while no
 *    definition has the alias and libvirt ignores them.
 * Returns -1 when the domain cannot be read (@r failed), else 0.
 */
static int
sfo_exec_settle_unplug(sfo_exec *exec, virDomainPtr dom, const sfo_plan_step *step,
                       sfo_exec_step_result *r)
{
    g_autofree char *key = NULL;
    sfo_exec_step_result wait = { 0 };
    gint64 t;
    int has;

    key = sfo_exec_event_key(dom, step->alias);
    /*
     * this exec's own unplug, or one whose wait-removed ended (recorded in the journal):
     * seen through, or the guest kept the interface
     */
    if (exec->unplug_seen || g_hash_table_contains(exec->unplugged, key))
        return 0;
    if ((has = sfo_exec_has_interface(exec, dom, step, TRUE, r)) != 0)
        return has < 0 ? -1 : 0;
    if ((has = sfo_exec_has_interface(exec, dom, step, FALSE, r)) < 0)
        return -1;
    if (has) {
        gboolean kept;

        /* not asked by this exec: the loop reads the live XML at each event and tick */
        sfo_exec_wait_removed_loop(exec, dom, key, step, &wait);
        r->probe_us += wait.probe_us;
        r->waited_us += wait.waited_us;
        r->woken += wait.woken;
        kept = wait.error_key != NULL; /* refused, timed out: the guest keeps it */
        g_free(wait.error_key);
        g_free(wait.error_message);
        if (kept)
            return 0;
    }
    t = g_get_monotonic_time();
    g_usleep(SFO_EXEC_SETTLE_MS * G_TIME_SPAN_MILLISECOND);
    r->waited_us += g_get_monotonic_time() - t;
    return 0;
}

/*
 * Attaches without reading the domain first: live and in the definition, as
 * far as the domain has each. libvirt refuses an alias that a part already
 * has and then changes nothing, so only a refusal costs the reads: the
 * interface is attached to the parts that lack it; when none does, its state
 * already held. Reading first would cost two domain XMLs per step, most of
 * what a live plug spends outside libvirt (docs/benchmarks.md).
 */
static void
sfo_exec_attach(sfo_exec *exec, const sfo_plan_step *step, sfo_exec_step_result *r)
{
    virDomainPtr dom = sfo_exec_domain(exec, step, r);
    sfo_exec_domain_info info;

    if (!dom)
        return;
    if (sfo_exec_info(exec, dom, step, &info, r) < 0)
        return;
    if (step->undoes >= 0 && info.active && info.persistent &&
        sfo_exec_settle_unplug(exec, dom, step, r) < 0)
        return;
    sfo_exec_act(exec, dom, step, sfo_exec_domain_parts(&info), FALSE, sfo_exec_attach_parts,
                 SFO_EXEC_KEY_PLUG_FAILED, r);
}

static void
sfo_exec_hold(sfo_exec *exec, const char *sequence, const sfo_plan_step *step,
              sfo_exec_step_result *r)
{
    g_autofree char *holder = NULL;
    int rc;

    if (!exec->journal) {
        r->outcome = SFO_EXEC_OUTCOME_ALREADY; /* nowhere to keep a hold: nothing to do */
        return;
    }
    if (step->op == SFO_PLAN_OP_RELEASE_VF)
        rc = exec->journal->ops->release_vf(exec->journal, sequence, step->host_id,
                                            step->vf_address, step->nic_id);
    else
        rc = exec->journal->ops->reserve_vf(exec->journal, sequence, step->host_id,
                                            step->vf_address, step->nic_id, &holder);
    sfo_exec_point(exec, "journal-hold");
    r->untouched = rc < 0 || holder != NULL;
    if (rc < 0)
        sfo_exec_fail_last(r);
    else if (holder)
        sfo_exec_fail(r, SFO_EXEC_KEY_VF_RESERVED, "Vf", step->vf_address ? step->vf_address : "",
                      "HostName", step->host_id ? step->host_id : "", "Holder", holder, "Nic",
                      step->nic_id ? step->nic_id : "", NULL);
}

/*
 * One migration: libvirt's call runs in a thread of its own, so that the
 * step can end as soon as the guest runs on the destination (libvirt's
 * RESUMED/MIGRATED event there: the destination finished the migration and
 * resumed the guest) instead of when the call returns. The call then still
 * waits for the source: confirming the migration, stopping the source's
 * QEMU, removing its definition, about 2 s under TCG (docs/downtime.md).
 * The VFs are plugged on the destination meanwhile.
 */
typedef struct {
    gint refs;
    GMutex lock;
    GCond cond;
    char uuid[VIR_UUID_STRING_BUFLEN];
    gboolean resumed;
    gboolean returned;
    int rc;
    char *error;
    virDomainPtr dom;
    char *dest;
    virTypedParameterPtr params;
    int nparams;
    unsigned int flags;
} sfo_exec_migration;

static void
sfo_exec_migration_unref(sfo_exec_migration *m)
{
    if (!g_atomic_int_dec_and_test(&m->refs))
        return;
    virDomainFree(m->dom);
    virTypedParamsFree(m->params, m->nparams);
    g_free(m->dest);
    g_free(m->error);
    g_mutex_clear(&m->lock);
    g_cond_clear(&m->cond);
    g_free(m);
}

static gpointer
sfo_exec_migration_thread(gpointer data)
{
    sfo_exec_migration *m = data;
    int rc = virDomainMigrateToURI3(m->dom, m->dest, m->params, m->nparams, m->flags);

    g_mutex_lock(&m->lock);
    m->rc = rc;
    if (rc < 0)
        m->error = g_strdup(virGetLastErrorMessage());
    m->returned = TRUE;
    g_cond_broadcast(&m->cond);
    g_mutex_unlock(&m->lock);
    virResetLastError();
    sfo_exec_migration_unref(m);
    return NULL;
}

static int
sfo_exec_on_lifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event, int detail,
                      void *opaque)
{
    sfo_exec_migration *m = opaque;
    char uuid[VIR_UUID_STRING_BUFLEN] = "";

    if (event != VIR_DOMAIN_EVENT_RESUMED || detail != VIR_DOMAIN_EVENT_RESUMED_MIGRATED ||
        virDomainGetUUIDString(dom, uuid) < 0 || strcmp(uuid, m->uuid) != 0)
        return 0;
    g_mutex_lock(&m->lock);
    m->resumed = TRUE;
    g_cond_broadcast(&m->cond);
    g_mutex_unlock(&m->lock);
    return 0;
}

/*
 * Runs @m; returns when libvirt's call returned, or when the guest resumed
 * on the destination (the call goes on in exec->migration). Returns the
 * call's result (0 for an early end), with the message in *error.
 */
static int
sfo_exec_migration_run(sfo_exec *exec, sfo_exec_migration *m, char **error)
{
    virConnectPtr dconn = sfo_exec_connection(exec, SFO_PLAN_ROLE_DESTINATION);
    GThread *thread;
    int id = -1;
    int rc;

    virResetLastError();
    /* the registration holds a reference: a callback may still run after deregistering */
    if (dconn) {
        g_atomic_int_inc(&m->refs);
        id = virConnectDomainEventRegisterAny(dconn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(sfo_exec_on_lifecycle), m,
                                              (virFreeCallback)sfo_exec_migration_unref);
        if (id < 0)
            sfo_exec_migration_unref(m);
    }
    /* without the event (no connection yet, or refused), the call's return decides alone */
    virResetLastError();
    g_atomic_int_inc(&m->refs);
    thread = g_thread_new("sfo-migrate", sfo_exec_migration_thread, m);
    g_mutex_lock(&m->lock);
    while (!m->returned && !m->resumed)
        g_cond_wait(&m->cond, &m->lock);
    rc = m->returned ? m->rc : 0;
    *error = g_strdup(m->error);
    if (m->returned) {
        g_mutex_unlock(&m->lock);
        g_thread_join(thread);
    } else {
        g_mutex_unlock(&m->lock);
        exec->migration = thread;
    }
    if (id >= 0)
        virConnectDomainEventDeregisterAny(dconn, id);
    return rc;
}

static void
sfo_exec_migrate(sfo_exec *exec, const sfo_plan_step *step, sfo_exec_step_result *r)
{
    virDomainPtr dom = sfo_exec_domain(exec, step, r);
    const char *dest = exec->uri[SFO_PLAN_ROLE_DESTINATION];
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    unsigned int flags = VIR_MIGRATE_PEER2PEER;
    sfo_exec_migration *m;
    g_autofree char *error = NULL;
    sfo_exec_domain_info info;
    gint64 t;
    int rc;

    if (!dom)
        return;
    if (!dest) {
        sfo_exec_fail(r, SFO_EXEC_KEY_MIGRATION_FAILED, "VmName", sfo_exec_vm_name(step), "Uri",
                      "(none)", "Reason", "no destination URI was given", NULL);
        return;
    }
    if (sfo_exec_info(exec, dom, step, &info, r) < 0)
        return;
    /* a domain that does not run moves as its definition alone: nothing to copy live */
    if (!info.active)
        flags |= VIR_MIGRATE_OFFLINE;
    else if (step->live)
        flags |= VIR_MIGRATE_LIVE;
    if (info.persistent)
        flags |= VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
    if (exec->migration_uri)
        virTypedParamsAddString(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_URI,
                                exec->migration_uri);
    m = g_new0(sfo_exec_migration, 1);
    m->refs = 1;
    g_mutex_init(&m->lock);
    g_cond_init(&m->cond);
    virDomainGetUUIDString(dom, m->uuid);
    m->dom = dom;
    virDomainRef(dom);
    m->dest = g_strdup(dest);
    m->params = params;
    m->nparams = nparams;
    m->flags = flags;
    t = g_get_monotonic_time();
    rc = sfo_exec_migration_run(exec, m, &error);
    r->libvirt_us += g_get_monotonic_time() - t;
    sfo_exec_point(exec, "libvirt-migrate");
    sfo_exec_migration_unref(m);
    if (rc < 0) {
        sfo_exec_fail(r, SFO_EXEC_KEY_MIGRATION_FAILED, "VmName", sfo_exec_vm_name(step), "Uri",
                      dest, "Reason", error ? error : "unknown", NULL);
        return;
    }
    sfo_exec_forget_domain(exec, SFO_PLAN_ROLE_SOURCE); /* it lives on the destination now */
}

/*
 * The snapshot oVirt's VDSM takes: external, the memory written to @file (a
 * save image, as a managed save writes), each disk getting the external
 * overlay libvirt creates by default when the memory is external, and no
 * libvirt metadata (the manager keeps the snapshot's record; libvirt
 * refuses to migrate a domain it holds snapshot metadata for).
 */
static char *
sfo_exec_snapshot_xml(const char *file)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "domainsnapshot", NULL);
    xmlNode *memory = xmlNewChild(root, NULL, BAD_CAST "memory", NULL);

    xmlDocSetRootElement(doc, root);
    xmlNewProp(memory, BAD_CAST "snapshot", BAD_CAST "external");
    xmlNewProp(memory, BAD_CAST "file", BAD_CAST file);
    return sfo_domxml_node_to_string(root);
}

/* save (managed save), restore (start from it), snapshot with memory */
static void
sfo_exec_lifecycle(sfo_exec *exec, const sfo_plan_step *step, sfo_exec_step_result *r)
{
    virDomainPtr dom = sfo_exec_domain(exec, step, r);
    sfo_exec_domain_info info;
    virDomainSnapshotPtr snap = NULL;
    gint64 t;
    int rc = 0;

    if (!dom)
        return;
    if (sfo_exec_info(exec, dom, step, &info, r) < 0)
        return;
    if ((step->op == SFO_PLAN_OP_SAVE && !info.active &&
         virDomainHasManagedSaveImage(dom, 0) > 0) ||
        (step->op == SFO_PLAN_OP_RESTORE && info.active)) {
        r->outcome = SFO_EXEC_OUTCOME_ALREADY;
        return;
    }
    t = g_get_monotonic_time();
    if (step->op == SFO_PLAN_OP_SAVE) {
        rc = virDomainManagedSave(dom, 0);
    } else if (step->op == SFO_PLAN_OP_RESTORE) {
        rc = virDomainCreate(dom);
    } else {
        g_autofree char *xml = sfo_exec_snapshot_xml(exec->memory_file);

        snap = virDomainSnapshotCreateXML(dom, xml, VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA);
        rc = snap ? 0 : -1;
    }
    r->libvirt_us += g_get_monotonic_time() - t;
    sfo_exec_point(exec, step->op == SFO_PLAN_OP_SAVE      ? "libvirt-save"
                         : step->op == SFO_PLAN_OP_RESTORE ? "libvirt-restore"
                                                           : "libvirt-snapshot");
    if (snap)
        virDomainSnapshotFree(snap);
    if (rc < 0)
        sfo_exec_fail(r, SFO_EXEC_KEY_OPERATION_FAILED, "Operation",
                      step->op == SFO_PLAN_OP_SAVE      ? "VAR__OPERATION__SAVE"
                      : step->op == SFO_PLAN_OP_RESTORE ? "VAR__OPERATION__RESTORE"
                                                        : "VAR__OPERATION__SNAPSHOT",
                      "VmName", sfo_exec_vm_name(step), "Uri", sfo_exec_uri(exec, step), "Reason",
                      virGetLastErrorMessage(), NULL);
}

static sfo_journal_phase
sfo_exec_phase_of(sfo_exec_outcome outcome)
{
    switch (outcome) {
    case SFO_EXEC_OUTCOME_DONE:
        return SFO_JOURNAL_DONE;
    case SFO_EXEC_OUTCOME_ALREADY:
        return SFO_JOURNAL_ALREADY;
    case SFO_EXEC_OUTCOME_FAILED:
    case SFO_EXEC_OUTCOME_LAST:
    default:
        return SFO_JOURNAL_FAILED;
    }
}

/* Runs one step (or undo step), journaled before and after, and times it */
static sfo_exec_step_result *
sfo_exec_step(sfo_exec *exec, const char *sequence, const sfo_plan_step *step, gboolean undo,
              int position)
{
    sfo_exec_step_result *r = g_new0(sfo_exec_step_result, 1);
    gint64 t0 = g_get_monotonic_time();
    sfo_journal *journal = exec->journal;

    r->step = sfo_plan_step_copy(step);
    r->undo = undo;
    r->position = position;
    r->outcome = SFO_EXEC_OUTCOME_DONE;
    if (journal && journal->ops->record(journal, sequence, undo, position, SFO_JOURNAL_STARTED,
                                        NULL, NULL) < 0) {
        sfo_exec_fail_last(r); /* what cannot be journaled does not run */
        r->untouched = TRUE;
        r->duration_us = g_get_monotonic_time() - t0;
        return r;
    }
    if (journal)
        sfo_exec_point(exec, "journal-step");
    switch (step->op) {
    case SFO_PLAN_OP_ATTACH:
        sfo_exec_attach(exec, step, r);
        break;
    case SFO_PLAN_OP_DETACH:
        sfo_exec_detach(exec, step, r);
        break;
    case SFO_PLAN_OP_WAIT_REMOVED:
        sfo_exec_wait_removed(exec, step, r);
        break;
    case SFO_PLAN_OP_RESERVE_VF:
    case SFO_PLAN_OP_RELEASE_VF:
        sfo_exec_hold(exec, sequence, step, r);
        break;
    case SFO_PLAN_OP_MIGRATE:
        sfo_exec_migrate(exec, step, r);
        break;
    case SFO_PLAN_OP_SAVE:
    case SFO_PLAN_OP_RESTORE:
    case SFO_PLAN_OP_SNAPSHOT:
        sfo_exec_lifecycle(exec, step, r);
        break;
    case SFO_PLAN_OP_START:
    case SFO_PLAN_OP_LAST:
    default:
        g_assert_not_reached(); /* refused by sfo_exec_run() */
    }
    virResetLastError();
    if (journal &&
        journal->ops->record(journal, sequence, undo, position, sfo_exec_phase_of(r->outcome),
                             r->error_key, r->error_message) < 0 &&
        r->outcome != SFO_EXEC_OUTCOME_FAILED)
        sfo_exec_fail_last(r);
    if (journal)
        sfo_exec_point(exec, "journal-step");
    r->duration_us = g_get_monotonic_time() - t0;
    if (exec->hook)
        exec->hook(exec, r, exec->hook_opaque);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Sequences                                                                */
/* ------------------------------------------------------------------------ */

static void
sfo_exec_result_set_error(sfo_exec_result *result, const sfo_exec_step_result *r)
{
    if (result->error_key)
        return; /* the first failure is the reason */
    result->error_key = g_strdup(r->error_key);
    result->error_message = g_strdup(r->error_message);
}

static gboolean
sfo_exec_phase_holds(int phase)
{
    return phase == SFO_JOURNAL_DONE || phase == SFO_JOURNAL_ALREADY;
}

/*
 * Runs the steps from @from on whose @phase does not hold yet, and records
 * each outcome in @phase. Returns the index of a step that failed before
 * the commit step succeeded (the sequence must be undone), or -1; failures
 * after the commit step are collected in @result (status incomplete) and
 * the other steps still run.
 */
static int
sfo_exec_forward(sfo_exec *exec, const sfo_plan *plan, const char *sequence, guint from, int *phase,
                 sfo_exec_result *result)
{
    int commit = sfo_plan_commit_index(plan);
    gboolean committed = commit >= 0 && (int)from > commit;
    guint i;

    for (i = from; i < plan->steps->len; i++) {
        sfo_exec_step_result *r;

        if (sfo_exec_phase_holds(phase[i])) {
            if ((int)i == commit)
                committed = TRUE;
            continue;
        }
        r = sfo_exec_step(exec, sequence, plan->steps->pdata[i], FALSE, (int)i);
        g_ptr_array_add(result->steps, r);
        /* a step that failed before acting has nothing to undo, like one that found its state */
        phase[i] = r->untouched ? SFO_JOURNAL_ALREADY : sfo_exec_phase_of(r->outcome);
        if (r->outcome != SFO_EXEC_OUTCOME_FAILED) {
            if ((int)i == commit)
                committed = TRUE;
            continue;
        }
        sfo_exec_result_set_error(result, r);
        if (!committed)
            return (int)i;
        result->status = sfo_exec_status_worse(result->status, SFO_EXEC_INCOMPLETE);
    }
    return -1;
}

/* Whether a wait-removed of @undo's interface (a step of @plan) ended: the unplug was seen */
static gboolean
sfo_exec_unplug_seen(const sfo_plan *plan, const sfo_plan_step *undo, const int *step_phase)
{
    guint i;

    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];

        if (step->op == SFO_PLAN_OP_WAIT_REMOVED && step->role == undo->role &&
            g_strcmp0(step->alias, undo->alias) == 0 && sfo_exec_phase_holds(step_phase[i]))
            return TRUE;
    }
    return FALSE;
}

/*
 * Runs the undo steps of the steps up to @upto, in the plan's order. Skips
 * those whose @undo_phase holds already, and those of a step whose
 * @step_phase says it changed nothing (ALREADY: undoing it would, say,
 * plug a VF the domain never had). An undo step that fails skips the rest
 * of its group (the steps undoing the same step); the others still run.
 * Sets the status: undone, or undo-failed.
 */
static void
sfo_exec_backward(sfo_exec *exec, const sfo_plan *plan, const char *sequence, int upto,
                  const int *step_phase, int *undo_phase, sfo_exec_result *result)
{
    int failed_group = -1;
    guint i;

    result->status = sfo_exec_status_worse(result->status, SFO_EXEC_UNDONE);
    for (i = 0; i < plan->undo->len; i++) {
        const sfo_plan_step *u = plan->undo->pdata[i];
        sfo_exec_step_result *r;

        if (u->undoes > upto || u->undoes == failed_group ||
            step_phase[u->undoes] == SFO_JOURNAL_ALREADY || sfo_exec_phase_holds(undo_phase[i]))
            continue;
        exec->unplug_seen = sfo_exec_unplug_seen(plan, u, step_phase);
        r = sfo_exec_step(exec, sequence, u, TRUE, (int)i);
        exec->unplug_seen = FALSE;
        g_ptr_array_add(result->undone, r);
        undo_phase[i] = sfo_exec_phase_of(r->outcome);
        if (r->outcome == SFO_EXEC_OUTCOME_FAILED) {
            failed_group = u->undoes;
            result->status = SFO_EXEC_UNDO_FAILED;
            sfo_exec_result_set_error(result, r);
        }
    }
}

/* The live XML of the plan's domain on each open connection, into @result */
static void
sfo_exec_collect_domains(sfo_exec *exec, const sfo_plan *plan, sfo_exec_result *result)
{
    sfo_plan_step probe = { 0 };
    int role;

    if (plan->steps->len == 0)
        return;
    probe = *(const sfo_plan_step *)plan->steps->pdata[0];
    for (role = 0; role < SFO_PLAN_ROLE_LAST; role++) {
        sfo_exec_step_result scratch = { 0 };
        virDomainPtr dom;
        char *xml;

        if (!exec->conn[role])
            continue;
        probe.role = role;
        if (!(dom = sfo_exec_domain(exec, &probe, &scratch)) || virDomainIsActive(dom) != 1 ||
            !(xml = virDomainGetXMLDesc(dom, 0))) {
            g_free(scratch.error_key);
            g_free(scratch.error_message);
            virResetLastError();
            continue;
        }
        g_ptr_array_add(result->domains, g_strdup(exec->uri[role]));
        g_ptr_array_add(result->domains, xml);
    }
}

static void
sfo_exec_finish(sfo_exec *exec, const char *sequence, sfo_exec_result *result)
{
    /* a sequence that needs nothing more ends; others stay open for reconcile */
    if (exec->journal && sequence &&
        (result->status == SFO_EXEC_COMPLETED || result->status == SFO_EXEC_UNDONE)) {
        exec->journal->ops->finish(exec->journal, sequence,
                                   sfo_exec_status_to_string(result->status));
        sfo_exec_point(exec, "journal-end");
    }
}

int
sfo_exec_run(sfo_exec *exec, const sfo_plan *plan, unsigned int flags, sfo_exec_result **ret_result)
{
    g_autoptr(sfo_exec_result) result = NULL;
    g_autofree char *sequence = NULL;
    g_autofree int *step_phase = NULL;
    g_autofree int *undo_phase = NULL;
    gint64 t0 = g_get_monotonic_time();
    guint i;
    int failed;
    int rc;

    sfo_return_val_if_fail(exec != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(plan != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_result != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_EXEC_RUN_DOMAIN_XML);
    for (i = 0; i < plan->steps->len; i++) {
        sfo_plan_op op = ((sfo_plan_step *)plan->steps->pdata[i])->op;

        if (op == SFO_PLAN_OP_START) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT,
                             "a run plan carries only the domain's interfaces; start the domain "
                             "from its full definition");
            return SFO_EINVALID;
        }
        if (op == SFO_PLAN_OP_SNAPSHOT && !exec->memory_file) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_SNAPSHOT_MEMORY_FILE_NOT_SET,
                             "a snapshot needs a file for the guest's memory: "
                             "sfo_exec_set_snapshot_memory_file() (sriovfo apply --memory-file)");
            return SFO_EINVALID;
        }
    }

    result = sfo_exec_result_new();
    result->action = g_strdup(sfo_plan_action_to_string(plan->action));
    json_object_put(result->violations);
    result->violations = sfo_violations_to_json(plan->violations);
    if (sfo_plan_is_refused(plan)) {
        result->status = SFO_EXEC_REFUSED;
        result->error_key = g_strdup(sfo_violations_key(plan->violations, 0));
        result->error_message = g_strdup(sfo_violations_message(plan->violations, 0));
        *ret_result = g_steal_pointer(&result);
        return 0;
    }
    if (plan->steps->len > 0 && !sfo_exec_connection(exec, SFO_PLAN_ROLE_SOURCE))
        return sfo_error_last()->code;
    /*
     * a plan without steps (a VM that runs nowhere) is journaled too: its end is what tells
     * the store's inventory that the NIC is plugged or not now
     */
    if (exec->journal &&
        (rc = exec->journal->ops->begin(exec->journal, plan, exec->uri[SFO_PLAN_ROLE_SOURCE],
                                        exec->uri[SFO_PLAN_ROLE_DESTINATION], &sequence)) < 0)
        return rc;
    if (sequence)
        sfo_exec_point(exec, "journal-begin");
    result->sequence_id = g_strdup(sequence);

    step_phase = sfo_journal_phases_new(plan->steps->len);
    undo_phase = sfo_journal_phases_new(plan->undo->len);
    if ((failed = sfo_exec_forward(exec, plan, sequence, 0, step_phase, result)) >= 0)
        sfo_exec_backward(exec, plan, sequence, failed, step_phase, undo_phase, result);
    sfo_exec_migration_join(exec);
    sfo_exec_finish(exec, sequence, result);
    if (flags & SFO_EXEC_RUN_DOMAIN_XML)
        sfo_exec_collect_domains(exec, plan, result);
    result->total_us = g_get_monotonic_time() - t0;
    *ret_result = g_steal_pointer(&result);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Reconcile                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Waits until @dom has no job running (a migration its process started
 * before it died), at most SFO_EXEC_JOB_WAIT_MS: a peer-to-peer migration
 * goes on in the source's libvirtd after the process that asked for it is
 * gone, and may still end with the domain on the destination.
 */
static void
sfo_exec_wait_job(virDomainPtr dom)
{
    gint64 deadline = g_get_monotonic_time() + SFO_EXEC_JOB_WAIT_MS * 1000;
    virDomainJobInfo info;

    while (g_get_monotonic_time() < deadline) {
        if (virDomainGetJobInfo(dom, &info) < 0 ||
            (info.type != VIR_DOMAIN_JOB_BOUNDED && info.type != VIR_DOMAIN_JOB_UNBOUNDED))
            return;
        g_usleep(100 * 1000);
    }
}

/* @dom's state (virDomainState); VIR_DOMAIN_NOSTATE when it cannot be read */
static int
sfo_exec_state(virDomainPtr dom)
{
    int state = VIR_DOMAIN_NOSTATE;
    int reason;

    if (virDomainGetState(dom, &state, &reason, 0) < 0) {
        virResetLastError();
        return VIR_DOMAIN_NOSTATE;
    }
    return state;
}

/*
 * Whether the domain of @commit is on the destination (@running: and runs
 * there, its CPUs resumed); without a recorded destination TRUE unless
 * @running (then the source alone decides)
 */
static gboolean
sfo_exec_on_destination(sfo_exec *exec, const sfo_plan_step *commit, gboolean running)
{
    sfo_exec_step_result scratch = { 0 };
    sfo_plan_step probe = *commit;
    virDomainPtr dom;
    gboolean there;

    if (!exec->uri[SFO_PLAN_ROLE_DESTINATION])
        return !running;
    probe.role = SFO_PLAN_ROLE_DESTINATION;
    dom = sfo_exec_domain(exec, &probe, &scratch);
    there = dom && (!running || sfo_exec_state(dom) == VIR_DOMAIN_RUNNING);
    g_free(scratch.error_key);
    g_free(scratch.error_message);
    virResetLastError();
    return there;
}

/*
 * After a migration that took effect, what libvirt's last phase on the
 * source (Confirm) does, when the process that ran it died before: stops
 * the copy left paused on the source and removes its definition there.
 * libvirt's driver, reconnecting to that copy, leaves the choice to the
 * manager ("finished but we don't know if the domain was successfully
 * started on destination"). Only when the destination has the domain, and
 * runs it when the source's copy is active; a copy that runs on the source
 * is never touched.
 */
static void
sfo_exec_drop_source_copy(sfo_exec *exec, const sfo_plan_step *commit)
{
    sfo_exec_step_result scratch = { 0 };
    sfo_exec_domain_info info = { 0 };
    virDomainPtr dom;

    if (!exec->uri[SFO_PLAN_ROLE_DESTINATION])
        return;
    /* the migrate step is the source's */
    if (!(dom = sfo_exec_domain(exec, commit, &scratch)))
        goto out;
    /* after the reconnecting driver's job: it stops the copy itself once Confirm had begun */
    sfo_exec_sync(dom, &scratch);
    if (sfo_exec_domain_info_get(dom, &scratch, &info) < 0)
        goto out;
    if (info.active) {
        if (info.state != VIR_DOMAIN_PAUSED || !sfo_exec_on_destination(exec, commit, TRUE))
            goto out;
        virDomainDestroy(dom);
        if (sfo_exec_domain_info_get(dom, &scratch, &info) < 0 || info.active)
            goto out;
    } else if (!sfo_exec_on_destination(exec, commit, FALSE)) {
        goto out;
    }
    if (info.persistent)
        virDomainUndefine(dom);
out:
    g_free(scratch.error_key);
    g_free(scratch.error_message);
    virResetLastError();
    sfo_exec_forget_domain(exec, commit->role);
}

/*
 * Whether the commit step of @entry, started but never recorded as done,
 * took effect: a migrated domain is no longer active on the source and is
 * on the destination (a domain that did not run is inactive on the source
 * whether or not it moved), or, killed before libvirt's last phase, left
 * paused on the source while it runs on the destination; a saved one is
 * inactive with a save image, a
 * restored one is active. A migration still running on the source is waited
 * for first. A snapshot counts as not taken: undoing it plugs the VFs back,
 * as finishing would.
 */
static gboolean
sfo_exec_commit_took_effect(sfo_exec *exec, const sfo_plan_step *commit)
{
    sfo_exec_step_result scratch = { 0 };
    virDomainPtr dom = sfo_exec_domain(exec, commit, &scratch);
    gboolean took = FALSE;
    int active;

    g_free(scratch.error_key);
    g_free(scratch.error_message);
    if (dom && commit->op == SFO_PLAN_OP_MIGRATE)
        sfo_exec_wait_job(dom);
    active = dom ? virDomainIsActive(dom) : 0;
    switch (commit->op) {
    case SFO_PLAN_OP_MIGRATE:
        took = active != 1 ? sfo_exec_on_destination(exec, commit, FALSE)
                           : sfo_exec_state(dom) == VIR_DOMAIN_PAUSED &&
                                 sfo_exec_on_destination(exec, commit, TRUE);
        break;
    case SFO_PLAN_OP_SAVE:
        took = dom && active == 0 && virDomainHasManagedSaveImage(dom, 0) > 0;
        break;
    case SFO_PLAN_OP_RESTORE:
        took = active == 1;
        break;
    case SFO_PLAN_OP_SNAPSHOT:
    case SFO_PLAN_OP_ATTACH:
    case SFO_PLAN_OP_DETACH:
    case SFO_PLAN_OP_WAIT_REMOVED:
    case SFO_PLAN_OP_RESERVE_VF:
    case SFO_PLAN_OP_RELEASE_VF:
    case SFO_PLAN_OP_START:
    case SFO_PLAN_OP_LAST:
    default:
        break;
    }
    virResetLastError();
    if (took)
        sfo_exec_forget_domain(exec, commit->role);
    return took;
}

static void
sfo_exec_reconcile_entry(sfo_exec *exec, sfo_journal_entry *entry, sfo_exec_result *result)
{
    const sfo_plan *plan = entry->plan;
    int commit = sfo_plan_commit_index(plan);
    gboolean committed = commit >= 0 && sfo_exec_phase_holds(entry->step_phase[commit]);
    gboolean undoing = FALSE;
    int last = -1;
    guint i;

    for (i = 0; i < plan->undo->len; i++)
        undoing |= entry->undo_phase[i] >= 0;
    for (i = 0; i < plan->steps->len; i++) {
        if (entry->step_phase[i] >= 0)
            last = (int)i;
    }
    if (!committed && !undoing && commit >= 0 && entry->step_phase[commit] >= 0)
        committed = sfo_exec_commit_took_effect(exec, plan->steps->pdata[commit]);

    if (committed && !undoing) {
        if (((const sfo_plan_step *)plan->steps->pdata[commit])->op == SFO_PLAN_OP_MIGRATE)
            sfo_exec_drop_source_copy(exec, plan->steps->pdata[commit]);
        sfo_exec_forward(exec, plan, entry->id, (guint)commit + 1, entry->step_phase, result);
    } else if (last >= 0) {
        sfo_exec_backward(exec, plan, entry->id, last, entry->step_phase, entry->undo_phase,
                          result);
    } else {
        result->status = sfo_exec_status_worse(result->status, SFO_EXEC_UNDONE);
    }
}

int
sfo_exec_reconcile(sfo_exec *exec, unsigned int flags, sfo_exec_result **ret_result)
{
    g_autoptr(sfo_exec_result) result = NULL;
    g_autoptr(GPtrArray) entries = NULL;
    gint64 t0 = g_get_monotonic_time();
    guint i;
    int rc;

    sfo_return_val_if_fail(exec != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_result != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_EXEC_RUN_DOMAIN_XML);
    if (!exec->journal) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVALID_ARGUMENT,
                         "reconcile needs a journal (sfo_exec_set_journal())");
        return SFO_EINVALID;
    }
    if ((rc = exec->journal->ops->unfinished(exec->journal, &entries)) < 0)
        return rc;

    result = sfo_exec_result_new();
    result->action = g_strdup("reconcile");
    for (i = 0; i < entries->len; i++) {
        sfo_journal_entry *entry = entries->pdata[i];
        g_autoptr(sfo_exec_result) one = sfo_exec_result_new();
        int role;

        /*
         * the URIs the sequence ran on, unless the caller named others: sequences of
         * several hosts each go to their own
         */
        for (role = 0; role < SFO_PLAN_ROLE_LAST; role++) {
            const char *recorded =
                role == SFO_PLAN_ROLE_SOURCE ? entry->source_uri : entry->destination_uri;

            if (exec->uri_given[role] || !recorded || g_strcmp0(exec->uri[role], recorded) == 0)
                continue;
            sfo_exec_disconnect(exec, role);
            g_free(exec->uri[role]);
            exec->uri[role] = g_strdup(recorded);
        }
        sfo_exec_reconcile_entry(exec, entry, one);
        sfo_exec_finish(exec, entry->id, one);
        if (i == 0 && (flags & SFO_EXEC_RUN_DOMAIN_XML))
            sfo_exec_collect_domains(exec, entry->plan, result);
        result->status = sfo_exec_status_worse(result->status, one->status);
        if (!result->error_key && one->error_key) {
            result->error_key = g_strdup(one->error_key);
            result->error_message = g_strdup(one->error_message);
        }
        if (!result->sequence_id)
            result->sequence_id = g_strdup(entry->id);
        g_ptr_array_extend_and_steal(result->steps, g_steal_pointer(&one->steps));
        g_ptr_array_extend_and_steal(result->undone, g_steal_pointer(&one->undone));
        one->steps = g_ptr_array_new();
        one->undone = g_ptr_array_new();
    }
    result->total_us = g_get_monotonic_time() - t0;
    *ret_result = g_steal_pointer(&result);
    return 0;
}
