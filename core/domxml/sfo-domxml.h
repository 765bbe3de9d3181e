/*
 * sfo-domxml.h: writing libvirt XML, internal helpers
 *
 * The public entry points are sfo_domxml_format_vm() and
 * sfo_domxml_format_host_networks() in sriovfo.h. Shapes:
 *
 * - VM: for each plugged NIC, ordered by MAC (then id):
 *   * a VF NIC (interface pci_passthrough): <interface type='hostdev'
 *     managed='no'> with <driver name='vfio'/>, <source><address type='pci'
 *     …/></source> (only when the NIC has a VF address) and <vlan> (when the
 *     network has one); on a libvirt hostdev-pool network <interface
 *     type='network'><source network=…/> instead (the pool carries the VLAN);
 *     with <teaming type='transient' persistent='ua-<failover profile id>'/>
 *     when its profile has a failover profile; alias ua-<nic id>.
 *   * then its standby: <interface type='bridge'> on the failover network's
 *     Linux bridge (or type='network' on a libvirt bridge/macvtap network),
 *     the same MAC, <model type='virtio'/>, <mtu> when set, <teaming
 *     type='persistent'/>, alias ua-<failover profile id>. No <vlan>: a Linux
 *     bridge (or the libvirt network) carries the VLAN itself.
 *   * any other NIC: a plain interface, no teaming, alias ua-<nic id>.
 *   * a NIC without a vNIC profile: <interface type='ethernet'> with its model
 *     and <link state='down'/> (VDSM's ";vdsmdummy;" bridge is not a valid
 *     libvirt device name); a pci_passthrough NIC without a profile is left
 *     out (it cannot get a VF).
 *   * no guest <address>: libvirt puts the devices on Q35 pcie-root-ports.
 *   In a <devices> element, or with SFO_DOMXML_DOMAIN a complete minimal
 *   domain (machine q35, or pc when the VM's chipset is i440fx) with one
 *   pcie-root-port per interface plus one for hot plug.
 * - Host: <networks> wrapping one <network> per libvirt network the host
 *   needs, sorted by name; each child element is one `virsh net-define`
 *   input. Hostdev pool: <forward mode='hostdev' managed='yes'><pf dev=…/>
 *   (the first PF of the host serving the network) and <vlan>; macvtap:
 *   <forward mode='bridge'><interface dev=PF/>; libvirt bridge: <forward
 *   mode='bridge'/><bridge name=…/>. No <mtu>: libvirt allows it only for
 *   the open/route/nat/isolated modes, so the MTU goes on the guest's
 *   <interface> instead. A hostdev or macvtap network without a PF on the
 *   host is an error (HOST_NETWORK_WITHOUT_PF).
 *
 * libxml2 writes attributes in double quotes; the output has no XML
 * declaration, is indented by two spaces and ends with a newline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "model/sfo-domain.h"
#include "model/sfo-model.h"

/* A libvirt network realised on a host has no PF to hang on. */
#define SFO_KEY_HOST_NETWORK_WITHOUT_PF "HOST_NETWORK_WITHOUT_PF"

/*
 * Appends the <interface> elements of the plugged NICs of @vm to @devices,
 * in output order (@flags: 0 or SFO_DOMXML_EMULATED, with or without
 * SFO_DOMXML_EMULATED_BRIDGE). Returns the number of
 * interfaces written, or a negative code with the last error set.
 */
int sfo_domxml_add_vm_interfaces(const sfo_inventory *inv, const sfo_vm *vm, unsigned int flags,
                                 xmlNode *devices);

/*
 * Builds the XML document for @vm: <devices> or, with SFO_DOMXML_DOMAIN, a
 * minimal <domain> (SFO_DOMXML_EMULATED may be added).
 */
int sfo_domxml_build_vm(const sfo_inventory *inv, const sfo_vm *vm, unsigned int flags,
                        xmlDoc **ret_doc);

/* Builds the <networks> document of @host. */
int sfo_domxml_build_host_networks(const sfo_inventory *inv, const sfo_host *host,
                                   xmlDoc **ret_doc);

/*
 * Serialises @node (and its children) indented, without XML declaration,
 * ending with a newline; g_free() the result.
 */
char *sfo_domxml_node_to_string(xmlNode *node);

/* ---- one NIC at a time, for the plan layer (hot plug and unplug) ---- */

/*
 * SFO_DOMXML_EMULATED (internal flag, never in sfo_domxml_flags): every
 * interface uses libvirt user-mode networking (no host bridge, tap or VF)
 * and a VF is stood in for by an emulated PCIe e1000e with the VF's MAC
 * and alias and no <teaming> (QEMU accepts a transient teaming only on a
 * VFIO device). For tests and demos on hosts without SR-IOV; the standby
 * keeps its virtio model and <teaming type='persistent'/>.
 */
#define SFO_DOMXML_EMULATED (1u << 16)
/*
 * SFO_DOMXML_EMULATED_BRIDGE (internal, with SFO_DOMXML_EMULATED): the
 * stand-ins are <interface type='bridge'> on their network's bridge (as a
 * real standby is) instead of user-mode networking.
 */
#define SFO_DOMXML_EMULATED_BRIDGE (1u << 17)
/* Both emulation flags, as the plan layer hands them on */
#define SFO_DOMXML_EMULATION (SFO_DOMXML_EMULATED | SFO_DOMXML_EMULATED_BRIDGE)

typedef enum {
    SFO_DOMXML_NIC_NONE = 0, /* nothing to write: a VF NIC without a network */
    SFO_DOMXML_NIC_PLAIN,    /* an emulated or virtio NIC, one interface */
    SFO_DOMXML_NIC_VF,       /* a VF; with a standby when failover is set */
} sfo_domxml_nic_kind;

typedef struct {
    sfo_domxml_nic_kind kind;
    const sfo_network *network;          /* the NIC's network, NULL when none */
    const sfo_vnic_profile *failover;    /* VF only: the failover profile, NULL when no standby */
    const sfo_network *failover_network; /* ...and its network */
} sfo_domxml_nic_info;

/* What sfo_domxml_format_vm() writes for @nic (all borrowed from @inv). Returns 0. */
int sfo_domxml_nic_shape(const sfo_inventory *inv, const sfo_nic *nic,
                         sfo_domxml_nic_info *ret_info);

typedef enum {
    SFO_DOMXML_PART_NIC = 0, /* the NIC's own interface: the VF, or the plain NIC */
    SFO_DOMXML_PART_STANDBY, /* the virtio standby of a VF with failover */
    SFO_DOMXML_PART_BOTH,    /* both, VF first (as in a domain) */
} sfo_domxml_part;

/*
 * One <interface> element of @nic as text, exactly as sfo_domxml_format_vm()
 * writes it, for a hot plug. @vf_address replaces the NIC's VF address (a VF
 * reserved on another host); NULL keeps it. @flags: 0 or SFO_DOMXML_EMULATION's.
 * Returns 1 and the text, 0 and NULL when @nic has no such part (no
 * standby, or no network), or a negative code. @part is not _BOTH.
 */
int sfo_domxml_format_nic_part(const sfo_inventory *inv, const sfo_nic *nic, sfo_domxml_part part,
                               const char *vf_address, unsigned int flags, char **ret_xml);

/* Orders NICs (sfo_nic **) as a domain lists them: by MAC, then id. */
gint sfo_domxml_nic_compare(gconstpointer a, gconstpointer b);

/* "0000:3b:02.3" -> <address type='pci' domain='0x0000' bus='0x3b' …/> under @parent */
gboolean sfo_domxml_add_pci_address(xmlNode *parent, const char *pci);
