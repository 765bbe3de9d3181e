/*
 * bench-sequencer.c: planning and executing plug/unplug against libvirt's own time
 *
 * Three measurements, each repeated R times (min and median printed):
 *
 *   evacuation  plan the live migration of every VM of one host (N VMs, 2
 *               failover VF NICs and a virtio NIC each) to 10 other hosts,
 *               round robin, with one planner so no VF is handed out twice:
 *               rules, VF choice, steps and undo steps with their XML.
 *               Target: 500 VMs in at most 100 ms.
 *   config      C cycles of plug + unplug of one failover NIC of a defined,
 *               not running domain (every change goes to its definition, so
 *               libvirt works synchronously and no guest is involved):
 *                 libvirt  the four calls the plans make, nothing else:
 *                          attach standby, attach VF, detach VF, detach
 *                          standby (virDomainAttachDeviceFlags /
 *                          virDomainDetachDeviceAlias, VIR_DOMAIN_AFFECT_CONFIG)
 *                 sriovfo  sfo_plan_build() + sfo_exec_run() of the plug and
 *                          of the unplug plan, without a journal, and with
 *                          the JSON journal file (fdatasync per record)
 *               overhead: sriovfo minus libvirt, per cycle: what planning,
 *               the idempotence checks (reading the domain before each step)
 *               and the journal add. Measured as the process's CPU time
 *               (libvirt's driver runs in the process too; QEMU and the
 *               guest do not count), as the calling thread's CPU time
 *               (where plan, exec and the libvirt API calls run; libvirt's
 *               monitor and event threads, busy alike for both sides, do
 *               not count, so it is the steadier figure) and as wall time.
 *               Target: at most 1 ms per cycle, without the journal's disk
 *               flushes (they are the disk's).
 *   live        with --guest DIR (tests/guest/ as make check-integration
 *               builds it): the same on a booted guest, live and in the
 *               definition, the unplugs acknowledged by the guest (ACPI),
 *               libvirt's side waiting for DEVICE_REMOVED. The guest's
 *               reaction time dominates and varies, so the overhead is also
 *               computed from exec's own accounting: a cycle's time minus the
 *               time inside the libvirt calls the baseline makes too and
 *               waiting for the guest (what remains: planning, opening the
 *               exec, reading the domain before each step, parsing it).
 *
 * All in one process, on libvirt's embedded qemu driver with Debian's QEMU
 * (TCG); the VF is an emulated e1000e with the VF's MAC and alias
 * (SFO_PLAN_EMULATED), as VFIO is not available here. docs/benchmarks.md
 * has figures and how to read them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "domxml/sfo-domxml.h"
#include "exec/sfo-exec.h"
#include "plan/sfo-plan.h"

#define BENCH_DEST_HOSTS 10
#define BENCH_VF_NICS 2
#define BENCH_DEST_VFS 128

typedef struct {
    int vms;
    int repeat;
    int cycles;
    int live_cycles;
    char *guest;
    gboolean json;
} bench_options;

typedef struct {
    double min;
    double median;
} bench_stat;

static void bench_die(const char *fmt, ...) G_GNUC_NORETURN G_GNUC_PRINTF(1, 2);

static void
bench_die(const char *fmt, ...)
{
    va_list ap;

    fputs("bench-sequencer: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

static double
bench_now(void)
{
    return g_get_monotonic_time() / (double)G_USEC_PER_SEC;
}

/* CPU time of the whole process (our code and libvirt's in-process driver, not QEMU) */
static double
bench_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * CPU time of the calling thread alone: plan, exec and the libvirt API
 * calls run there; libvirt's monitor and event threads, which do the same
 * work for both sides and make the process figure noisy, do not count.
 */
static double
bench_thread_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static bench_stat
bench_stats(double *v, int n)
{
    bench_stat s;

    qsort(v, n, sizeof(double), bench_cmp_double);
    s.min = v[0];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

/* VF number @i of a PF on bus @bus: "0000:BB:SS.F" */
static void
bench_vf_address(char *buf, size_t size, int bus, int i)
{
    g_snprintf(buf, size, "0000:%02x:%02x.%x", bus + i / 256, (i % 256) / 8, i % 8);
}

/*
 * @vms VMs on host h0, each with BENCH_VF_NICS failover VF NICs (their VFs
 * assigned on h0) and a virtio NIC; hosts h1..h10 with BENCH_DEST_VFS free
 * VFs each and both networks.
 */
static char *
bench_inventory(int vms)
{
    GString *j = g_string_new(NULL);
    char addr[32];
    int v;
    int k;
    int h;

    g_string_append(j,
                    "{\"data_centers\":[{\"id\":\"dc\",\"name\":\"dc\"}],"
                    "\"clusters\":[{\"id\":\"cl\",\"name\":\"cl\",\"data_center\":{\"id\":\"dc\"},"
                    "\"version\":{\"major\":4,\"minor\":7},"
                    "\"networks\":[{\"id\":\"net-vf\"},{\"id\":\"net-br\"}]}],"
                    "\"networks\":[{\"id\":\"net-vf\",\"name\":\"sriov\",\"data_center\":"
                    "{\"id\":\"dc\"},\"vlan\":{\"id\":100}},{\"id\":\"net-br\",\"name\":\"br\","
                    "\"data_center\":{\"id\":\"dc\"},\"vlan\":{\"id\":100}}],"
                    "\"vnic_profiles\":[{\"id\":\"p-virtio\",\"name\":\"virtio\","
                    "\"network\":{\"id\":\"net-br\"}}");
    for (k = 0; k < BENCH_VF_NICS; k++)
        g_string_append_printf(
            j,
            ",{\"id\":\"p-fo%d\",\"name\":\"fo%d\",\"network\":{\"id\":\"net-br\"}},"
            "{\"id\":\"p-vf%d\",\"name\":\"vf%d\",\"network\":{\"id\":\"net-vf\"},"
            "\"pass_through\":{\"mode\":\"enabled\"},\"migratable\":true,"
            "\"failover\":{\"id\":\"p-fo%d\"}}",
            k, k, k, k, k);
    g_string_append(j, "],\"vms\":[");
    for (v = 0; v < vms; v++)
        g_string_append_printf(j,
                               "%s{\"id\":\"vm-%d\",\"name\":\"vm-%d\",\"cluster\":{\"id\":\"cl\"},"
                               "\"os\":{\"type\":\"rhel_8x64\"},\"status\":\"up\",\"host\":"
                               "{\"id\":\"h0\"}}",
                               v ? "," : "", v, v);
    g_string_append(j, "],\"nics\":[");
    for (v = 0; v < vms; v++) {
        for (k = 0; k < BENCH_VF_NICS; k++) {
            bench_vf_address(addr, sizeof(addr), 0x40, v * BENCH_VF_NICS + k);
            g_string_append_printf(
                j,
                "%s{\"id\":\"vm-%d-vf%d\",\"name\":\"vf%d\",\"vm\":{\"id\":\"vm-%d\"},"
                "\"vnic_profile\":{\"id\":\"p-vf%d\"},\"interface\":"
                "\"pci_passthrough\",\"mac\":{\"address\":\"52:54:%02x:%02x:%02x:%02x\"},"
                "\"vf\":{\"address\":\"%s\"}}",
                v || k ? "," : "", v, k, k, v, k, k, (v >> 8) & 0xff, v & 0xff, 0x10, addr);
        }
        g_string_append_printf(j,
                               ",{\"id\":\"vm-%d-eth\",\"name\":\"eth\",\"vm\":{\"id\":\"vm-%d\"},"
                               "\"vnic_profile\":{\"id\":\"p-virtio\"},\"mac\":{\"address\":"
                               "\"52:54:%02x:%02x:%02x:%02x\"}}",
                               v, v, 0xee, (v >> 8) & 0xff, v & 0xff, 0x20);
    }
    g_string_append(j, "],\"hosts\":[{\"id\":\"h0\",\"name\":\"h0\",\"cluster\":{\"id\":\"cl\"},"
                       "\"networks\":[{\"id\":\"net-vf\"},{\"id\":\"net-br\"}],\"sriov_pfs\":"
                       "[{\"name\":\"pf0\",\"address\":\"0000:3f:00.0\",\"networks\":"
                       "[{\"id\":\"net-vf\"}],\"vfs\":[");
    for (v = 0; v < vms; v++) {
        for (k = 0; k < BENCH_VF_NICS; k++) {
            bench_vf_address(addr, sizeof(addr), 0x40, v * BENCH_VF_NICS + k);
            g_string_append_printf(j, "%s{\"address\":\"%s\",\"nic\":{\"id\":\"vm-%d-vf%d\"}}",
                                   v || k ? "," : "", addr, v, k);
        }
    }
    g_string_append(j, "]}]}");
    for (h = 1; h <= BENCH_DEST_HOSTS; h++) {
        g_string_append_printf(
            j,
            ",{\"id\":\"h%d\",\"name\":\"h%d\",\"cluster\":{\"id\":\"cl\"},"
            "\"networks\":[{\"id\":\"net-vf\"},{\"id\":\"net-br\"}],\"sriov_pfs\":"
            "[{\"name\":\"pf0\",\"address\":\"0000:3f:00.0\",\"networks\":"
            "[{\"id\":\"net-vf\"}],\"vfs\":[",
            h, h);
        for (v = 0; v < BENCH_DEST_VFS; v++) {
            bench_vf_address(addr, sizeof(addr), 0x40, v);
            g_string_append_printf(j, "%s{\"address\":\"%s\"}", v ? "," : "", addr);
        }
        g_string_append(j, "]}]}");
    }
    g_string_append(j, "]}");
    return g_string_free(j, FALSE);
}

/* ------------------------------------------------------------------------ */
/* evacuation planning                                                      */
/* ------------------------------------------------------------------------ */

static bench_stat
bench_evacuation(const sfo_inventory *inv, const bench_options *opts, size_t *ret_steps)
{
    g_autofree double *t = g_new(double, opts->repeat);
    int r;

    for (r = 0; r < opts->repeat; r++) {
        g_autoptr(sfo_planner) planner = sfo_planner_new(inv, 0);
        g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_plan_free);
        size_t steps = 0;
        double t0 = bench_now();
        int v;

        for (v = 0; v < opts->vms; v++) {
            char vm[32];
            char host[16];
            sfo_plan *plan = NULL;

            g_snprintf(vm, sizeof(vm), "vm-%d", v);
            g_snprintf(host, sizeof(host), "h%d", 1 + v % BENCH_DEST_HOSTS);
            if (sfo_planner_build(planner, SFO_PLAN_MIGRATE, vm, host, &plan) < 0)
                bench_die("plan %s: %s", vm, sfo_error_last()->message);
            g_ptr_array_add(plans, plan);
        }
        t[r] = bench_now() - t0;
        for (v = 0; v < opts->vms; v++) {
            const sfo_plan *plan = plans->pdata[v];

            /* a refused or short plan would look faster than it is */
            if (sfo_plan_is_refused(plan) || plan->steps->len != 5 * BENCH_VF_NICS + 1)
                bench_die("vm-%d: the plan is refused or has %u steps", v, plan->steps->len);
            steps += plan->steps->len + plan->undo->len;
        }
        *ret_steps = steps;
    }
    return bench_stats(t, opts->repeat);
}

/* ------------------------------------------------------------------------ */
/* plug/unplug cycles                                                       */
/* ------------------------------------------------------------------------ */

typedef struct {
    char *root;
    char *uri;
    sfo_exec *holder;
    virConnectPtr conn;
    virDomainPtr dom;
    GMutex lock;
    GCond cond;
    GHashTable *removed; /* aliases of DEVICE_REMOVED events */
} bench_virt;

/*
 * The embedded driver's directory (and its running guest) while it exists: a benchmark that
 * ends early (bench_die(), a signal) removes it too, from bench_at_exit().
 */
static bench_virt *bench_open_virt;

static void bench_rmtree(const char *path);

/* Ends the guest and removes the driver's directory; frees nothing, the process is ending */
static void
bench_at_exit(void)
{
    bench_virt *bv = g_steal_pointer(&bench_open_virt);

    if (!bv)
        return;
    if (bv->dom && virDomainIsActive(bv->dom) == 1)
        virDomainDestroy(bv->dom);
    bench_rmtree(bv->root);
}

/*
 * SIGINT, SIGTERM and SIGHUP are blocked in every thread and taken by this one: the first
 * asks the main thread to stop (bench_stop_if_asked(), between libvirt calls, so that no
 * call writes into the driver's directory while bench_at_exit() removes it); a second ends
 * the process at once.
 */
static gint bench_signal;

static gpointer
bench_signal_thread(gpointer data)
{
    sigset_t *set = data;
    int sig;

    while (sigwait(set, &sig) == 0) {
        if (g_atomic_int_get(&bench_signal))
            exit(128 + sig);
        g_atomic_int_set(&bench_signal, sig);
    }
    return NULL;
}

/* Ends the benchmark, cleaning up, when a signal asked for it */
static void
bench_stop_if_asked(void)
{
    int sig = g_atomic_int_get(&bench_signal);

    if (sig) {
        fprintf(stderr, "bench-sequencer: %s, cleaning up\n", g_strsignal(sig));
        exit(128 + sig);
    }
}

static void
bench_on_removed(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom G_GNUC_UNUSED,
                 const char *alias, void *opaque)
{
    bench_virt *bv = opaque;

    g_mutex_lock(&bv->lock);
    g_hash_table_add(bv->removed, g_strdup(alias));
    g_cond_broadcast(&bv->cond);
    g_mutex_unlock(&bv->lock);
}

static void
bench_virt_open(bench_virt *bv)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *etc = NULL;
    g_autofree char *conf = NULL;
    static const char qemu_conf[] = "stdio_handler = \"file\"\ncgroup_controllers = [ ]\n"
                                    "user = \"root\"\ngroup = \"root\"\nremember_owner = 0\n"
                                    "namespaces = [ ]\n";

    memset(bv, 0, sizeof(*bv));
    if (!(bv->root = g_dir_make_tmp("sfo-bench-XXXXXX", &err)))
        bench_die("%s", err->message);
    bench_open_virt = bv;
    etc = g_build_filename(bv->root, "etc", NULL);
    conf = g_build_filename(etc, "qemu.conf", NULL);
    if (g_mkdir_with_parents(etc, 0700) < 0 || !g_file_set_contents(conf, qemu_conf, -1, &err))
        bench_die("cannot write %s", conf);
    bv->uri = g_strdup_printf("qemu:///embed?root=%s", bv->root);
    if (sfo_exec_open(bv->uri, NULL, 0, &bv->holder) < 0)
        bench_die("%s", sfo_error_last()->message);
    bv->conn = sfo_exec_connection(bv->holder, SFO_PLAN_ROLE_SOURCE);
    g_mutex_init(&bv->lock);
    g_cond_init(&bv->cond);
    bv->removed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    virConnectDomainEventRegisterAny(bv->conn, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                     VIR_DOMAIN_EVENT_CALLBACK(bench_on_removed), bv, NULL);
}

static void
bench_rmtree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            bench_rmtree(child);
        else
            g_unlink(child);
    }
    if (dir)
        g_dir_close(dir);
    g_rmdir(path);
}

static void
bench_virt_close(bench_virt *bv)
{
    bench_open_virt = NULL;
    if (bv->dom) {
        if (virDomainIsActive(bv->dom) == 1)
            virDomainDestroy(bv->dom);
        virDomainUndefine(bv->dom);
        virDomainFree(bv->dom);
    }
    sfo_exec_free(bv->holder);
    bench_rmtree(bv->root);
    g_hash_table_unref(bv->removed);
    g_free(bv->root);
    g_free(bv->uri);
}

/* Defines domain vm-0; boots it from @guest (vmlinuz, initrd.img) when set */
static void
bench_domain(bench_virt *bv, const char *guest)
{
    GString *xml = g_string_new("<domain type='qemu'><name>vm-0</name>"
                                "<memory unit='MiB'>384</memory><os>"
                                "<type arch='x86_64' machine='q35'>hvm</type>");
    g_autofree char *console = g_build_filename(bv->root, "console.log", NULL);
    int i;

    if (guest)
        g_string_append_printf(xml,
                               "<kernel>%s/vmlinuz</kernel><initrd>%s/initrd.img</initrd>"
                               "<cmdline>console=ttyS0 quiet</cmdline>",
                               guest, guest);
    g_string_append(xml, "</os><features><acpi/></features><devices>"
                         "<controller type='usb' model='none'/><memballoon model='none'/>"
                         "<controller type='pci' index='0' model='pcie-root'/>");
    for (i = 0; i < 6; i++)
        g_string_append(xml, "<controller type='pci' model='pcie-root-port'/>");
    if (guest)
        g_string_append_printf(xml, "<serial type='file'><source path='%s'/></serial>", console);
    g_string_append(xml, "</devices></domain>");
    if (!(bv->dom = virDomainDefineXML(bv->conn, xml->str)))
        bench_die("define: %s", virGetLastErrorMessage());
    g_string_free(xml, TRUE);
    if (!guest)
        return;
    if (virDomainCreate(bv->dom) < 0)
        bench_die("start: %s", virGetLastErrorMessage());
    for (i = 0; i < 1800; i++) {
        g_autofree char *text = NULL;

        if (g_file_get_contents(console, &text, NULL, NULL) && strstr(text, "SFO-NET none"))
            return;
        bench_stop_if_asked();
        g_usleep(100 * 1000);
    }
    bench_die("the guest did not boot");
}

/* libvirt alone: the four calls of a plug and an unplug, waiting for the guest when live */
static void
bench_libvirt_cycle(bench_virt *bv, const char *standby, const char *vf, unsigned int flags,
                    gboolean live)
{
    static const char *const aliases[] = { "ua-vm-0-vf0", "ua-p-fo0" };
    gint64 deadline;
    int i;

    if (virDomainAttachDeviceFlags(bv->dom, standby, flags) < 0 ||
        virDomainAttachDeviceFlags(bv->dom, vf, flags) < 0)
        bench_die("attach: %s", virGetLastErrorMessage());
    for (i = 0; i < 2; i++) {
        g_mutex_lock(&bv->lock);
        g_hash_table_remove(bv->removed, aliases[i]);
        g_mutex_unlock(&bv->lock);
        if (virDomainDetachDeviceAlias(bv->dom, aliases[i], flags) < 0)
            bench_die("detach: %s", virGetLastErrorMessage());
        if (!live)
            continue;
        g_mutex_lock(&bv->lock);
        deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
        while (!g_hash_table_contains(bv->removed, aliases[i])) {
            /* in slices of a second, to see a signal */
            if (!g_cond_wait_until(&bv->cond, &bv->lock,
                                   MIN(deadline, g_get_monotonic_time() + G_USEC_PER_SEC))) {
                g_mutex_unlock(&bv->lock);
                bench_stop_if_asked();
                if (g_get_monotonic_time() >= deadline)
                    bench_die("the guest did not release %s within 60 s", aliases[i]);
                g_mutex_lock(&bv->lock);
            }
        }
        g_mutex_unlock(&bv->lock);
    }
}

typedef struct {
    gint64 cycle_us;   /* sum of the whole cycles: exec open, plans, steps */
    gint64 libvirt_us; /* of which inside the libvirt calls the baseline makes too */
    gint64 waited_us;  /* of which waiting for the guest */
} bench_account;

static void
bench_account_result(bench_account *acc, const sfo_exec_result *result)
{
    guint i;

    for (i = 0; i < result->steps->len; i++) {
        const sfo_exec_step_result *r = result->steps->pdata[i];

        acc->libvirt_us += r->libvirt_us;
        acc->waited_us += r->waited_us;
    }
}

/* sriovfo: plan + run of the plug and the unplug plan */
static void
bench_sriovfo_cycle(bench_virt *bv, const sfo_inventory *inv, const char *journal,
                    unsigned int timeout_ms, bench_account *acc)
{
    g_autoptr(sfo_exec) exec = NULL;
    gint64 t0 = g_get_monotonic_time();
    int a;

    if (sfo_exec_open(bv->uri, NULL, 0, &exec) < 0 ||
        sfo_exec_set_unplug_timeout(exec, timeout_ms) < 0 ||
        (journal && sfo_exec_set_journal(exec, journal) < 0))
        bench_die("%s", sfo_error_last()->message);
    for (a = SFO_PLAN_PLUG; a <= SFO_PLAN_UNPLUG; a++) {
        g_autoptr(sfo_plan) plan = NULL;
        g_autoptr(sfo_exec_result) result = NULL;

        if (sfo_plan_build(inv, a, "vm-0-vf0", NULL, SFO_PLAN_EMULATED, &plan) < 0 ||
            sfo_exec_run(exec, plan, 0, &result) < 0)
            bench_die("%s", sfo_error_last()->message);
        if (result->status != SFO_EXEC_COMPLETED)
            bench_die("%s: %s", sfo_plan_action_to_string(a), result->error_message);
        if (acc)
            bench_account_result(acc, result);
        if (g_getenv("BENCH_SEQUENCER_STEPS")) { /* each step's time, for a closer look */
            g_autofree char *text = NULL;

            guint i;

            sfo_exec_result_format_text(result, 0, &text);
            fputs(text, stderr);
            for (i = 0; i < result->steps->len; i++) {
                const sfo_exec_step_result *r = result->steps->pdata[i];

                fprintf(stderr, "  step %u: %.3f ms = libvirt %.3f + probes %.3f + waited %.3f\n",
                        i, r->duration_us / 1000.0, r->libvirt_us / 1000.0, r->probe_us / 1000.0,
                        r->waited_us / 1000.0);
            }
        }
    }
    g_clear_pointer(&exec, sfo_exec_free);
    if (acc)
        acc->cycle_us += g_get_monotonic_time() - t0;
}

typedef struct {
    bench_stat libvirt;
    bench_stat ours;
    bench_stat ours_journal;
    bench_stat cpu_libvirt; /* process CPU time per cycle */
    bench_stat cpu_ours;
    bench_stat thread_libvirt; /* calling thread's CPU time per cycle */
    bench_stat thread_ours;
    double own_ms; /* a cycle minus the baseline's libvirt calls and the guest, per cycle */
} bench_cycles;

/*
 * @cycles plug+unplug cycles per repetition for each of the three ways,
 * interleaved (libvirt, sriovfo, sriovfo+journal, libvirt, ...) so that a
 * slow moment of the machine hits all three alike; every cycle is timed on
 * its own and min and median are over all cycles, in ms. sriovfo's side
 * opens its exec (and journal) per cycle, as `sriovfo apply` would per
 * action, and that is timed too.
 */
static bench_cycles
bench_cycles_run(bench_virt *bv, const sfo_inventory *inv, const bench_options *opts, int cycles,
                 gboolean live)
{
    const sfo_nic *nic = sfo_inventory_find_nic(inv, "vm-0-vf0");
    unsigned int flags = VIR_DOMAIN_AFFECT_CONFIG | (live ? VIR_DOMAIN_AFFECT_LIVE : 0);
    int n = cycles * opts->repeat;
    g_autofree char *standby = NULL;
    g_autofree char *vf = NULL;
    g_autofree char *journal = g_build_filename(bv->root, "journal.jsonl", NULL);
    g_autofree double *tl = g_new(double, n);
    g_autofree double *to = g_new(double, n);
    g_autofree double *tj = g_new(double, n);
    g_autofree double *cl = g_new(double, n);
    g_autofree double *co = g_new(double, n);
    g_autofree double *hl = g_new(double, n);
    g_autofree double *ho = g_new(double, n);
    bench_account acc = { 0 };
    bench_cycles res;
    int i;

    sfo_domxml_format_nic_part(inv, nic, SFO_DOMXML_PART_STANDBY, NULL, SFO_DOMXML_EMULATED,
                               &standby);
    sfo_domxml_format_nic_part(inv, nic, SFO_DOMXML_PART_NIC, NULL, SFO_DOMXML_EMULATED, &vf);
    for (i = 0; i < n; i++) {
        double t0, c0, h0;

        bench_stop_if_asked();
        t0 = bench_now();
        c0 = bench_cpu();
        h0 = bench_thread_cpu();
        bench_libvirt_cycle(bv, standby, vf, flags, live);
        tl[i] = (bench_now() - t0) * 1000;
        cl[i] = (bench_cpu() - c0) * 1000;
        hl[i] = (bench_thread_cpu() - h0) * 1000;
        t0 = bench_now();
        c0 = bench_cpu();
        h0 = bench_thread_cpu();
        bench_sriovfo_cycle(bv, inv, NULL, 60000, &acc);
        to[i] = (bench_now() - t0) * 1000;
        co[i] = (bench_cpu() - c0) * 1000;
        ho[i] = (bench_thread_cpu() - h0) * 1000;
        t0 = bench_now();
        bench_sriovfo_cycle(bv, inv, journal, 60000, NULL);
        tj[i] = (bench_now() - t0) * 1000;
    }
    g_unlink(journal);
    res.libvirt = bench_stats(tl, n);
    res.ours = bench_stats(to, n);
    res.ours_journal = bench_stats(tj, n);
    res.cpu_libvirt = bench_stats(cl, n);
    res.cpu_ours = bench_stats(co, n);
    res.thread_libvirt = bench_stats(hl, n);
    res.thread_ours = bench_stats(ho, n);
    res.own_ms = (acc.cycle_us - acc.libvirt_us - acc.waited_us) / 1000.0 / n;
    return res;
}

static void
bench_print_cycles(const char *name, const bench_cycles *c, int cycles)
{
    printf("%-8s %d cycles of plug+unplug of one failover NIC each way; ms per cycle\n", name,
           cycles);
    printf("  libvirt          min %8.3f  median %8.3f  (the 4 libvirt calls alone)\n",
           c->libvirt.min, c->libvirt.median);
    printf("  sriovfo          min %8.3f  median %8.3f  (plan + exec, no journal)\n", c->ours.min,
           c->ours.median);
    printf("  sriovfo+journal  min %8.3f  median %8.3f  (with the JSON journal file)\n",
           c->ours_journal.min, c->ours_journal.median);
    printf("  CPU libvirt      min %8.3f  median %8.3f  (process CPU time, the libvirt calls)\n",
           c->cpu_libvirt.min, c->cpu_libvirt.median);
    printf("  CPU sriovfo      min %8.3f  median %8.3f  (process CPU time, plan + exec)\n",
           c->cpu_ours.min, c->cpu_ours.median);
    printf("  thread libvirt   min %8.3f  median %8.3f  (the calling thread's CPU time)\n",
           c->thread_libvirt.min, c->thread_libvirt.median);
    printf("  thread sriovfo   min %8.3f  median %8.3f  (the calling thread's CPU time)\n",
           c->thread_ours.min, c->thread_ours.median);
    printf("  overhead         %.3f ms of CPU per cycle (process, medians; target <= 1 ms)\n",
           c->cpu_ours.median - c->cpu_libvirt.median);
    printf("                   %.3f ms of the calling thread's CPU per cycle (medians)\n",
           c->thread_ours.median - c->thread_libvirt.median);
    printf("                   %.3f ms of wall time per cycle (medians), %.3f with the journal\n",
           c->ours.median - c->libvirt.median, c->ours_journal.median - c->libvirt.median);
    printf("                   %.3f ms per cycle by exec's accounting (wall time outside the "
           "baseline's libvirt calls and the guest)\n",
           c->own_ms);
}

int
main(int argc, char **argv)
{
    bench_options opts = { .vms = 500, .repeat = 5, .cycles = 40, .live_cycles = 4 };
    GOptionEntry entries[] = {
        { "vms", 0, 0, G_OPTION_ARG_INT, &opts.vms, "VMs to evacuate (500)", "N" },
        { "repeat", 0, 0, G_OPTION_ARG_INT, &opts.repeat, "repetitions (5)", "R" },
        { "cycles", 0, 0, G_OPTION_ARG_INT, &opts.cycles, "cycles per repetition (40)", "C" },
        { "live-cycles", 0, 0, G_OPTION_ARG_INT, &opts.live_cycles, "with --guest (4)", "C" },
        { "guest", 0, 0, G_OPTION_ARG_FILENAME, &opts.guest,
          "also cycle live on this guest (tests/guest of a build tree)", "DIR" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- sequencer benchmark");
    g_autoptr(GError) err = NULL;
    g_autoptr(sfo_inventory) inv = NULL;
    g_autofree char *json = NULL;
    bench_virt bv;
    bench_stat evac;
    bench_cycles config;
    bench_cycles live = { { 0 } };
    size_t steps = 0;
    unsigned long version = 0;
    static sigset_t signals;

    /* before libvirt starts its threads, so that they inherit the mask */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    g_thread_unref(g_thread_new("signals", bench_signal_thread, &signals));
    atexit(bench_at_exit);

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        bench_die("%s", err->message);
    if (opts.guest) {
        /* the domain XML names the guest's files: absolute, whatever the working directory */
        g_autofree char *guest = g_canonicalize_filename(opts.guest, NULL);
        g_autofree char *kernel = g_build_filename(guest, "vmlinuz", NULL);
        g_autofree char *initrd = g_build_filename(guest, "initrd.img", NULL);

        if (!g_file_test(kernel, G_FILE_TEST_IS_REGULAR) ||
            !g_file_test(initrd, G_FILE_TEST_IS_REGULAR))
            bench_die("--guest %s: no vmlinuz and initrd.img there (make -C BUILD guest builds "
                      "them in BUILD/tests/guest)",
                      opts.guest);
        g_free(opts.guest);
        opts.guest = g_steal_pointer(&guest);
    }
    if (opts.vms < 1 || opts.repeat < 1 || opts.cycles < 1 || opts.live_cycles < 1 ||
        opts.vms * BENCH_VF_NICS > BENCH_DEST_HOSTS * BENCH_DEST_VFS)
        bench_die("bad options (at most %d VMs)",
                  BENCH_DEST_HOSTS * BENCH_DEST_VFS / BENCH_VF_NICS);

    json = bench_inventory(opts.vms);
    if (sfo_inventory_load_string(json, 0, &inv) < 0)
        bench_die("inventory: %s", sfo_error_last()->message);
    evac = bench_evacuation(inv, &opts, &steps);
    printf("evacuation  %d VMs x %d failover VF NICs from one host to %d hosts: %zu steps and "
           "undo steps\n",
           opts.vms, BENCH_VF_NICS, BENCH_DEST_HOSTS, steps);
    printf("  planning       min %8.3f  median %8.3f ms  (target <= 100 ms for 500 VMs)\n",
           evac.min * 1000, evac.median * 1000);
    fflush(stdout);

    bench_virt_open(&bv);
    bench_domain(&bv, NULL);
    config = bench_cycles_run(&bv, inv, &opts, opts.cycles, FALSE);
    bench_print_cycles("config", &config, opts.cycles * opts.repeat);
    fflush(stdout);
    if (opts.guest) {
        virDomainUndefine(bv.dom);
        virDomainFree(bv.dom);
        bench_domain(&bv, opts.guest);
        live = bench_cycles_run(&bv, inv, &opts, opts.live_cycles, TRUE);
        bench_print_cycles("live", &live, opts.live_cycles * opts.repeat);
    }
    virGetVersion(&version, NULL, NULL);
    printf("repeat %d; libvirt %lu.%lu.%lu embedded qemu driver, QEMU under TCG, the VF an "
           "emulated e1000e\n",
           opts.repeat, version / 1000000, version / 1000 % 1000, version % 1000);
    bench_virt_close(&bv);
    g_free(opts.guest);
    return 0;
}
