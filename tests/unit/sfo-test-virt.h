/*
 * sfo-test-virt.h: libvirt's real qemu driver for the exec tests
 *
 * Each test binary gets its own embedded qemu driver (qemu:///embed?root=
 * DIR, in-process, no daemon) under a temporary root with the qemu.conf of
 * shared/research/libvirt-qemu.md (stdio_handler "file", no cgroups, QEMU
 * as root, no namespaces), and Debian's QEMU under TCG. Domains are small
 * q35 machines without disks; a guest kernel is optional (the integration
 * tests boot tests/guest/'s). Everything it starts is destroyed and the
 * root removed at the end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "exec/sfo-exec.h"

typedef struct {
    char *root;
    char *uri;
    sfo_exec *holder; /* keeps the embedded driver up between the tests' own connections */
    virConnectPtr conn;
    char *error; /* why the driver could not be opened */
} sfo_test_virt;

/*
 * TRUE under valgrind, where libvirt cannot start QEMU (sfo-test-virt.c);
 * the cases that need QEMU run in the plain and ASan/UBSan builds.
 */
gboolean sfo_test_virt_under_valgrind(void);

/* Opens the driver; FALSE (with ->error) when QEMU is missing or libvirt refuses. */
gboolean sfo_test_virt_open(sfo_test_virt *virt, const char *prefix);

/*
 * The two halves of sfo_test_virt_open(): a new root with its qemu.conf (and
 * ->uri), and a connection to it. Only one process at a time may open an
 * embedded root: tests/crash/ makes the root once and connects in each of
 * its child processes.
 */
gboolean sfo_test_virt_make_root(sfo_test_virt *virt, const char *prefix);
gboolean sfo_test_virt_connect(sfo_test_virt *virt);

/* Destroys and undefines every domain, closes the driver, removes the root. */
void sfo_test_virt_close(sfo_test_virt *virt);

/*
 * A q35 domain named @name for @memory_mib MiB with 8 free pcie-root-ports,
 * @devices (XML text, may be NULL) in <devices>, and, when @kernel is set,
 * direct kernel boot of @kernel/@initrd with the serial console written to
 * @console.
 */
char *sfo_test_virt_domain_xml(const char *name, unsigned int memory_mib, const char *devices,
                               const char *kernel, const char *initrd, const char *console);

/* Defines (@persistent) or creates the domain @xml; starts it unless @start is FALSE. */
virDomainPtr sfo_test_virt_domain(sfo_test_virt *virt, const char *xml, gboolean persistent,
                                  gboolean start, unsigned int start_flags);

/* Destroys and undefines @dom (with its managed save image and snapshots), and frees it. */
void sfo_test_virt_domain_drop(virDomainPtr dom);

/* The live (or, with @inactive, persistent) XML of @dom; fails the test when unreadable. */
char *sfo_test_virt_xml(virDomainPtr dom, gboolean inactive);

/* TRUE when @dom's live XML has an interface with @alias (and @mac unless NULL) */
gboolean sfo_test_virt_has(virDomainPtr dom, gboolean inactive, const char *alias, const char *mac);

/* A fresh path for a journal under the root */
char *sfo_test_virt_path(sfo_test_virt *virt, const char *name);

/*
 * A second libvirt host on this machine (tests/integration/second-host.sh:
 * libvirtd in a private mount namespace with a host UUID of its own), for
 * the migrations: libvirt refuses to migrate to the host a domain runs on.
 */
typedef struct {
    char *dir;
    char *uri; /* qemu+unix:///system?socket=DIR/sock/libvirt-sock */
    GPid pid;
} sfo_test_second_host;

/* Why a second host cannot run here (root, libvirtd, unshare), or NULL */
const char *sfo_test_second_host_missing(void);

/* Starts one in the directory @name under @virt's root; fails the test when it does not start */
void sfo_test_second_host_start(sfo_test_virt *virt, sfo_test_second_host *host, const char *name);

/* Destroys and undefines what it holds (QEMU outlives libvirtd), stops it, frees @host's fields */
void sfo_test_second_host_stop(sfo_test_second_host *host);
