/*
 * sfo-test-virt.c: libvirt's real qemu driver for the exec tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "model/sfo-domain.h"
#include "sfo-test-virt.h"
#include "sfo-test.h"

static const char sfo_test_qemu_conf[] =
    "# written by the exec tests: in-process driver, no daemon\n"
    "stdio_handler = \"file\"\n"
    "cgroup_controllers = [ ]\n"
    "user = \"root\"\n"
    "group = \"root\"\n"
    "remember_owner = 0\n"
    "namespaces = [ ]\n";

gboolean
sfo_test_virt_under_valgrind(void)
{
    const char *preload = g_getenv("LD_PRELOAD");

    return preload && g_strrstr(preload, "vgpreload") != NULL;
}

/* Why the driver cannot run here (valgrind, no QEMU), or NULL */
static const char *
sfo_test_virt_unavailable(void)
{
    const char *qemu = g_getenv("QEMU_SYSTEM_X86_64");

    /*
     * Not under valgrind: libvirt starts QEMU through an intermediate child
     * that exits at once, and valgrind's leak check of that child (the
     * parent's memory, copied) turns its exit status into valgrind's error
     * status, so libvirt reports that QEMU failed. The plain and the
     * ASan/UBSan builds run these cases.
     */
    if (sfo_test_virt_under_valgrind())
        return "running under valgrind (see sfo-test-virt.c)";
    if (!qemu || !*qemu)
        return "no qemu-system-x86_64 (configure found none)";
    return NULL;
}

gboolean
sfo_test_virt_make_root(sfo_test_virt *virt, const char *prefix)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *tmpl = g_strconcat(prefix, "-XXXXXX", NULL);
    g_autofree char *etc = NULL;
    g_autofree char *conf = NULL;
    const char *why;

    memset(virt, 0, sizeof(*virt));
    if ((why = sfo_test_virt_unavailable())) {
        virt->error = g_strdup(why);
        return FALSE;
    }
    if (!(virt->root = g_dir_make_tmp(tmpl, &err))) {
        virt->error = g_strdup(err->message);
        return FALSE;
    }
    etc = g_build_filename(virt->root, "etc", NULL);
    conf = g_build_filename(etc, "qemu.conf", NULL);
    if (g_mkdir_with_parents(etc, 0700) < 0 ||
        !g_file_set_contents(conf, sfo_test_qemu_conf, -1, &err)) {
        virt->error = g_strdup_printf("cannot write %s", conf);
        return FALSE;
    }
    virt->uri = g_strdup_printf("qemu:///embed?root=%s", virt->root);
    return TRUE;
}

gboolean
sfo_test_virt_connect(sfo_test_virt *virt)
{
    if (sfo_exec_open(virt->uri, NULL, 0, &virt->holder) < 0) {
        virt->error = g_strdup(sfo_error_last()->message);
        return FALSE;
    }
    virt->conn = sfo_exec_connection(virt->holder, SFO_PLAN_ROLE_SOURCE);
    return TRUE;
}

gboolean
sfo_test_virt_open(sfo_test_virt *virt, const char *prefix)
{
    return sfo_test_virt_make_root(virt, prefix) && sfo_test_virt_connect(virt);
}

void
sfo_test_virt_domain_drop(virDomainPtr dom)
{
    if (virDomainIsActive(dom) == 1)
        virDomainDestroy(dom);
    if (virDomainIsPersistent(dom) == 1)
        virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
    virDomainFree(dom);
}

void
sfo_test_virt_close(sfo_test_virt *virt)
{
    virDomainPtr *doms = NULL;
    int n;
    int i;

    if (virt->conn && (n = virConnectListAllDomains(virt->conn, &doms, 0)) >= 0) {
        for (i = 0; i < n; i++)
            sfo_test_virt_domain_drop(doms[i]);
        free(doms);
    }
    sfo_exec_free(virt->holder);
    if (virt->root)
        sfo_test_rmtree(virt->root);
    g_free(virt->root);
    g_free(virt->uri);
    g_free(virt->error);
    memset(virt, 0, sizeof(*virt));
}

char *
sfo_test_virt_domain_xml(const char *name, unsigned int memory_mib, const char *devices,
                         const char *kernel, const char *initrd, const char *console)
{
    GString *xml = g_string_new(NULL);
    int i;

    g_string_append_printf(xml,
                           "<domain type='qemu'>\n  <name>%s</name>\n"
                           "  <memory unit='MiB'>%u</memory>\n"
                           "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n",
                           name, memory_mib);
    if (kernel)
        g_string_append_printf(xml,
                               "    <kernel>%s</kernel>\n    <initrd>%s</initrd>\n"
                               "    <cmdline>console=ttyS0 quiet</cmdline>\n",
                               kernel, initrd);
    g_string_append(xml, "  </os>\n  <features><acpi/></features>\n  <devices>\n"
                         "    <controller type='usb' model='none'/>\n"
                         "    <memballoon model='none'/>\n"
                         "    <controller type='pci' index='0' model='pcie-root'/>\n");
    for (i = 0; i < 8; i++)
        g_string_append(xml, "    <controller type='pci' model='pcie-root-port'/>\n");
    if (console)
        g_string_append_printf(xml,
                               "    <serial type='file'><source path='%s'/>"
                               "<target port='0'/></serial>\n",
                               console);
    if (devices)
        g_string_append(xml, devices);
    g_string_append(xml, "  </devices>\n</domain>\n");
    return g_string_free(xml, FALSE);
}

/* libvirt's message can be longer than cmocka prints: keep its end, where the reason is */
static const char *
sfo_test_virt_reason(void)
{
    const char *msg = virGetLastErrorMessage();
    size_t len = strlen(msg);

    return len > 400 ? msg + len - 400 : msg;
}

virDomainPtr
sfo_test_virt_domain(sfo_test_virt *virt, const char *xml, gboolean persistent, gboolean start,
                     unsigned int start_flags)
{
    virDomainPtr dom;

    if (persistent) {
        if (!(dom = virDomainDefineXML(virt->conn, xml)))
            fail_msg("cannot define the domain: %s", sfo_test_virt_reason());
        if (start && virDomainCreateWithFlags(dom, start_flags) < 0)
            fail_msg("cannot start the domain: ...%s", sfo_test_virt_reason());
    } else if (!(dom = virDomainCreateXML(virt->conn, xml, start_flags))) {
        fail_msg("cannot create the domain: ...%s", sfo_test_virt_reason());
    }
    return dom;
}

char *
sfo_test_virt_xml(virDomainPtr dom, gboolean inactive)
{
    char *xml = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);

    if (!xml)
        fail_msg("cannot read the domain XML: %s", virGetLastErrorMessage());
    return xml;
}

gboolean
sfo_test_virt_has(virDomainPtr dom, gboolean inactive, const char *alias, const char *mac)
{
    g_autofree char *xml = sfo_test_virt_xml(dom, inactive);
    g_autoptr(sfo_domain) parsed = NULL;
    guint i;

    if (sfo_domain_parse(xml, &parsed) < 0)
        fail_msg("cannot parse the domain XML: %s", sfo_error_last()->message);
    for (i = 0; i < parsed->devices->len; i++) {
        const sfo_domain_device *dev = parsed->devices->pdata[i];

        if (g_strcmp0(dev->alias, alias) == 0 && (!mac || g_strcmp0(dev->mac, mac) == 0))
            return TRUE;
    }
    return FALSE;
}

char *
sfo_test_virt_path(sfo_test_virt *virt, const char *name)
{
    return g_build_filename(virt->root, name, NULL);
}

/* ------------------------------------------------------------------------ */
/* A second libvirt host: tests/integration/second-host.sh                   */
/* ------------------------------------------------------------------------ */

const char *
sfo_test_second_host_missing(void)
{
    g_autofree char *unshare = g_find_program_in_path("unshare");

    if (geteuid() != 0)
        return "a second libvirt host needs root (a private mount namespace)";
    if (!g_file_test("/usr/sbin/libvirtd", G_FILE_TEST_IS_EXECUTABLE))
        return "no /usr/sbin/libvirtd";
    if (!unshare)
        return "no unshare";
    return NULL;
}

void
sfo_test_second_host_start(sfo_test_virt *virt, sfo_test_second_host *host, const char *name)
{
    g_autofree char *script = g_build_filename(
        g_getenv("abs_top_srcdir") ? g_getenv("abs_top_srcdir") : SFO_ABS_TOP_SRCDIR, "tests",
        "integration", "second-host.sh", NULL);
    g_autofree char *log = NULL;
    g_autofree char *sock = NULL;
    g_autoptr(GError) err = NULL;
    char *argv[] = { (char *)"/bin/sh", script, NULL, NULL };
    gint64 deadline;
    int fd;

    host->dir = sfo_test_virt_path(virt, name);
    argv[2] = host->dir;
    log = g_strconcat(host->dir, ".log", NULL);
    sock = g_build_filename(host->dir, "sock", "libvirt-sock", NULL);
    host->uri = g_strdup_printf("qemu+unix:///system?socket=%s", sock);
    if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        fail_msg("cannot create %s", log);
    if (!g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &host->pid,
                                -1, fd, fd, &err))
        fail_msg("cannot start the second host: %s", err->message);
    close(fd);
    deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (!g_file_test(sock, G_FILE_TEST_EXISTS) && g_get_monotonic_time() < deadline)
        g_usleep(100 * 1000);
    if (!g_file_test(sock, G_FILE_TEST_EXISTS))
        fail_msg("the second host's libvirtd did not start (see %s)", log);
}

void
sfo_test_second_host_stop(sfo_test_second_host *host)
{
    virConnectPtr conn = host->uri ? virConnectOpen(host->uri) : NULL;
    virDomainPtr *doms = NULL;
    int n;
    int i;

    if (conn && (n = virConnectListAllDomains(conn, &doms, 0)) >= 0) {
        for (i = 0; i < n; i++) {
            virDomainDestroy(doms[i]);
            virDomainUndefine(doms[i]);
            virDomainFree(doms[i]);
        }
        free(doms);
    }
    if (conn)
        virConnectClose(conn);
    if (host->pid > 0) {
        kill(host->pid, SIGTERM);
        waitpid(host->pid, NULL, 0);
        g_spawn_close_pid(host->pid);
    }
    g_free(host->dir);
    g_free(host->uri);
    memset(host, 0, sizeof(*host));
}
