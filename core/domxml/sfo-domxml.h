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
 * in output order. Returns the number of interfaces written, or a negative
 * code with the last error set.
 */
int sfo_domxml_add_vm_interfaces(const sfo_inventory *inv, const sfo_vm *vm, xmlNode *devices);

/*
 * Builds the XML document for @vm: <devices> or, with SFO_DOMXML_DOMAIN, a
 * minimal <domain>.
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

/* "0000:3b:02.3" -> <address type='pci' domain='0x0000' bus='0x3b' …/> under @parent */
gboolean sfo_domxml_add_pci_address(xmlNode *parent, const char *pci);
