/*
 * sfo-rules-domxml.c: rule 16, the <teaming> pairs of a libvirt domain XML
 *
 * libvirt checks the shape of <teaming> (schema, "persistent attribute must
 * be set") and, in the qemu driver, the model of the persistent side and the
 * type of the transient side. It does not check that persistent= names an
 * existing persistent interface, that the alias survives (only "ua-" user
 * aliases do in an inactive definition), that the MACs are equal, that one
 * persistent interface serves one transient, or that the machine is PCIe.
 * This file checks all of them (docs/research: libvirt-qemu.md 1.1, 2a).
 *
 * A snippet (<interface>, <hostdev>, <hotplug>) is part of a domain: its
 * transient may name a persistent interface that is already in the running
 * domain, so an unresolved persistent= is reported only for a complete
 * device list (<domain> or <devices>); MACs are compared when both sides
 * are present. A missing <mac> on an interface counts as a mismatch, since
 * libvirt gives each interface without one a different random MAC.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "model/sfo-domain.h"
#include "rules/sfo-rules.h"
#include "rules/sfo-violations.h"
#include "util/sfo-util.h"

#define SFO_SUBJECT_INTERFACE "interface"
#define SFO_SUBJECT_VM "vm"

static gboolean
sfo_domxml_is_hostdev(const sfo_domain_device *dev)
{
    return strcmp(dev->element, "hostdev") == 0 || g_strcmp0(dev->type, "hostdev") == 0;
}

/* The transient side must be a VF: interface hostdev/network, or PCI hostdev. */
static void
sfo_domxml_check_transient(const sfo_domain_device *dev, const char *label, sfo_violations *v)
{
    gboolean ok;

    if (strcmp(dev->element, "hostdev") == 0)
        ok = g_strcmp0(dev->type, "pci") == 0;
    else
        ok = g_strcmp0(dev->type, "hostdev") == 0 || g_strcmp0(dev->type, "network") == 0;
    if (!ok) {
        g_autofree char *type =
            strcmp(dev->element, "hostdev") == 0
                ? g_strdup_printf("hostdev %s", dev->type ? dev->type : "(none)")
                : g_strdup(dev->type ? dev->type : "(none)");

        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_TRANSIENT_NOT_HOSTDEV",
                           SFO_SUBJECT_INTERFACE, label, "Alias", label, "InterfaceType", type,
                           NULL);
    }
}

static void
sfo_domxml_check_persistent(const sfo_domain_device *dev, const char *label, sfo_violations *v)
{
    if (sfo_domxml_is_hostdev(dev) || g_strcmp0(dev->model, "virtio") != 0) {
        const char *model = sfo_domxml_is_hostdev(dev) ? "hostdev"
                            : dev->model               ? dev->model
                                                       : "(none)";

        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_VIRTIO",
                           SFO_SUBJECT_INTERFACE, label, "Alias", label, "Model", model, NULL);
    }
    if (!sfo_alias_is_user(dev->alias)) {
        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_ALIAS_INVALID", SFO_SUBJECT_INTERFACE,
                           label, "Alias", dev->alias ? dev->alias : "(none)", NULL);
    }
}

/*
 * A transient's persistent= reference: a user alias, naming an interface with
 * <teaming type='persistent'/>, with the same MAC.
 */
static void
sfo_domxml_check_reference(const sfo_domain *domain, const sfo_domain_device *dev,
                           const char *label, GHashTable *persistents, sfo_violations *v)
{
    const sfo_domain_device *peer;

    if (!dev->teaming_persistent) {
        /* libvirt refuses this itself ("persistent attribute must be set") */
        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND",
                           SFO_SUBJECT_INTERFACE, label, "Alias", label, "Persistent", "(none)",
                           NULL);
        return;
    }
    if (!sfo_alias_is_user(dev->teaming_persistent)) {
        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_ALIAS_INVALID", SFO_SUBJECT_INTERFACE,
                           label, "Alias", dev->teaming_persistent, NULL);
        return;
    }
    peer = g_hash_table_lookup(persistents, dev->teaming_persistent);
    if (!peer && !domain->complete)
        return;
    if (!peer) {
        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_NOT_FOUND",
                           SFO_SUBJECT_INTERFACE, label, "Alias", label, "Persistent",
                           dev->teaming_persistent, NULL);
        return;
    }
    /* A plain <hostdev> has no <mac>: the guest must keep the VF's own. */
    if (strcmp(dev->element, "interface") == 0 && (!dev->mac || g_strcmp0(dev->mac, peer->mac))) {
        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_MAC_MISMATCH", SFO_SUBJECT_INTERFACE,
                           label, "Alias", label, "Mac", dev->mac ? dev->mac : "(none)",
                           "Persistent", dev->teaming_persistent, "PersistentMac",
                           peer->mac ? peer->mac : "(none)", NULL);
    }
}

static void
sfo_domxml_check_shared(GHashTable *users, GPtrArray *order, sfo_violations *v)
{
    guint i;

    for (i = 0; i < order->len; i++) {
        const char *persistent = order->pdata[i];
        GPtrArray *labels = g_hash_table_lookup(users, persistent);
        g_autofree char *joined = NULL;

        if (labels->len < 2)
            continue;
        g_ptr_array_add(labels, NULL);
        joined = g_strjoinv(", ", (char **)labels->pdata);
        g_ptr_array_remove_index(labels, labels->len - 1);
        sfo_violations_add(v, "ACTION_TYPE_FAILED_TEAMING_PERSISTENT_SHARED", SFO_SUBJECT_INTERFACE,
                           persistent, "Persistent", persistent, "Aliases", joined, NULL);
    }
}

static void
sfo_domxml_check_machine(const sfo_domain *domain, gboolean has_transient, sfo_violations *v)
{
    const char *id;

    if (!domain->is_domain || !domain->machine || !has_transient ||
        sfo_domain_machine_is_q35(domain->machine))
        return;
    id = domain->name && *domain->name ? domain->name : "#1";
    sfo_violations_add(v, "ACTION_TYPE_FAILED_FAILOVER_REQUIRES_PCIE_MACHINE", SFO_SUBJECT_VM, id,
                       "action", "VAR__ACTION__RUN", "type", "VAR__TYPE__VM", "typeName", id,
                       "BiosType", domain->machine, NULL);
}

void
sfo_rules_check_domain(const sfo_domain *domain, sfo_violations *v)
{
    /* alias -> persistent device (borrowed); first one wins */
    g_autoptr(GHashTable) persistents = g_hash_table_new(g_str_hash, g_str_equal);
    /* persistent= value -> GPtrArray of transient labels; order of first use */
    g_autoptr(GHashTable) users =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    gboolean has_transient = FALSE;
    guint i;

    for (i = 0; i < domain->devices->len; i++) {
        sfo_domain_device *dev = domain->devices->pdata[i];

        if (dev->teaming == SFO_DOMAIN_TEAMING_PERSISTENT && dev->alias &&
            !g_hash_table_contains(persistents, dev->alias))
            g_hash_table_insert(persistents, dev->alias, dev);
    }

    for (i = 0; i < domain->devices->len; i++) {
        sfo_domain_device *dev = domain->devices->pdata[i];
        char buf[32];
        const char *label = sfo_domain_device_label(dev, buf, sizeof(buf));

        if (dev->teaming == SFO_DOMAIN_TEAMING_PERSISTENT) {
            sfo_domxml_check_persistent(dev, label, v);
        } else if (dev->teaming == SFO_DOMAIN_TEAMING_TRANSIENT) {
            GPtrArray *labels;

            has_transient = TRUE;
            sfo_domxml_check_transient(dev, label, v);
            sfo_domxml_check_reference(domain, dev, label, persistents, v);
            if (!dev->teaming_persistent)
                continue;
            labels = g_hash_table_lookup(users, dev->teaming_persistent);
            if (!labels) {
                labels = g_ptr_array_new_with_free_func(g_free);
                g_hash_table_insert(users, dev->teaming_persistent, labels);
                g_ptr_array_add(order, dev->teaming_persistent);
            }
            g_ptr_array_add(labels, g_strdup(label));
        }
    }
    sfo_domxml_check_shared(users, order, v);
    sfo_domxml_check_machine(domain, has_transient, v);
}

int
sfo_rules_check_domxml(const char *xml, unsigned int flags, sfo_violations **ret_violations)
{
    g_autoptr(sfo_domain) domain = NULL;
    sfo_violations *v;
    int rc;

    sfo_return_val_if_fail(xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_violations != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if ((rc = sfo_domain_parse(xml, &domain)) < 0)
        return rc;
    v = sfo_violations_new();
    sfo_rules_check_domain(domain, v);
    *ret_violations = v;
    return 0;
}
