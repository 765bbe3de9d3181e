/*
 * sfo-domxml.c: writing the libvirt <interface> pairs and <network> XML
 *
 * Pure: inventory in, XML text out (shapes in sfo-domxml.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <assert.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "sfo-domxml.h"
#include "util/sfo-util.h"

#define SFO_DOMXML_MEMORY_MIB "512"

static xmlNode *
sfo_xml_add(xmlNode *parent, const char *name, const char *content)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST content);
}

static void
sfo_xml_set(xmlNode *node, const char *attr, const char *value)
{
    xmlSetProp(node, BAD_CAST attr, BAD_CAST value);
}

/* <name attr='value'/> under @parent */
static xmlNode *
sfo_xml_add_with(xmlNode *parent, const char *name, const char *attr, const char *value)
{
    xmlNode *node = sfo_xml_add(parent, name, NULL);

    sfo_xml_set(node, attr, value);
    return node;
}

static void
sfo_xml_add_int(xmlNode *parent, const char *name, const char *attr, int value)
{
    char buf[16];

    g_snprintf(buf, sizeof(buf), "%d", value);
    sfo_xml_add_with(parent, name, attr, buf);
}

static void
sfo_xml_add_alias(xmlNode *parent, const char *id)
{
    g_autofree char *alias = g_strconcat("ua-", id, NULL);

    sfo_xml_add_with(parent, "alias", "name", alias);
}

gboolean
sfo_domxml_add_pci_address(xmlNode *parent, const char *pci)
{
    sfo_pci_address addr;
    xmlNode *node;
    char buf[16];

    if (!sfo_pci_address_parse(pci, &addr))
        return FALSE;
    node = sfo_xml_add_with(parent, "address", "type", "pci");
    g_snprintf(buf, sizeof(buf), "0x%04x", addr.domain);
    sfo_xml_set(node, "domain", buf);
    g_snprintf(buf, sizeof(buf), "0x%02x", addr.bus);
    sfo_xml_set(node, "bus", buf);
    g_snprintf(buf, sizeof(buf), "0x%02x", addr.slot);
    sfo_xml_set(node, "slot", buf);
    g_snprintf(buf, sizeof(buf), "0x%x", addr.function);
    sfo_xml_set(node, "function", buf);
    return TRUE;
}

char *
sfo_domxml_node_to_string(xmlNode *node)
{
    xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *save = xmlSaveToBuffer(buf, NULL, XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
    char *ret;

    xmlSaveTree(save, node);
    xmlSaveClose(save);
    ret = g_strconcat((const char *)xmlBufferContent(buf), "\n", NULL);
    xmlBufferFree(buf);
    return ret;
}

static gboolean
sfo_network_is_libvirt(const sfo_network *net)
{
    return net->link != SFO_NETWORK_LINK_BRIDGE;
}

static const char *
sfo_domxml_model(sfo_nic_interface iface)
{
    switch (iface) {
    case SFO_NIC_INTERFACE_E1000:
        return "e1000";
    case SFO_NIC_INTERFACE_E1000E:
        return "e1000e";
    case SFO_NIC_INTERFACE_RTL8139:
        return "rtl8139";
    case SFO_NIC_INTERFACE_SPAPR_VLAN:
        return "spapr-vlan";
    case SFO_NIC_INTERFACE_VIRTIO:
    case SFO_NIC_INTERFACE_PCI_PASSTHROUGH:
    case SFO_NIC_INTERFACE_LAST:
    default:
        return "virtio";
    }
}

/* <interface type='bridge'><source bridge=…/> or type='network' on a libvirt network */
static xmlNode *
sfo_domxml_add_tap_interface(xmlNode *devices, const sfo_network *net, const char *mac)
{
    xmlNode *iface = sfo_xml_add(devices, "interface", NULL);

    if (sfo_network_is_libvirt(net)) {
        sfo_xml_set(iface, "type", "network");
        sfo_xml_add_with(iface, "mac", "address", mac);
        sfo_xml_add_with(iface, "source", "network", net->libvirt_network);
    } else {
        sfo_xml_set(iface, "type", "bridge");
        sfo_xml_add_with(iface, "mac", "address", mac);
        sfo_xml_add_with(iface, "source", "bridge", net->bridge);
    }
    return iface;
}

/* The VF side: hostdev interface (plain bridge link) or a hostdev-pool network. */
static int
sfo_domxml_add_vf(xmlNode *devices, const sfo_nic *nic, const sfo_network *net,
                  const sfo_vnic_profile *failover, const char *vf_address)
{
    xmlNode *iface = sfo_xml_add(devices, "interface", NULL);

    if (net->link == SFO_NETWORK_LINK_LIBVIRT_HOSTDEV) {
        /* the pool chooses the VF and carries the VLAN */
        sfo_xml_set(iface, "type", "network");
        sfo_xml_add_with(iface, "mac", "address", nic->mac);
        sfo_xml_add_with(iface, "source", "network", net->libvirt_network);
    } else {
        sfo_xml_set(iface, "type", "hostdev");
        sfo_xml_set(iface, "managed", "no");
        sfo_xml_add_with(iface, "mac", "address", nic->mac);
        sfo_xml_add_with(iface, "driver", "name", "vfio");
        if (vf_address) {
            xmlNode *source = sfo_xml_add(iface, "source", NULL);

            if (!sfo_domxml_add_pci_address(source, vf_address)) {
                sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                                 "NIC %s has VF address '%s', which is not a PCI address", nic->id,
                                 vf_address);
                return SFO_EINVALID;
            }
        }
        if (net->vlan_id >= 0) {
            xmlNode *vlan = sfo_xml_add(iface, "vlan", NULL);

            sfo_xml_add_int(vlan, "tag", "id", net->vlan_id);
        }
    }
    if (failover) {
        g_autofree char *persistent = g_strconcat("ua-", failover->id, NULL);
        xmlNode *teaming = sfo_xml_add_with(iface, "teaming", "type", "transient");

        sfo_xml_set(teaming, "persistent", persistent);
    }
    sfo_xml_add_alias(iface, nic->id);
    return 0;
}

/* The virtio standby of a VF: same MAC, alias ua-<failover profile id>. */
static void
sfo_domxml_add_standby(xmlNode *devices, const sfo_nic *nic, const sfo_vnic_profile *failover,
                       const sfo_network *fnet)
{
    xmlNode *iface = sfo_domxml_add_tap_interface(devices, fnet, nic->mac);

    sfo_xml_add_with(iface, "model", "type", "virtio");
    if (fnet->mtu > 0)
        sfo_xml_add_int(iface, "mtu", "size", fnet->mtu);
    sfo_xml_add_with(iface, "teaming", "type", "persistent");
    sfo_xml_add_alias(iface, failover->id);
}

/* An emulated or virtio NIC without failover. */
static void
sfo_domxml_add_plain(xmlNode *devices, const sfo_nic *nic, const sfo_network *net)
{
    xmlNode *iface;

    if (!net) {
        iface = sfo_xml_add_with(devices, "interface", "type", "ethernet");
        sfo_xml_add_with(iface, "mac", "address", nic->mac);
        sfo_xml_add_with(iface, "model", "type", sfo_domxml_model(nic->interface));
        sfo_xml_add_with(iface, "link", "state", "down");
        sfo_xml_add_alias(iface, nic->id);
        return;
    }
    iface = sfo_domxml_add_tap_interface(devices, net, nic->mac);
    sfo_xml_add_with(iface, "model", "type", sfo_domxml_model(nic->interface));
    if (net->mtu > 0)
        sfo_xml_add_int(iface, "mtu", "size", net->mtu);
    sfo_xml_add_alias(iface, nic->id);
}

/*
 * The stand-in of SFO_DOMXML_EMULATED: libvirt user-mode networking (with
 * SFO_DOMXML_EMULATED_BRIDGE: the bridge of @net, or user-mode networking
 * when the NIC has no network), the same MAC and alias; @model "e1000e" for
 * a VF (an emulated PCIe NIC, no teaming: QEMU only accepts a transient
 * teaming on a VFIO device), the NIC's model otherwise, and the persistent
 * teaming on a standby.
 */
static void
sfo_domxml_add_emulated(xmlNode *devices, const sfo_network *net, const char *mac,
                        const char *model, gboolean standby, const char *alias_id,
                        unsigned int flags)
{
    xmlNode *iface;

    if ((flags & SFO_DOMXML_EMULATED_BRIDGE) && net) {
        iface = sfo_xml_add_with(devices, "interface", "type", "bridge");
        sfo_xml_add_with(iface, "mac", "address", mac);
        sfo_xml_add_with(iface, "source", "bridge", net->bridge);
    } else {
        iface = sfo_xml_add_with(devices, "interface", "type", "user");
        sfo_xml_add_with(iface, "mac", "address", mac);
    }
    sfo_xml_add_with(iface, "model", "type", model);
    if (!standby && g_strcmp0(model, "e1000e") == 0)
        sfo_xml_add_with(iface, "rom", "enabled", "no");
    if (standby)
        sfo_xml_add_with(iface, "teaming", "type", "persistent");
    sfo_xml_add_alias(iface, alias_id);
}

int
sfo_domxml_nic_shape(const sfo_inventory *inv, const sfo_nic *nic, sfo_domxml_nic_info *ret_info)
{
    const sfo_vnic_profile *profile = sfo_inventory_find_vnic_profile(inv, nic->vnic_profile_id);
    sfo_domxml_nic_info info = { 0 };

    info.network = profile ? sfo_inventory_find_network(inv, profile->network_id) : NULL;
    if (nic->interface != SFO_NIC_INTERFACE_PCI_PASSTHROUGH) {
        info.kind = SFO_DOMXML_NIC_PLAIN;
    } else if (!info.network) {
        info.kind = SFO_DOMXML_NIC_NONE; /* a VF NIC without a network cannot get a VF */
    } else {
        info.kind = SFO_DOMXML_NIC_VF;
        info.failover = profile ? sfo_inventory_failover_of(inv, profile) : NULL;
        info.failover_network =
            info.failover ? sfo_inventory_find_network(inv, info.failover->network_id) : NULL;
        if (!info.failover_network)
            info.failover = NULL; /* no standby to pair with */
    }
    *ret_info = info;
    return 0;
}

/* Appends the interface(s) of @nic selected by @part to @devices; returns how many. */
static int
sfo_domxml_add_nic_part(xmlNode *devices, const sfo_inventory *inv, const sfo_nic *nic,
                        sfo_domxml_part part, const char *vf_address, unsigned int flags)
{
    gboolean emulated = (flags & SFO_DOMXML_EMULATED) != 0;
    sfo_domxml_nic_info info;
    int count = 0;
    int rc;

    sfo_domxml_nic_shape(inv, nic, &info);
    if (info.kind == SFO_DOMXML_NIC_NONE)
        return 0;
    if (part != SFO_DOMXML_PART_STANDBY) {
        if (info.kind == SFO_DOMXML_NIC_PLAIN && emulated) {
            sfo_domxml_add_emulated(devices, info.network, nic->mac,
                                    sfo_domxml_model(nic->interface), FALSE, nic->id, flags);
        } else if (info.kind == SFO_DOMXML_NIC_PLAIN) {
            sfo_domxml_add_plain(devices, nic, info.network);
        } else if (emulated) {
            sfo_domxml_add_emulated(devices, info.network, nic->mac, "e1000e", FALSE, nic->id,
                                    flags);
        } else if ((rc = sfo_domxml_add_vf(devices, nic, info.network, info.failover,
                                           vf_address ? vf_address : nic->vf_address)) < 0) {
            return rc;
        }
        count++;
    }
    if (part != SFO_DOMXML_PART_NIC && info.failover) {
        if (emulated)
            sfo_domxml_add_emulated(devices, info.failover_network, nic->mac, "virtio", TRUE,
                                    info.failover->id, flags);
        else
            sfo_domxml_add_standby(devices, nic, info.failover, info.failover_network);
        count++;
    }
    return count;
}

int
sfo_domxml_format_nic_part(const sfo_inventory *inv, const sfo_nic *nic, sfo_domxml_part part,
                           const char *vf_address, unsigned int flags, char **ret_xml)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *devices = xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL);
    int rc;

    assert(part != SFO_DOMXML_PART_BOTH);
    xmlDocSetRootElement(doc, devices);
    if ((rc = sfo_domxml_add_nic_part(devices, inv, nic, part, vf_address, flags)) < 0)
        return rc;
    if (rc == 0) {
        *ret_xml = NULL;
        return 0;
    }
    *ret_xml = sfo_domxml_node_to_string(devices->children);
    return 1;
}

gint
sfo_domxml_nic_compare(gconstpointer a, gconstpointer b)
{
    const sfo_nic *x = *(const sfo_nic *const *)a;
    const sfo_nic *y = *(const sfo_nic *const *)b;
    int c = g_strcmp0(x->mac, y->mac);

    return c ? c : g_strcmp0(x->id, y->id);
}

int
sfo_domxml_add_vm_interfaces(const sfo_inventory *inv, const sfo_vm *vm, unsigned int flags,
                             xmlNode *devices)
{
    g_autoptr(GPtrArray) nics = sfo_inventory_nics_of_vm(inv, vm->id);
    int count = 0;
    guint i;

    g_ptr_array_sort(nics, sfo_domxml_nic_compare);
    for (i = 0; i < nics->len; i++) {
        const sfo_nic *nic = nics->pdata[i];
        int rc;

        if (!nic->plugged)
            continue;
        if ((rc = sfo_domxml_add_nic_part(devices, inv, nic, SFO_DOMXML_PART_BOTH, NULL,
                                          flags & SFO_DOMXML_EMULATION)) < 0)
            return rc;
        count += rc;
    }
    return count;
}

int
sfo_domxml_build_vm(const sfo_inventory *inv, const sfo_vm *vm, unsigned int flags,
                    xmlDoc **ret_doc)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    gboolean q35 = sfo_bios_type_is_q35(sfo_vm_bios_type(inv, vm));
    xmlNode *devices;
    xmlNode *root_bus = NULL;
    int count;
    int i;

    if (flags & SFO_DOMXML_DOMAIN) {
        xmlNode *domain = xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL);
        xmlNode *type;

        xmlDocSetRootElement(doc, domain);
        sfo_xml_set(domain, "type", "qemu");
        sfo_xml_add(domain, "name", vm->name);
        sfo_xml_set(sfo_xml_add(domain, "memory", SFO_DOMXML_MEMORY_MIB), "unit", "MiB");
        type = sfo_xml_add(sfo_xml_add(domain, "os", NULL), "type", "hvm");
        sfo_xml_set(type, "arch", "x86_64");
        sfo_xml_set(type, "machine", q35 ? "q35" : "pc");
        devices = sfo_xml_add(domain, "devices", NULL);
        root_bus = sfo_xml_add_with(devices, "controller", "type", "pci");
        sfo_xml_set(root_bus, "index", "0");
        sfo_xml_set(root_bus, "model", q35 ? "pcie-root" : "pci-root");
    } else {
        devices = xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL);
        xmlDocSetRootElement(doc, devices);
    }

    if ((count = sfo_domxml_add_vm_interfaces(inv, vm, flags, devices)) < 0)
        return count;

    /* one root port per interface, and one spare for a hot plug */
    for (i = 0; root_bus && q35 && i <= count; i++) {
        xmlNode *port = xmlNewDocNode(doc, NULL, BAD_CAST "controller", NULL);

        sfo_xml_set(port, "type", "pci");
        sfo_xml_set(port, "model", "pcie-root-port");
        xmlAddNextSibling(root_bus, port);
    }
    *ret_doc = g_steal_pointer(&doc);
    return 0;
}

int
sfo_domxml_format_vm(const sfo_inventory *inventory, const char *vm_id, unsigned int flags,
                     char **ret_xml)
{
    g_autoptr(xmlDoc) doc = NULL;
    const sfo_vm *vm;
    int rc;

    sfo_return_val_if_fail(inventory != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(vm_id != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_xml != NULL, SFO_EINVALID);
    sfo_check_flags(flags, SFO_DOMXML_DOMAIN);

    if (!(vm = sfo_inventory_find_vm(inventory, vm_id))) {
        sfo_error_report(SFO_ENOTFOUND, SFO_KEY_VM_NOT_FOUND, "VM '%s' is not in the inventory",
                         vm_id);
        return SFO_ENOTFOUND;
    }
    if ((rc = sfo_domxml_build_vm(inventory, vm, flags, &doc)) < 0)
        return rc;
    *ret_xml = sfo_domxml_node_to_string(xmlDocGetRootElement(doc));
    return 0;
}

/* The first PF of @host whose networks include @net_id, NULL when none. */
static const sfo_pf *
sfo_domxml_pf_for(const sfo_host *host, const char *net_id)
{
    guint i;

    for (i = 0; host->pfs && i < host->pfs->len; i++) {
        const sfo_pf *pf = host->pfs->pdata[i];

        if (sfo_id_list_contains(pf->network_ids, net_id))
            return pf;
    }
    return NULL;
}

static gint
sfo_domxml_network_cmp(gconstpointer a, gconstpointer b)
{
    const sfo_network *x = *(const sfo_network *const *)a;
    const sfo_network *y = *(const sfo_network *const *)b;
    int c = g_strcmp0(x->libvirt_network, y->libvirt_network);

    return c ? c : g_strcmp0(x->id, y->id);
}

static int
sfo_domxml_add_network(xmlNode *networks, const sfo_host *host, const sfo_network *net)
{
    const sfo_pf *pf = NULL;
    xmlNode *node;
    xmlNode *forward;

    if (net->link == SFO_NETWORK_LINK_LIBVIRT_HOSTDEV ||
        net->link == SFO_NETWORK_LINK_LIBVIRT_MACVTAP) {
        if (!(pf = sfo_domxml_pf_for(host, net->id))) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_HOST_NETWORK_WITHOUT_PF,
                             "host '%s' has no PF for libvirt network '%s' (network %s)",
                             host->name, net->libvirt_network, net->id);
            return SFO_EINVALID;
        }
    }
    node = sfo_xml_add(networks, "network", NULL);
    sfo_xml_add(node, "name", net->libvirt_network);
    switch (net->link) {
    case SFO_NETWORK_LINK_LIBVIRT_HOSTDEV:
        forward = sfo_xml_add_with(node, "forward", "mode", "hostdev");
        sfo_xml_set(forward, "managed", "yes");
        sfo_xml_add_with(forward, "pf", "dev", pf->name);
        if (net->vlan_id >= 0) {
            xmlNode *vlan = sfo_xml_add(node, "vlan", NULL);

            sfo_xml_add_int(vlan, "tag", "id", net->vlan_id);
        }
        break;
    case SFO_NETWORK_LINK_LIBVIRT_MACVTAP:
        forward = sfo_xml_add_with(node, "forward", "mode", "bridge");
        sfo_xml_add_with(forward, "interface", "dev", pf->name);
        break;
    case SFO_NETWORK_LINK_LIBVIRT_BRIDGE:
    case SFO_NETWORK_LINK_BRIDGE:
    case SFO_NETWORK_LINK_LAST:
    default:
        sfo_xml_add_with(node, "forward", "mode", "bridge");
        sfo_xml_add_with(node, "bridge", "name", net->bridge);
        break;
    }
    return 0;
}

int
sfo_domxml_build_host_networks(const sfo_inventory *inv, const sfo_host *host, xmlDoc **ret_doc)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
    g_autoptr(GPtrArray) nets = g_ptr_array_new();
    xmlNode *networks = xmlNewDocNode(doc, NULL, BAD_CAST "networks", NULL);
    const char *last = NULL;
    guint i;
    int rc;

    xmlDocSetRootElement(doc, networks);
    for (i = 0; host->network_ids && i < host->network_ids->len; i++) {
        sfo_network *net = sfo_inventory_find_network(inv, host->network_ids->pdata[i]);

        if (net && sfo_network_is_libvirt(net) && net->libvirt_network)
            g_ptr_array_add(nets, net);
    }
    g_ptr_array_sort(nets, sfo_domxml_network_cmp);
    for (i = 0; i < nets->len; i++) {
        const sfo_network *net = nets->pdata[i];

        /* two inventory networks realised by one libvirt network: define it once */
        if (g_strcmp0(last, net->libvirt_network) == 0)
            continue;
        last = net->libvirt_network;
        if ((rc = sfo_domxml_add_network(networks, host, net)) < 0)
            return rc;
    }
    *ret_doc = g_steal_pointer(&doc);
    return 0;
}

int
sfo_domxml_format_host_networks(const sfo_inventory *inventory, const char *host_id,
                                unsigned int flags, char **ret_xml)
{
    g_autoptr(xmlDoc) doc = NULL;
    const sfo_host *host;
    int rc;

    sfo_return_val_if_fail(inventory != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(host_id != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_xml != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (!(host = sfo_inventory_find_host(inventory, host_id))) {
        sfo_error_report(SFO_ENOTFOUND, SFO_KEY_HOST_NOT_FOUND, "host '%s' is not in the inventory",
                         host_id);
        return SFO_ENOTFOUND;
    }
    if ((rc = sfo_domxml_build_host_networks(inventory, host, &doc)) < 0)
        return rc;
    *ret_xml = sfo_domxml_node_to_string(xmlDocGetRootElement(doc));
    return 0;
}
