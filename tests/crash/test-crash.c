/*
 * test-crash.c: a crash at every step, then reconcile (make check-crash)
 *
 * For each plan shape and each journal (the file, the store's tables), the
 * process running the plan is killed with SIGKILL right after one journal
 * write or one libvirt call that changes the domain (sfo_exec_set_crash_hook(),
 * a test-only hook: point 1, 2, ... in the order the run reaches them, so
 * every step index and both sides of each step are hit in turn), until a run
 * reaches no more points. After each kill, reconcile runs in a new process
 * and the test asserts:
 *  - the sequence ends completed or undone (never left open, never failed);
 *  - the domain has the plan's interfaces all or none, live and in its
 *    definition alike, and that matches the outcome;
 *  - no VF is left held: the plan's VF is free in the journal (reserving it
 *    for another NIC succeeds), so it can never be handed out twice;
 *  - a second reconcile has nothing to do.
 *
 * No timing anywhere: the kill happens inside the process at a named point.
 * libvirt's embedded qemu driver (one process at a time may open a root)
 * runs in child processes only: setting up the domain, running the plan,
 * reconciling and checking each happen in a child of their own; QEMU
 * outlives each of them as it outlives a crashed manager.
 *
 * Which shapes run: without a guest operating system nothing acknowledges a
 * live unplug, and undoing a plug unplugs (a plug into a running domain
 * killed halfway is undone, and the undo waits for a guest that is not
 * there). So the shapes here are those whose steps libvirt completes on its
 * own: on a domain that is defined but not running (its definition changes
 * at once) a plug (reserve-vf, attach standby, attach VF, release-vf), an
 * unplug (detach and wait, VF then standby) and an offline migration to a
 * second libvirt host (reserve the destination's VF, detach and wait,
 * migrate, attach there, release: the domain's definition moves; a libvirtd
 * of its own, tests/integration/second-host.sh, since libvirt refuses to
 * migrate to the host it runs on and one process may open one embedded
 * root); and a restore of a domain saved without its VF (restore, attach:
 * nothing before the commit step to undo, nothing after it to wait for).
 * A save, a snapshot and a live migration unplug the VF of a running guest
 * first, which only a guest acknowledges: with SFO_CRASH_GUEST set (make
 * check-crash-guest, test-crash-guest.sh), the test runs those three shapes
 * (and only them) on the integration tests' guest, booted and paired for
 * each point (10 to 20 s a point); the migration goes to the second host.
 * SFO_CRASH_SHAPES=migrate,... runs only those shapes (of the set above);
 * SFO_CRASH_POINTS=N,M,... runs only those points (every point by default);
 * SFO_CRASH_STRIDE=K runs every K-th point and the last one (CI on a loaded
 * machine; the first point and the last always run), SFO_CRASH_STORE_STRIDE
 * the same over the store's journal only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "../store/journal-test.h"
#include "../store/store-test.h"
#include "domxml/sfo-domxml.h"
#include "exec/sfo-journal-file.h"
#include "sfo-test-virt.h"
#include "sfo-test.h"

/*
 * How the domain starts: defined, saved (started paused, then a managed
 * save), or running the integration tests' guest (tests/guest), which
 * acknowledges unplugs: booted, and paired with its VF
 */
typedef enum {
    SFO_CRASH_DEFINED,
    SFO_CRASH_SAVED,
    SFO_CRASH_GUEST,
} sfo_crash_start;

#define SFO_CRASH_GUEST_SECONDS 180

typedef struct {
    const char *name;
    int action;
    const char *subject; /* the NIC (plug, unplug) or the VM the plan acts on */
    const char *dest;    /* the destination host of a migration, or NULL */
    const char *nic;     /* the NIC whose interfaces the domain has or not */
    const char *domain;  /* its VM's domain */
    sfo_crash_start start;
    guint devices;       /* the domain starts with: 0 none, 1 the standby, 2 the standby and VF */
    const char *standby; /* the aliases of those */
    const char *vf;
    /* where the domain is and what it has after a completed and after an undone sequence */
    const char *done;
    const char *undone;
} sfo_crash_shape;

static const sfo_crash_shape sfo_crash_shapes[] = {
    { "plug", SFO_PLAN_PLUG, "n-hold", NULL, "n-hold", "exec-hold", SFO_CRASH_DEFINED, 0, "ua-p-fo",
      "ua-n-hold", "source defined standby vf", "source defined" },
    { "unplug", SFO_PLAN_UNPLUG, "n-reconcile", NULL, "n-reconcile", "exec-reconcile",
      SFO_CRASH_DEFINED, 2, "ua-p-fo", "ua-n-reconcile", "source defined",
      "source defined standby vf" },
    { "migrate-offline", SFO_PLAN_MIGRATE_OFFLINE, "vm-reconcile", "h2", "n-reconcile",
      "exec-reconcile", SFO_CRASH_DEFINED, 2, "ua-p-fo", "ua-n-reconcile",
      "destination defined standby vf", "source defined standby vf" },
    { "restore", SFO_PLAN_RESTORE, "vm-reconcile", NULL, "n-reconcile", "exec-reconcile",
      SFO_CRASH_SAVED, 1, "ua-p-fo", "ua-n-reconcile", "source running standby vf",
      "source saved standby" },
    /*
     * with the guest, only when SFO_CRASH_GUEST is set (and SFO_GUEST_DIR holds the guest that
     * make check-crash-guest and make check-integration build)
     */
    { "save", SFO_PLAN_SAVE, "vm-guest", NULL, "n-guest", "sfo-guest", SFO_CRASH_GUEST, 2,
      "ua-p-fo", "ua-n-guest", "source saved standby", "source running standby vf" },
    { "snapshot", SFO_PLAN_SNAPSHOT, "vm-guest", NULL, "n-guest", "sfo-guest", SFO_CRASH_GUEST, 2,
      "ua-p-fo", "ua-n-guest", "source running standby vf", "source running standby vf" },
    { "migrate", SFO_PLAN_MIGRATE, "vm-guest", "h2", "n-guest", "sfo-guest", SFO_CRASH_GUEST, 2,
      "ua-p-fo", "ua-n-guest", "destination running standby vf", "source running standby vf" },
};

static sfo_test_virt sfo_virt;
/* the destination of the migrations (started for the first shape that has one) */
static sfo_test_second_host sfo_dest;
static sfo_inventory *sfo_inv;
static char *sfo_journal_path;
static char *sfo_console;     /* the guest's serial console */
static char *sfo_memory_file; /* a snapshot's memory */
static guint sfo_points_run;

/*
 * The points to run: SFO_CRASH_POINTS (a list), else all, thinned by
 * SFO_CRASH_STRIDE (over the store's journal SFO_CRASH_STORE_STRIDE, when set)
 */
static gboolean
sfo_crash_selected(const sfo_test_journal_kind *kind, guint point, gboolean last)
{
    const char *list = g_getenv("SFO_CRASH_POINTS");
    const char *store_stride = g_getenv("SFO_CRASH_STORE_STRIDE");
    const char *stride_env = !g_str_equal(kind->name, "file") && store_stride && *store_stride
                                 ? store_stride
                                 : g_getenv("SFO_CRASH_STRIDE");
    guint stride = stride_env ? (guint)g_ascii_strtoull(stride_env, NULL, 10) : 1;

    if (list && *list) {
        g_auto(GStrv) items = g_strsplit(list, ",", -1);
        guint i;

        for (i = 0; items[i]; i++) {
            if ((guint)g_ascii_strtoull(items[i], NULL, 10) == point)
                return TRUE;
        }
        return FALSE;
    }
    return stride <= 1 || point == 1 || last || (point - 1) % stride == 0;
}

/* The shape is one SFO_CRASH_SHAPES names (a list; every shape by default) */
static gboolean
sfo_crash_shape_selected(const sfo_crash_shape *shape)
{
    const char *list = g_getenv("SFO_CRASH_SHAPES");
    g_auto(GStrv) items = NULL;

    if (!list || !*list)
        return TRUE;
    items = g_strsplit(list, ",", -1);
    return g_strv_contains((const char *const *)items, shape->name);
}

/* ------------------------------------------------------------------------ */
/* child processes                                                          */
/* ------------------------------------------------------------------------ */

typedef int (*sfo_crash_child_fn)(const sfo_crash_shape *shape, const sfo_test_journal_kind *kind,
                                  guint point);

/* Runs @fn in a child process; returns its wait status */
static int
sfo_crash_in_child(sfo_crash_child_fn fn, const sfo_crash_shape *shape,
                   const sfo_test_journal_kind *kind, guint point)
{
    pid_t pid;
    int status = 0;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn(shape, kind, point));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* In a child: connects to the test's embedded driver; exits 99 when it cannot */
static void
sfo_crash_child_connect(void)
{
    if (!sfo_test_virt_connect(&sfo_virt)) {
        fprintf(stderr, "# child: cannot open %s: %s\n", sfo_virt.uri, sfo_virt.error);
        _exit(99);
    }
}

static char *
sfo_crash_nic_xml(const char *nic_id, sfo_domxml_part part)
{
    const sfo_nic *nic = sfo_inventory_find_nic(sfo_inv, nic_id);
    char *xml = NULL;

    if (!nic ||
        sfo_domxml_format_nic_part(sfo_inv, nic, part, NULL, SFO_DOMXML_EMULATED, &xml) != 1)
        _exit(99);
    return xml;
}

/* A connection to the destination host, or NULL (and the domain's lookups fail) */
static virConnectPtr
sfo_crash_dest_connect(const sfo_crash_shape *shape)
{
    if (!shape->dest)
        return NULL;
    return virConnectOpen(sfo_dest.uri);
}

/* Waits until the guest printed that it paired the standby with the VF (tests/guest/init) */
static gboolean
sfo_crash_guest_paired(void)
{
    gint64 deadline = g_get_monotonic_time() + SFO_CRASH_GUEST_SECONDS * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < deadline) {
        g_autofree char *text = NULL;
        const char *last = NULL;
        const char *p;

        if (g_file_get_contents(sfo_console, &text, NULL, NULL)) {
            for (p = text; (p = strstr(p, "SFO-NET ")); p++)
                last = p + strlen("SFO-NET ");
        }
        if (last && strstr(last, "virtio_net") && strstr(last, "e1000e") &&
            strcspn(last, " \r\n") == strcspn(last, "\r\n"))
            return TRUE;
        g_usleep(200 * 1000);
    }
    return FALSE;
}

/* The domain as the shape starts: replaces what a case before left, on both hosts */
static int
sfo_crash_child_setup(const sfo_crash_shape *shape, const sfo_test_journal_kind *kind G_GNUC_UNUSED,
                      guint point G_GNUC_UNUSED)
{
    g_autofree char *devices = NULL;
    g_autofree char *xml = NULL;
    virConnectPtr dconn;
    virDomainPtr old;
    virDomainPtr dom;

    sfo_crash_child_connect();
    if ((old = virDomainLookupByName(sfo_virt.conn, shape->domain)))
        sfo_test_virt_domain_drop(old);
    if ((dconn = sfo_crash_dest_connect(shape))) {
        if ((old = virDomainLookupByName(dconn, shape->domain)))
            sfo_test_virt_domain_drop(old);
        virConnectClose(dconn);
    }
    virResetLastError();
    if (shape->devices > 0) {
        g_autofree char *standby = sfo_crash_nic_xml(shape->nic, SFO_DOMXML_PART_STANDBY);
        g_autofree char *vf =
            shape->devices > 1 ? sfo_crash_nic_xml(shape->nic, SFO_DOMXML_PART_NIC) : NULL;

        devices = g_strconcat(standby, vf, NULL);
    }
    if (shape->start == SFO_CRASH_GUEST) {
        const char *dir = g_getenv("SFO_GUEST_DIR");
        g_autofree char *kernel = g_build_filename(dir, "vmlinuz", NULL);
        g_autofree char *initrd = g_build_filename(dir, "initrd.img", NULL);

        g_unlink(sfo_console);
        g_unlink(sfo_memory_file);
        xml = sfo_test_virt_domain_xml(shape->domain, 384, devices, kernel, initrd, sfo_console);
    } else {
        xml = sfo_test_virt_domain_xml(shape->domain, 128, devices, NULL, NULL, NULL);
    }
    if (!(dom = virDomainDefineXML(sfo_virt.conn, xml)) ||
        (shape->start == SFO_CRASH_SAVED &&
         (virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) < 0 ||
          virDomainManagedSave(dom, 0) < 0)) ||
        (shape->start == SFO_CRASH_GUEST && virDomainCreate(dom) < 0)) {
        fprintf(stderr, "# setup: %s\n", virGetLastErrorMessage());
        return 1;
    }
    virDomainFree(dom);
    if (shape->start == SFO_CRASH_GUEST && !sfo_crash_guest_paired()) {
        fprintf(stderr, "# setup: the guest did not pair its VF within %d s\n",
                SFO_CRASH_GUEST_SECONDS);
        return 1;
    }
    return 0;
}

/* A journal of @kind, opened in this process */
static sfo_journal *
sfo_crash_journal(const sfo_test_journal_kind *kind)
{
    sfo_journal *journal = NULL;
    g_autoptr(sfo_store) store = NULL;

    if (g_str_equal(kind->name, "file")) {
        if (sfo_journal_file_open(sfo_journal_path, &journal) < 0)
            return NULL;
        return journal;
    }
    if (sfo_store_open(sfo_store_test_dsn(), 0, &store) < 0 ||
        sfo_store_open_journal(store, 0, &journal) < 0)
        return NULL;
    return journal;
}

typedef struct {
    guint reached;
    guint kill_at;
} sfo_crash_counter;

static void
sfo_crash_hook(sfo_exec *exec G_GNUC_UNUSED, const char *point, void *opaque)
{
    sfo_crash_counter *c = opaque;

    if (++c->reached == c->kill_at) {
        fprintf(stderr, "# killed after %s (point %u)\n", point, c->reached);
        fflush(stderr);
        kill(getpid(), SIGKILL);
    }
}

static sfo_plan *
sfo_crash_plan(const sfo_crash_shape *shape)
{
    sfo_plan *plan = NULL;

    if (sfo_plan_build(sfo_inv, shape->action, shape->subject, shape->dest, SFO_PLAN_EMULATED,
                       &plan) < 0 ||
        plan->steps->len == 0)
        _exit(99);
    return plan;
}

/*
 * Runs the shape's plan and is killed at @point. With @point 0 it runs to the
 * end and exits with the number of points it passed (fewer than 200).
 */
static int
sfo_crash_child_apply(const sfo_crash_shape *shape, const sfo_test_journal_kind *kind, guint point)
{
    g_autoptr(sfo_plan) plan = sfo_crash_plan(shape);
    sfo_crash_counter counter = { 0, point };
    sfo_exec *exec = NULL;
    sfo_exec_result *result = NULL;
    sfo_journal *journal;

    sfo_crash_child_connect();
    if (sfo_exec_open(sfo_virt.uri, shape->dest ? sfo_dest.uri : NULL, 0, &exec) < 0 ||
        !(journal = sfo_crash_journal(kind)) || sfo_exec_use_journal(exec, journal) < 0) {
        fprintf(stderr, "# apply: %s\n", sfo_error_last()->message);
        return 99;
    }
    sfo_exec_set_unplug_timeout(exec, shape->start == SFO_CRASH_GUEST ? 60000 : 5000);
    sfo_exec_set_snapshot_memory_file(exec, sfo_memory_file);
    sfo_exec_set_crash_hook(exec, sfo_crash_hook, &counter);
    if (sfo_exec_run(exec, plan, 0, &result) < 0) {
        fprintf(stderr, "# apply: %s\n", sfo_error_last()->message);
        return 99;
    }
    if (sfo_exec_result_status(result) != SFO_EXEC_COMPLETED) {
        fprintf(stderr, "# apply without a crash: %s\n",
                sfo_exec_status_to_string(sfo_exec_result_status(result)));
        return 1;
    }
    if (point != 0 || counter.reached == 0 || counter.reached >= 200)
        return 99;
    return (int)counter.reached;
}

/*
 * Where the shape's domain is and what it has, as the shapes' done and
 * undone say: "HOST STATE [standby] [vf]", HOST source or destination,
 * STATE defined, saved (with a managed save image) or running. NULL (with
 * the reason on stderr) when it is on neither host or on both, or when it
 * runs with other interfaces than its definition has.
 */
static char *
sfo_crash_describe(const sfo_crash_shape *shape)
{
    const char *aliases[] = { shape->standby, shape->vf };
    const char *names[] = { "standby", "vf" };
    virConnectPtr dconn = sfo_crash_dest_connect(shape);
    virDomainPtr on_source = virDomainLookupByName(sfo_virt.conn, shape->domain);
    virDomainPtr on_dest = dconn ? virDomainLookupByName(dconn, shape->domain) : NULL;
    virDomainPtr dom = on_source ? on_source : on_dest;
    GString *what = g_string_new(on_source ? "source" : "destination");
    gboolean bad = FALSE;
    guint i;

    virResetLastError();
    if (!on_source == !on_dest) {
        fprintf(stderr, "# the domain is on %s\n", on_source ? "both hosts" : "neither host");
        bad = TRUE;
    } else if (virDomainIsActive(dom) == 1) {
        g_string_append(what, " running");
    } else {
        g_string_append(what, virDomainHasManagedSaveImage(dom, 0) > 0 ? " saved" : " defined");
    }
    for (i = 0; !bad && i < G_N_ELEMENTS(aliases); i++) {
        gboolean config = sfo_test_virt_has(dom, TRUE, aliases[i], NULL);

        if (virDomainIsActive(dom) == 1 &&
            sfo_test_virt_has(dom, FALSE, aliases[i], NULL) != config) {
            fprintf(stderr, "# the %s is %s live only\n", names[i], config ? "not" : "");
            bad = TRUE;
        }
        if (config)
            g_string_append_printf(what, " %s", names[i]);
    }
    if (on_source)
        virDomainFree(on_source);
    if (on_dest)
        virDomainFree(on_dest);
    if (dconn)
        virConnectClose(dconn);
    if (bad) {
        g_string_free(what, TRUE);
        return NULL;
    }
    return g_string_free(what, FALSE);
}

/* The NIC that holds VF @address of host @host_id in the store's inventory, or NULL */
static char *
sfo_crash_store_vf_holder(sfo_store *store, const char *host_id, const char *address)
{
    g_autofree char *text = NULL;
    g_autoptr(json_object) host = NULL;
    json_object *pfs;
    size_t p;
    size_t v;

    if (sfo_store_get(store, "hosts", host_id, 0, &text) < 0 || !(host = json_tokener_parse(text)))
        return g_strdup("(unreadable)");
    if (!json_object_object_get_ex(host, "sriov_pfs", &pfs))
        return NULL;
    for (p = 0; p < json_object_array_length(pfs); p++) {
        json_object *vfs;

        if (!json_object_object_get_ex(json_object_array_get_idx(pfs, p), "vfs", &vfs))
            continue;
        for (v = 0; v < json_object_array_length(vfs); v++) {
            json_object *vf = json_object_array_get_idx(vfs, v);
            json_object *addr;
            json_object *nic;
            json_object *id;

            if (json_object_object_get_ex(vf, "address", &addr) &&
                g_str_equal(json_object_get_string(addr), address))
                return json_object_object_get_ex(vf, "nic", &nic) &&
                               json_object_object_get_ex(nic, "id", &id)
                           ? g_strdup(json_object_get_string(id))
                           : NULL;
        }
    }
    return NULL;
}

/*
 * The store's inventory agrees with the domain after a sequence that ended
 * @completed (else undone): the NIC is stored plugged exactly when the
 * domain has its interfaces (plug, unplug; the other shapes keep it plugged),
 * the VM on the destination exactly when it migrated, and the NIC's VF (the
 * one the plan reserved when it completed, else the one it had; none when
 * unplugged) is its own in the host's VFs and in its vf_address.
 */
static int
sfo_crash_check_store(const sfo_crash_shape *shape, const sfo_plan *plan, gboolean completed)
{
    g_autoptr(sfo_store) store = NULL;
    g_autofree char *text = NULL;
    g_autofree char *vm_text = NULL;
    g_autofree char *holder = NULL;
    g_autoptr(json_object) nic = NULL;
    g_autoptr(json_object) vm = NULL;
    const sfo_nic *inv_nic = sfo_inventory_find_nic(sfo_inv, shape->nic);
    const sfo_vm *inv_vm = sfo_inventory_find_vm(sfo_inv, inv_nic->vm_id);
    gboolean plugged = shape->action == SFO_PLAN_PLUG     ? completed
                       : shape->action == SFO_PLAN_UNPLUG ? !completed
                                                          : TRUE;
    const char *host = completed && shape->dest ? shape->dest : inv_vm->host_id;
    const char *vf = inv_nic->vf_address;
    json_object *value;
    json_object *id;
    gboolean stored;
    guint i;

    /* the VF the plan reserved when it completed, or when the NIC had none (to be free) */
    for (i = 0; (completed || !inv_nic->vf_address) && i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];

        if (step->op == SFO_PLAN_OP_RESERVE_VF)
            vf = step->vf_address;
    }
    if (sfo_store_open(sfo_store_test_dsn(), 0, &store) < 0 ||
        sfo_store_get(store, "nics", shape->nic, 0, &text) < 0 ||
        !(nic = json_tokener_parse(text)) ||
        sfo_store_get(store, "vms", inv_vm->id, 0, &vm_text) < 0 ||
        !(vm = json_tokener_parse(vm_text))) {
        fprintf(stderr, "# store: %s\n", sfo_error_last() ? sfo_error_last()->message : "?");
        return 1;
    }
    stored = json_object_object_get_ex(nic, "plugged", &value) && json_object_get_boolean(value);
    if (stored != plugged) {
        fprintf(stderr, "# the store says NIC %s is %s, not %s\n", shape->nic,
                stored ? "plugged" : "unplugged", plugged ? "plugged" : "unplugged");
        return 1;
    }
    if (!json_object_object_get_ex(vm, "host", &value) ||
        !json_object_object_get_ex(value, "id", &id) ||
        !g_str_equal(json_object_get_string(id), host)) {
        fprintf(stderr, "# the store has VM %s elsewhere than on %s\n", inv_vm->id, host);
        return 1;
    }
    if (!vf) {
        fprintf(stderr, "# the plan reserved no VF and the NIC has none\n");
        return 1;
    }
    holder = sfo_crash_store_vf_holder(store, host, vf);
    if (g_strcmp0(holder, plugged ? shape->nic : NULL) != 0) {
        fprintf(stderr, "# VF %s of %s is held by %s in the store\n", vf, host,
                holder ? holder : "nobody");
        return 1;
    }
    if (json_object_object_get_ex(nic, "vf", &value) != plugged ||
        (plugged && (!json_object_object_get_ex(value, "address", &id) ||
                     !g_str_equal(json_object_get_string(id), vf)))) {
        fprintf(stderr, "# NIC %s has not VF %s (or has one unplugged) in the store\n", shape->nic,
                vf);
        return 1;
    }
    /* and no VF of the other host is its */
    if (shape->dest) {
        const char *other = g_str_equal(host, shape->dest) ? inv_vm->host_id : shape->dest;
        const sfo_host *h = sfo_inventory_find_host(sfo_inv, other);
        guint p;
        guint v;

        for (p = 0; p < h->pfs->len; p++) {
            const sfo_pf *pf = h->pfs->pdata[p];

            for (v = 0; v < pf->vfs->len; v++) {
                g_autofree char *who =
                    sfo_crash_store_vf_holder(store, other, ((sfo_vf *)pf->vfs->pdata[v])->address);

                if (g_strcmp0(who, shape->nic) == 0) {
                    fprintf(stderr, "# NIC %s still holds a VF of %s in the store\n", shape->nic,
                            other);
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* Reconciles and checks what the crash left; exits 0 when all holds, else 1 with the reason */
static int
sfo_crash_child_check(const sfo_crash_shape *shape, const sfo_test_journal_kind *kind, guint point)
{
    g_autoptr(sfo_plan) plan = sfo_crash_plan(shape);
    g_autoptr(sfo_plan) probe_plan = NULL;
    g_autoptr(sfo_exec_result) result = NULL;
    g_autoptr(sfo_exec_result) again = NULL;
    g_autoptr(GPtrArray) open = NULL;
    g_autofree char *holder = NULL;
    g_autofree char *probe = NULL;
    sfo_exec *exec = NULL;
    sfo_journal *journal;
    g_autofree char *where = NULL;
    sfo_exec_status status;
    guint i;

    sfo_crash_child_connect();
    if (sfo_exec_open(NULL, NULL, 0, &exec) < 0 ||
        sfo_exec_set_unplug_timeout(exec, shape->start == SFO_CRASH_GUEST ? 60000 : 5000) < 0 ||
        !(journal = sfo_crash_journal(kind)) || sfo_exec_use_journal(exec, journal) < 0 ||
        sfo_exec_reconcile(exec, 0, &result) < 0) {
        fprintf(stderr, "# reconcile: %s\n", sfo_error_last()->message);
        return 1;
    }
    status = sfo_exec_result_status(result);
    if (status != SFO_EXEC_COMPLETED && status != SFO_EXEC_UNDONE) {
        fprintf(stderr, "# reconcile ended %s: %s\n", sfo_exec_status_to_string(status),
                sfo_exec_result_error_message(result));
        return 1;
    }
    if (journal->ops->unfinished(journal, &open) < 0 || open->len != 0) {
        fprintf(stderr, "# a sequence is still open after reconcile\n");
        return 1;
    }
    /*
     * the domain: on one host, live and defined alike, as the outcome says (a sequence that had
     * ended before the kill is reconciled as completed: a run not killed before its end completed)
     */
    if (!(where = sfo_crash_describe(shape)))
        return 1;
    if (!g_str_equal(where, status == SFO_EXEC_COMPLETED ? shape->done : shape->undone)) {
        fprintf(stderr, "# reconcile says %s, the domain is: %s\n",
                sfo_exec_status_to_string(status), where);
        return 1;
    }
    if (!g_str_equal(kind->name, "file") &&
        sfo_crash_check_store(shape, plan, status == SFO_EXEC_COMPLETED) != 0)
        return 1;
    /*
     * no VF stays held: a sequence of another NIC (of a VM of its own: the store's journal
     * keeps one open sequence per VM, and holds a plan's VFs from its start) can have the
     * plan's VF, so it is never handed out twice
     */
    probe_plan = sfo_plan_new(shape->action);
    probe_plan->vm_id = g_strdup("vm-probe");
    if (journal->ops->begin(journal, probe_plan, sfo_virt.uri, NULL, &probe) < 0) {
        fprintf(stderr, "# probe: %s\n", sfo_error_last()->message);
        return 1;
    }
    for (i = 0; i < plan->steps->len; i++) {
        const sfo_plan_step *step = plan->steps->pdata[i];

        if (step->op != SFO_PLAN_OP_RESERVE_VF)
            continue;
        if (journal->ops->reserve_vf(journal, probe, step->host_id, step->vf_address, "n-probe",
                                     &holder) < 0 ||
            holder) {
            fprintf(stderr, "# VF %s is still held by %s\n", step->vf_address,
                    holder ? holder : sfo_error_last()->message);
            return 1;
        }
        journal->ops->release_vf(journal, probe, step->host_id, step->vf_address, "n-probe");
    }
    journal->ops->finish(journal, probe, "undone");
    /* and nothing is left to do */
    if (sfo_exec_reconcile(exec, 0, &again) < 0 ||
        sfo_exec_result_status(again) != SFO_EXEC_COMPLETED ||
        again->steps->len + again->undone->len != 0) {
        fprintf(stderr, "# a second reconcile did something\n");
        return 1;
    }
    printf("# point %u: %s, %s\n", point, sfo_exec_status_to_string(status), where);
    fflush(stdout); /* the child ends with _exit() */
    sfo_exec_free(exec);
    return 0;
}

/* ------------------------------------------------------------------------ */

/*
 * A journal as new; the store's also holds the inventory, with the plug's NIC
 * unplugged, so that its write-back can be checked against the domain
 */
static void
sfo_crash_reset_journal(const sfo_test_journal_kind *kind)
{
    g_autoptr(sfo_store) store = NULL;

    if (g_str_equal(kind->name, "file")) {
        g_unlink(sfo_journal_path);
        return;
    }
    store = sfo_store_test_open();
    if (sfo_store_import(store, sfo_inv, 0, NULL) < 0 ||
        sfo_store_unplug_nic(store, sfo_crash_shapes[0].nic, 0, NULL) < 0)
        fail_msg("store: %s", sfo_error_last()->message);
}

/* Crash at every point of @shape's plan over @kind, in turn */
static void
sfo_crash_shape_run(const sfo_crash_shape *shape, const sfo_test_journal_kind *kind)
{
    guint total;
    guint point;
    guint ran = 0;
    int status;

    if (!sfo_virt.uri)
        skip();
    if ((shape->start == SFO_CRASH_GUEST) != (g_getenv("SFO_CRASH_GUEST") != NULL)) {
        printf("# %s\n", shape->start == SFO_CRASH_GUEST
                             ? "needs the guest (SFO_CRASH_GUEST, docs/sequencer.md)"
                             : "not with the guest's shapes (SFO_CRASH_GUEST)");
        skip();
    }
    if (shape->start == SFO_CRASH_GUEST) {
        const char *dir = g_getenv("SFO_GUEST_DIR");
        g_autofree char *kernel = dir ? g_build_filename(dir, "vmlinuz", NULL) : NULL;

        if (!kernel || !g_file_test(kernel, G_FILE_TEST_EXISTS)) {
            printf("# no guest: `make check-crash-guest` builds it\n");
            skip();
        }
    }
    if (shape->dest && !sfo_dest.uri) {
        const char *missing = sfo_test_second_host_missing();

        if (missing) {
            printf("# %s\n", missing);
            skip();
        }
        sfo_test_second_host_start(&sfo_virt, &sfo_dest, "second-host");
    }
    if (g_str_equal(kind->name, "store"))
        kind->reset(); /* starts the cluster the first time; skips without PostgreSQL */
    /* a run without a crash: how many points it passes */
    sfo_crash_reset_journal(kind);
    assert_int_equal(sfo_crash_in_child(sfo_crash_child_setup, shape, kind, 0), 0);
    status = sfo_crash_in_child(sfo_crash_child_apply, shape, kind, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 99 || WEXITSTATUS(status) == 1)
        fail_msg("%s over the %s journal: the run without a crash failed (status %d)", shape->name,
                 kind->name, status);
    total = (guint)WEXITSTATUS(status);
    for (point = 1; point <= total; point++) {
        if (!sfo_crash_selected(kind, point, point == total))
            continue;
        sfo_crash_reset_journal(kind);
        assert_int_equal(sfo_crash_in_child(sfo_crash_child_setup, shape, kind, point), 0);
        status = sfo_crash_in_child(sfo_crash_child_apply, shape, kind, point);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            fail_msg("%s over the %s journal, point %u: the run ended with status %d", shape->name,
                     kind->name, point, status);
        status = sfo_crash_in_child(sfo_crash_child_check, shape, kind, point);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("%s over the %s journal, killed at point %u: reconcile left it wrong",
                     shape->name, kind->name, point);
        ran++;
    }
    printf("# %s over the %s journal: %u crash points, %u of them killed, reconciled and "
           "checked\n",
           shape->name, kind->name, total, ran);
    sfo_points_run += ran;
}

static void
test_crash__shape(void **state)
{
    const sfo_crash_shape *shape = ((const void **)*state)[0];
    const sfo_test_journal_kind *kind = ((const void **)*state)[1];

    sfo_crash_shape_run(shape, kind);
}

static int
sfo_crash_group_setup(void **state G_GNUC_UNUSED)
{
    g_autofree char *dir = NULL;

    sfo_inv = sfo_test_load_inventory("exec", "inventory.json");
    if (!sfo_test_virt_make_root(&sfo_virt, "sfo-crash")) {
        printf("# no embedded qemu driver: %s\n", sfo_virt.error);
        g_clear_pointer(&sfo_virt.uri, g_free);
        return 0;
    }
    sfo_journal_path = sfo_test_virt_path(&sfo_virt, "journal.jsonl");
    sfo_console = sfo_test_virt_path(&sfo_virt, "console.log");
    sfo_memory_file = sfo_test_virt_path(&sfo_virt, "memory.img");
    return 0;
}

/* Destroys the domains (in a child: the driver is opened only there), removes the root */
static int
sfo_crash_child_cleanup(const sfo_crash_shape *shape G_GNUC_UNUSED,
                        const sfo_test_journal_kind *kind G_GNUC_UNUSED, guint point G_GNUC_UNUSED)
{
    if (!sfo_test_virt_connect(&sfo_virt))
        return 1;
    sfo_test_virt_close(&sfo_virt);
    return 0;
}

static int
sfo_crash_group_teardown(void **state G_GNUC_UNUSED)
{
    printf("# %u crash points reconciled and checked\n", sfo_points_run);
    sfo_test_second_host_stop(&sfo_dest);
    if (sfo_virt.uri)
        sfo_crash_in_child(sfo_crash_child_cleanup, NULL, NULL, 0);
    if (sfo_virt.root)
        sfo_test_rmtree(sfo_virt.root);
    sfo_test_journal_cleanup();
    g_free(sfo_virt.root);
    g_free(sfo_virt.uri);
    g_free(sfo_virt.error);
    g_free(sfo_journal_path);
    g_free(sfo_console);
    g_free(sfo_memory_file);
    sfo_inventory_free(sfo_inv);
    return 0;
}

int
main(void)
{
    static const void *cases[G_N_ELEMENTS(sfo_crash_shapes) * 2][2];
    struct CMUnitTest tests[G_N_ELEMENTS(cases)];
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    gboolean guest = g_getenv("SFO_CRASH_GUEST") != NULL;
    guint n = 0;
    guint i;

    /* the guest's shapes with SFO_CRASH_GUEST, the others without */
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        const sfo_crash_shape *shape = &sfo_crash_shapes[i / 2];
        const sfo_test_journal_kind *kind =
            i % 2 == 0 ? &sfo_test_journal_file : &sfo_test_journal_store;

        if ((shape->start == SFO_CRASH_GUEST) != guest || !sfo_crash_shape_selected(shape))
            continue;
        cases[n][0] = shape;
        cases[n][1] = kind;
        g_ptr_array_add(names, g_strdup_printf("%s over the %s journal", shape->name, kind->name));
        tests[n] =
            (struct CMUnitTest){ names->pdata[n], test_crash__shape, NULL, NULL, (void *)cases[n] };
        n++;
    }
    if (sfo_test_virt_under_valgrind()) {
        printf("1..0 # SKIP under valgrind: QEMU cannot be started (sfo-test-virt.c)\n");
        return 0;
    }
    return _cmocka_run_group_tests("crash", tests, n, sfo_crash_group_setup,
                                   sfo_crash_group_teardown);
}
