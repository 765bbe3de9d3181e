/*
 * bench-check-domxml.c: throughput of check + domxml against libvirt's parser
 *
 * Generates in memory an inventory of N VMs with 8 failover NICs each (a
 * passthrough, migratable VF profile naming a virtio failover profile; 8
 * such pairs shared by every VM, so no VM has two VFs with one failover
 * profile), loads it, and times
 *
 *   ours:    sfo_rules_check() over the whole inventory, then
 *            sfo_domxml_format_vm(..., SFO_DOMXML_DOMAIN) for every VM;
 *   libvirt: virDomainDefineXML() + virDomainUndefine() of the same domain
 *            XMLs on test:///default (libvirt's XML parser and its generic,
 *            driver independent validation; no QEMU capabilities).
 *
 * Each is repeated R times; min and median are printed, and the ratio of the
 * medians in VMs per second. The generation is fixed (no randomness), so two
 * runs measure the same input. docs/benchmarks.md explains how to read it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <sriovfo/sriovfo.h>

/* Failover NICs per VM; also the number of VF/failover profile pairs */
#define BENCH_NICS_PER_VM 8
/* VMs (so VFs per PF) per host */
#define BENCH_VMS_PER_HOST 16
/* VLAN of network pair k is BENCH_VLAN_BASE + k */
#define BENCH_VLAN_BASE 100

typedef struct {
    int vms;
    int repeat;
    gboolean json;
    gboolean libvirt_validate;
    char *write_inventory; /* write the inventory there and stop (bench-inventory) */
} bench_options;

typedef struct {
    double min;
    double median;
} bench_stat;

typedef struct {
    bench_stat load;
    bench_stat check;  /* the sfo_rules_check() part of ours */
    bench_stat domxml; /* the rest: sfo_domxml_format_vm() of every VM */
    bench_stat ours;   /* check + domxml */
    bench_stat libvirt;
    size_t json_bytes;
    size_t xml_bytes;
    long rss_ours_kib;
    long rss_end_kib;
    char libvirt_version[32];
} bench_results;

static void bench_die(const char *fmt, ...) G_GNUC_NORETURN G_GNUC_PRINTF(1, 2);

static void
bench_die(const char *fmt, ...)
{
    va_list ap;

    fputs("bench-check-domxml: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

/* Aborts with the library's last error after @what failed with @rc */
static void bench_die_sfo(const char *what, int rc) G_GNUC_NORETURN;

static void
bench_die_sfo(const char *what, int rc)
{
    const sfo_error *err = sfo_error_last();

    bench_die("%s failed (%d): %s: %s", what, rc, err && err->key ? err->key : "?",
              err && err->message ? err->message : "no message");
}

static double
bench_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        bench_die("clock_gettime(CLOCK_MONOTONIC) failed");
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

/* min and median of @n samples (sorts @samples) */
static bench_stat
bench_stat_of(double *samples, int n)
{
    bench_stat st;

    qsort(samples, (size_t)n, sizeof(*samples), bench_cmp_double);
    st.min = samples[0];
    st.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2.0;
    return st;
}

/* Peak resident set size of the process so far, in KiB */
static long
bench_peak_rss_kib(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return -1;
    return ru.ru_maxrss;
}

/* ------------------------------------------------------------------------ */
/* The inventory                                                            */
/* ------------------------------------------------------------------------ */

/* ,"networks":[{"id":"sriov-0"},{"id":"virtio-0"},...] for all network pairs */
static void
bench_append_all_networks(GString *s)
{
    int k;

    g_string_append(s, "\"networks\":[");
    for (k = 0; k < BENCH_NICS_PER_VM; k++)
        g_string_append_printf(s, "%s{\"id\":\"sriov-%d\"},{\"id\":\"virtio-%d\"}", k ? "," : "", k,
                               k);
    g_string_append_c(s, ']');
}

/*
 * VF address of NIC @k of VM @v: PCI domain = host, bus = after PF k's bus,
 * slot.function = the VM's place on its host; unique in the whole inventory.
 */
static void
bench_append_vf_address(GString *s, int v, int k)
{
    int h = v / BENCH_VMS_PER_HOST;
    int j = v % BENCH_VMS_PER_HOST;

    g_string_append_printf(s, "%04x:%02x:%02x.%x", h, 0x11 + 2 * k, j / 8, j % 8);
}

static char *
bench_inventory_json(int vms)
{
    GString *s = g_string_sized_new((gsize)vms * 4096);
    int hosts = (vms + BENCH_VMS_PER_HOST - 1) / BENCH_VMS_PER_HOST;
    int v, k, h, j;

    g_string_append(s, "{\"data_centers\":[{\"id\":\"dc1\",\"name\":\"Default\"}],\n");
    g_string_append(s, "\"clusters\":[{\"id\":\"c1\",\"name\":\"Default\","
                       "\"data_center\":{\"id\":\"dc1\"},\"version\":{\"major\":4,\"minor\":7},"
                       "\"bios_type\":\"q35_sea_bios\",");
    bench_append_all_networks(s);
    g_string_append(s, "}],\n\"networks\":[");
    for (k = 0; k < BENCH_NICS_PER_VM; k++) {
        g_string_append_printf(s,
                               "%s{\"id\":\"sriov-%d\",\"name\":\"sriov%d\","
                               "\"data_center\":{\"id\":\"dc1\"},\"vlan\":{\"id\":%d}},\n",
                               k ? "," : "", k, k, BENCH_VLAN_BASE + k);
        g_string_append_printf(s,
                               "{\"id\":\"virtio-%d\",\"name\":\"virtio%d\","
                               "\"data_center\":{\"id\":\"dc1\"},\"vlan\":{\"id\":%d}}",
                               k, k, BENCH_VLAN_BASE + k);
    }
    g_string_append(s, "],\n\"vnic_profiles\":[");
    for (k = 0; k < BENCH_NICS_PER_VM; k++) {
        g_string_append_printf(s,
                               "%s{\"id\":\"vf-%d\",\"name\":\"vf%d\","
                               "\"network\":{\"id\":\"sriov-%d\"},"
                               "\"pass_through\":{\"mode\":\"enabled\"},\"migratable\":true,"
                               "\"failover\":{\"id\":\"fo-%d\"},\"port_mirroring\":false},\n",
                               k ? "," : "", k, k, k, k);
        g_string_append_printf(s,
                               "{\"id\":\"fo-%d\",\"name\":\"fo%d\","
                               "\"network\":{\"id\":\"virtio-%d\"},"
                               "\"pass_through\":{\"mode\":\"disabled\"},\"migratable\":false,"
                               "\"port_mirroring\":false}",
                               k, k, k);
    }
    g_string_append(s, "],\n\"vms\":[");
    for (v = 0; v < vms; v++)
        g_string_append_printf(s,
                               "%s{\"id\":\"vm-%06d\",\"name\":\"bench-vm-%06d\","
                               "\"cluster\":{\"id\":\"c1\"},\"os\":{\"type\":\"rhel_8x64\"},"
                               "\"status\":\"up\",\"host\":{\"id\":\"host-%04d\"}}\n",
                               v ? "," : "", v, v, v / BENCH_VMS_PER_HOST);
    g_string_append(s, "],\n\"nics\":[");
    for (v = 0; v < vms; v++) {
        for (k = 0; k < BENCH_NICS_PER_VM; k++) {
            unsigned int n = (unsigned int)(v * BENCH_NICS_PER_VM + k);

            g_string_append_printf(s,
                                   "%s{\"id\":\"vm-%06d-nic%d\",\"name\":\"nic%d\","
                                   "\"vm\":{\"id\":\"vm-%06d\"},"
                                   "\"vnic_profile\":{\"id\":\"vf-%d\"},"
                                   "\"interface\":\"pci_passthrough\","
                                   "\"mac\":{\"address\":\"56:6f:%02x:%02x:%02x:%02x\"},"
                                   "\"plugged\":true,\"vf\":{\"address\":\"",
                                   v || k ? "," : "", v, k, k, v, k, (n >> 24) & 0xff,
                                   (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
            bench_append_vf_address(s, v, k);
            g_string_append(s, "\"}}\n");
        }
    }
    g_string_append(s, "],\n\"hosts\":[");
    for (h = 0; h < hosts; h++) {
        g_string_append_printf(s,
                               "%s{\"id\":\"host-%04d\",\"name\":\"host%04d\","
                               "\"cluster\":{\"id\":\"c1\"},",
                               h ? "," : "", h, h);
        bench_append_all_networks(s);
        g_string_append(s, ",\"sriov_pfs\":[");
        for (k = 0; k < BENCH_NICS_PER_VM; k++) {
            g_string_append_printf(s,
                                   "%s{\"name\":\"ens%df0\",\"address\":\"%04x:%02x:00.0\","
                                   "\"networks\":[{\"id\":\"sriov-%d\"}],\"vfs\":[",
                                   k ? "," : "", k + 1, h, 0x10 + 2 * k, k);
            for (j = 0; j < BENCH_VMS_PER_HOST; j++) {
                v = h * BENCH_VMS_PER_HOST + j;
                g_string_append_printf(s, "%s{\"address\":\"", j ? "," : "");
                bench_append_vf_address(s, v, k);
                if (v < vms)
                    g_string_append_printf(s, "\",\"nic\":{\"id\":\"vm-%06d-nic%d\"}}", v, k);
                else
                    g_string_append(s, "\"}");
            }
            g_string_append(s, "]}");
        }
        g_string_append(s, "]}\n");
    }
    g_string_append(s, "]}\n");
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------------ */
/* The measurements                                                         */
/* ------------------------------------------------------------------------ */

static char *
bench_vm_id(int v)
{
    return g_strdup_printf("vm-%06d", v);
}

/*
 * One pass of ours: check the whole inventory, then the domain XML of every
 * VM; the time the check took goes to @ret_check_s.
 */
static void
bench_run_ours(const sfo_inventory *inv, char *const *vm_ids, int vms, char **ret_xmls,
               double *ret_check_s)
{
    sfo_violations *violations = NULL;
    double t0 = bench_now();
    size_t count;
    int rc;
    int v;

    if ((rc = sfo_rules_check(inv, 0, &violations)) < 0)
        bench_die_sfo("sfo_rules_check", rc);
    count = sfo_violations_count(violations);
    if (count > 0)
        bench_die("the generated inventory has %zu violations, the first %s on %s '%s': %s "
                  "(a bug in the generator)",
                  count, sfo_violations_key(violations, 0),
                  sfo_violations_subject_type(violations, 0),
                  sfo_violations_subject_id(violations, 0), sfo_violations_message(violations, 0));
    sfo_violations_free(violations);
    *ret_check_s = bench_now() - t0;

    for (v = 0; v < vms; v++) {
        char *xml = NULL;

        if ((rc = sfo_domxml_format_vm(inv, vm_ids[v], SFO_DOMXML_DOMAIN, &xml)) < 0)
            bench_die_sfo("sfo_domxml_format_vm", rc);
        if (ret_xmls)
            ret_xmls[v] = xml;
        else
            sfo_free(xml);
    }
}

/* One pass of libvirt: define and undefine every domain XML */
static void
bench_run_libvirt(virConnectPtr conn, char *const *xmls, int vms, unsigned int define_flags)
{
    int v;

    for (v = 0; v < vms; v++) {
        virDomainPtr dom = virDomainDefineXMLFlags(conn, xmls[v], define_flags);

        if (!dom)
            bench_die("libvirt rejected the domain XML of VM %d: %s", v, virGetLastErrorMessage());
        if (virDomainUndefine(dom) < 0)
            bench_die("virDomainUndefine of VM %d failed: %s", v, virGetLastErrorMessage());
        virDomainFree(dom);
    }
}

/* Occurrences of @needle in @haystack */
static int
bench_count(const char *haystack, const char *needle)
{
    int n = 0;

    for (haystack = strstr(haystack, needle); haystack; haystack = strstr(haystack + 1, needle))
        n++;
    return n;
}

/*
 * Each domain XML must carry every pair (a VF and its standby, both with
 * <teaming>): a formatter that dropped some would look faster than it is.
 */
static void
bench_check_xmls(char *const *xmls, int vms)
{
    int v;

    for (v = 0; v < vms; v++) {
        int pairs = bench_count(xmls[v], "<teaming");

        if (pairs != 2 * BENCH_NICS_PER_VM)
            bench_die("the domain XML of VM %d has %d <teaming> elements, not %d", v, pairs,
                      2 * BENCH_NICS_PER_VM);
    }
}

static void
bench_libvirt_quiet(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

static void
bench_print_text(const bench_options *opts, const bench_results *r)
{
    double ours_per_s = (double)opts->vms / r->ours.median;
    double lv_per_s = (double)opts->vms / r->libvirt.median;

    printf("inventory     %d VMs x %d failover NICs: %zu bytes of JSON, %zu bytes of domain XML\n",
           opts->vms, BENCH_NICS_PER_VM, r->json_bytes, r->xml_bytes);
    printf("repeat        %d; times in seconds\n", opts->repeat);
    printf("load          min %8.4f  median %8.4f s\n", r->load.min, r->load.median);
    printf("  check       min %8.4f  median %8.4f s\n", r->check.min, r->check.median);
    printf("  domxml      min %8.4f  median %8.4f s = %9.0f VMs/s\n", r->domxml.min,
           r->domxml.median, (double)opts->vms / r->domxml.median);
    printf("check+domxml  min %8.4f  median %8.4f s = %9.0f VMs/s\n", r->ours.min, r->ours.median,
           ours_per_s);
    printf("libvirt       min %8.4f  median %8.4f s = %9.0f VMs/s"
           "  (libvirt %s test:///default, define%s+undefine)\n",
           r->libvirt.min, r->libvirt.median, lv_per_s, r->libvirt_version,
           opts->libvirt_validate ? "(VALIDATE)" : "");
    printf("ratio         %.2fx libvirt (check+domxml VMs/s over libvirt's VMs/s, medians)\n",
           ours_per_s / lv_per_s);
    printf("peak RSS      %ld KiB after load+check+domxml, %ld KiB at the end\n", r->rss_ours_kib,
           r->rss_end_kib);
}

static void
bench_print_json(const bench_options *opts, const bench_results *r)
{
    double ours_per_s = (double)opts->vms / r->ours.median;
    double lv_per_s = (double)opts->vms / r->libvirt.median;

    printf("{\"benchmark\":\"check-domxml\",\"vms\":%d,\"nics_per_vm\":%d,\"repeat\":%d,"
           "\"inventory_json_bytes\":%zu,\"domain_xml_bytes\":%zu,\n",
           opts->vms, BENCH_NICS_PER_VM, opts->repeat, r->json_bytes, r->xml_bytes);
    printf(" \"load\":{\"min_s\":%.6f,\"median_s\":%.6f},\n", r->load.min, r->load.median);
    printf(" \"check\":{\"min_s\":%.6f,\"median_s\":%.6f},\n", r->check.min, r->check.median);
    printf(" \"domxml\":{\"min_s\":%.6f,\"median_s\":%.6f,\"vms_per_s\":%.1f},\n", r->domxml.min,
           r->domxml.median, (double)opts->vms / r->domxml.median);
    printf(" \"check_domxml\":{\"min_s\":%.6f,\"median_s\":%.6f,\"vms_per_s\":%.1f},\n",
           r->ours.min, r->ours.median, ours_per_s);
    printf(" \"libvirt\":{\"version\":\"%s\",\"uri\":\"test:///default\",\"validate\":%s,"
           "\"min_s\":%.6f,\"median_s\":%.6f,\"vms_per_s\":%.1f},\n",
           r->libvirt_version, opts->libvirt_validate ? "true" : "false", r->libvirt.min,
           r->libvirt.median, lv_per_s);
    printf(" \"ratio\":%.3f,\"peak_rss_kib\":{\"after_ours\":%ld,\"end\":%ld}}\n",
           ours_per_s / lv_per_s, r->rss_ours_kib, r->rss_end_kib);
}

static void
bench_parse_options(int argc, char **argv, bench_options *opts)
{
    GOptionEntry entries[] = {
        { "vms", 0, 0, G_OPTION_ARG_INT, &opts->vms, "number of VMs (default 1000)", "N" },
        { "repeat", 0, 0, G_OPTION_ARG_INT, &opts->repeat, "repetitions (default 5)", "R" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, "print JSON", NULL },
        { "libvirt-validate", 0, 0, G_OPTION_ARG_NONE, &opts->libvirt_validate,
          "define with VIR_DOMAIN_DEFINE_VALIDATE (adds libvirt's RNG schema check)", NULL },
        { "write-inventory", 0, 0, G_OPTION_ARG_FILENAME, &opts->write_inventory,
          "only write the inventory of --vms VMs to FILE (bench-inventory's input)", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx =
        g_option_context_new("- check+domxml throughput against libvirt's domain XML parser");
    GError *err = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        bench_die("%s", err->message);
    g_option_context_free(ctx);
    if (argc > 1)
        bench_die("unexpected argument '%s'", argv[1]);
    /* the PCI domain of a VF (its host, 4 hex digits) bounds the size */
    if (opts->vms < 1 || opts->vms > 1000000)
        bench_die("--vms must be between 1 and 1000000, not %d", opts->vms);
    if (opts->repeat < 1 || opts->repeat > 1000)
        bench_die("--repeat must be between 1 and 1000, not %d", opts->repeat);
}

int
main(int argc, char **argv)
{
    bench_options opts = { .vms = 1000, .repeat = 5 };
    sfo_inventory *inv = NULL;
    virConnectPtr conn;
    unsigned long lv_version = 0;
    g_autofree char *json = NULL;
    g_autofree double *t_load = NULL;
    g_autofree double *t_ours = NULL;
    g_autofree double *t_check = NULL;
    g_autofree double *t_domxml = NULL;
    g_autofree double *t_lv = NULL;
    double t_untimed;
    char **vm_ids;
    char **xmls;
    bench_results res = { 0 };
    int rc;
    int i;
    int v;

    bench_parse_options(argc, argv, &opts);
    t_load = g_new0(double, opts.repeat);
    t_ours = g_new0(double, opts.repeat);
    t_check = g_new0(double, opts.repeat);
    t_domxml = g_new0(double, opts.repeat);
    t_lv = g_new0(double, opts.repeat);

    json = bench_inventory_json(opts.vms);
    if (opts.write_inventory) {
        g_autoptr(GError) err = NULL;

        if (!g_file_set_contents(opts.write_inventory, json, -1, &err))
            bench_die("%s", err->message);
        g_free(opts.write_inventory);
        return EXIT_SUCCESS;
    }
    for (i = 0; i < opts.repeat; i++) {
        double t0 = bench_now();

        sfo_inventory_free(inv);
        inv = NULL;
        if ((rc = sfo_inventory_load_string(json, 0, &inv)) < 0)
            bench_die_sfo("sfo_inventory_load_string", rc);
        t_load[i] = bench_now() - t0;
    }

    vm_ids = g_new0(char *, opts.vms + 1);
    for (v = 0; v < opts.vms; v++)
        vm_ids[v] = bench_vm_id(v);

    for (i = 0; i < opts.repeat; i++) {
        double t0 = bench_now();

        bench_run_ours(inv, vm_ids, opts.vms, NULL, &t_check[i]);
        t_ours[i] = bench_now() - t0;
        t_domxml[i] = t_ours[i] - t_check[i];
    }
    res.rss_ours_kib = bench_peak_rss_kib();

    /* the same XMLs, kept for libvirt (not timed) */
    xmls = g_new0(char *, opts.vms + 1);
    bench_run_ours(inv, vm_ids, opts.vms, xmls, &t_untimed);
    bench_check_xmls(xmls, opts.vms);
    for (v = 0; v < opts.vms; v++)
        res.xml_bytes += strlen(xmls[v]);

    virSetErrorFunc(NULL, bench_libvirt_quiet);
    if (!(conn = virConnectOpen("test:///default")))
        bench_die("cannot open test:///default: %s", virGetLastErrorMessage());
    if (virConnectGetLibVersion(conn, &lv_version) < 0)
        bench_die("virConnectGetLibVersion failed: %s", virGetLastErrorMessage());
    g_snprintf(res.libvirt_version, sizeof(res.libvirt_version), "%lu.%lu.%lu",
               lv_version / 1000000, lv_version / 1000 % 1000, lv_version % 1000);
    for (i = 0; i < opts.repeat; i++) {
        double t0 = bench_now();

        bench_run_libvirt(conn, xmls, opts.vms,
                          opts.libvirt_validate ? VIR_DOMAIN_DEFINE_VALIDATE : 0);
        t_lv[i] = bench_now() - t0;
    }
    virConnectClose(conn);

    res.load = bench_stat_of(t_load, opts.repeat);
    res.check = bench_stat_of(t_check, opts.repeat);
    res.domxml = bench_stat_of(t_domxml, opts.repeat);
    res.ours = bench_stat_of(t_ours, opts.repeat);
    res.libvirt = bench_stat_of(t_lv, opts.repeat);
    res.json_bytes = strlen(json);
    res.rss_end_kib = bench_peak_rss_kib();
    if (opts.json)
        bench_print_json(&opts, &res);
    else
        bench_print_text(&opts, &res);

    for (v = 0; v < opts.vms; v++)
        sfo_free(xmls[v]);
    g_free(xmls);
    g_strfreev(vm_ids);
    sfo_inventory_free(inv);
    return EXIT_SUCCESS;
}
