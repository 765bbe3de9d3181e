/*
 * sfo-model.h: the inventory, as plain structs for the layers above
 *
 * The public API only sees the opaque sfo_inventory; rules, domxml and the
 * store read these structs directly. An inventory owns every object in it;
 * references between objects are ids (strings), resolved with the
 * sfo_inventory_find_*() lookups, which return borrowed pointers or NULL.
 * The JSON format is documented in docs/inventory-format.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

#include "util/sfo-autoptr.h"
#include "util/sfo-enum.h"
#include "util/sfo-error.h"

typedef enum {
    SFO_BIOS_TYPE_UNSET = 0, /* not given: inherit (VM from cluster; cluster: q35) */
    SFO_BIOS_TYPE_I440FX_SEA_BIOS,
    SFO_BIOS_TYPE_Q35_SEA_BIOS,
    SFO_BIOS_TYPE_Q35_OVMF,
    SFO_BIOS_TYPE_Q35_SECURE_BOOT,
    SFO_BIOS_TYPE_LAST
} sfo_bios_type;
SFO_ENUM_DECL(sfo_bios_type); /* "", "i440fx_sea_bios", "q35_sea_bios", ... (oVirt names) */

typedef enum {
    SFO_NIC_INTERFACE_VIRTIO = 0,
    SFO_NIC_INTERFACE_PCI_PASSTHROUGH,
    SFO_NIC_INTERFACE_E1000,
    SFO_NIC_INTERFACE_E1000E,
    SFO_NIC_INTERFACE_RTL8139,
    SFO_NIC_INTERFACE_SPAPR_VLAN,
    SFO_NIC_INTERFACE_LAST
} sfo_nic_interface;
SFO_ENUM_DECL(sfo_nic_interface); /* "virtio", "pci_passthrough", "e1000", ... */

/* How a network reaches a VM on a host */
typedef enum {
    SFO_NETWORK_LINK_BRIDGE = 0,      /* a Linux bridge (VDSM: named after the network) */
    SFO_NETWORK_LINK_LIBVIRT_BRIDGE,  /* libvirt <network> over an existing bridge */
    SFO_NETWORK_LINK_LIBVIRT_MACVTAP, /* libvirt <network>: macvtap, bridge mode, on the PF */
    SFO_NETWORK_LINK_LIBVIRT_HOSTDEV, /* libvirt <network>: forward mode='hostdev' VF pool */
    SFO_NETWORK_LINK_LAST
} sfo_network_link;
SFO_ENUM_DECL(sfo_network_link); /* JSON libvirt_network.type: "", "bridge", "macvtap", "hostdev" */

typedef enum {
    SFO_VM_STATUS_DOWN = 0,
    SFO_VM_STATUS_UP,
    SFO_VM_STATUS_POWERING_UP,
    SFO_VM_STATUS_PAUSED,
    SFO_VM_STATUS_MIGRATING,
    SFO_VM_STATUS_SUSPENDED,
    SFO_VM_STATUS_LAST
} sfo_vm_status;
SFO_ENUM_DECL(sfo_vm_status); /* "down", "up", "powering_up", "paused", ... */

typedef struct {
    char *id;
    char *name;
} sfo_data_center;

typedef struct {
    char *id;
    char *name;
    char *data_center_id;
    int version_major;
    int version_minor;
    sfo_bios_type bios_type; /* UNSET means q35 (oVirt 4.4+) */
    GPtrArray *network_ids;  /* char *, networks attached to the cluster */
} sfo_cluster;

typedef struct {
    char *id;
    char *name;
    char *data_center_id;
    int vlan_id;                /* -1: untagged */
    int mtu;                    /* 0: not set (host default) */
    char *external_provider_id; /* NULL unless a provider (e.g. OVN) backs it */
    sfo_network_link link;
    char *bridge;          /* Linux bridge name; defaults to the network name */
    char *libvirt_network; /* libvirt network name when link is LIBVIRT_* */
} sfo_network;

typedef struct {
    char *id;
    char *name;
    char *network_id;      /* NULL: profile without network (not allowed by the loader) */
    gboolean pass_through; /* pass_through.mode == "enabled" */
    gboolean migratable;
    char *failover_id; /* failover{id}, NULL when none */
    gboolean port_mirroring;
    char *qos_id;
    char *network_filter_id;
} sfo_vnic_profile;

typedef struct {
    char *id;
    char *name;
    char *cluster_id;
    char *os_type;           /* os{type}, oVirt names: "rhel_8x64", "windows_2019x64", ... */
    sfo_bios_type bios_type; /* UNSET: take the cluster's */
    sfo_vm_status status;
    char *host_id; /* host{id}: where it runs, NULL when down */
} sfo_vm;

typedef struct {
    char *id;
    char *name;
    char *vm_id;
    char *vnic_profile_id; /* NULL: no network ("empty" profile) */
    sfo_nic_interface interface;
    char *mac; /* normalised: lower case "52:54:00:11:22:33" */
    gboolean plugged;
    char *vf_address; /* vf{address}: "0000:3b:02.3", the VF a host assigned */
} sfo_nic;

typedef struct {
    char *address; /* PCI address, "0000:3b:02.3" */
    char *nic_id;  /* NIC using the VF, NULL when free */
} sfo_vf;

typedef struct {
    char *name;             /* host netdev of the PF, e.g. "ens4f0" */
    char *address;          /* PCI address of the PF */
    GPtrArray *network_ids; /* char *, networks this PF's VFs (or macvtap) serve */
    GPtrArray *vfs;         /* sfo_vf * */
} sfo_pf;

typedef struct {
    char *id;
    char *name;
    char *cluster_id;
    GPtrArray *network_ids; /* char *, networks attached to the host */
    GPtrArray *pfs;         /* sfo_pf * */
    char *libvirt_uri;      /* its libvirt connection URI, NULL when unknown */
} sfo_host;

struct sfo_inventory {
    GPtrArray *data_centers;  /* sfo_data_center * */
    GPtrArray *clusters;      /* sfo_cluster * */
    GPtrArray *networks;      /* sfo_network * */
    GPtrArray *vnic_profiles; /* sfo_vnic_profile * */
    GPtrArray *vms;           /* sfo_vm * */
    GPtrArray *nics;          /* sfo_nic * */
    GPtrArray *hosts;         /* sfo_host * */
    /* id -> object, one table per collection (borrowed values) */
    GHashTable *by_id[7];
    /* reverse indexes, built by sfo_inventory_index(): key -> GPtrArray of borrowed objects */
    GHashTable *nics_by_vm;           /* vm id -> sfo_nic * */
    GHashTable *nics_by_mac;          /* mac -> sfo_nic * */
    GHashTable *nics_by_profile;      /* vnic profile id -> sfo_nic * */
    GHashTable *profiles_by_failover; /* failover profile id -> sfo_vnic_profile * */
    GHashTable *profiles_by_network;  /* network id -> sfo_vnic_profile * */
};

/*
 * (Re)builds the id tables and reverse indexes after objects were added.
 * Fails with SFO_EINVALID (INVENTORY_DUPLICATE_ID) when two objects of one
 * collection share an id.
 */
int sfo_inventory_index(sfo_inventory *inv);

/*
 * Reverse lookups, borrowed; NULL when nothing matches. Lists are in
 * inventory order.
 */
const GPtrArray *sfo_inventory_nics_with_mac(const sfo_inventory *inv, const char *mac);
const GPtrArray *sfo_inventory_nics_with_profile(const sfo_inventory *inv, const char *profile_id);
const GPtrArray *sfo_inventory_profiles_with_failover(const sfo_inventory *inv,
                                                      const char *failover_id);
const GPtrArray *sfo_inventory_profiles_of_network(const sfo_inventory *inv,
                                                   const char *network_id);

/* Lookups by id: borrowed, NULL when absent or @id is NULL. */
sfo_data_center *sfo_inventory_find_data_center(const sfo_inventory *inv, const char *id);
sfo_cluster *sfo_inventory_find_cluster(const sfo_inventory *inv, const char *id);
sfo_network *sfo_inventory_find_network(const sfo_inventory *inv, const char *id);
sfo_vnic_profile *sfo_inventory_find_vnic_profile(const sfo_inventory *inv, const char *id);
sfo_vm *sfo_inventory_find_vm(const sfo_inventory *inv, const char *id);
sfo_nic *sfo_inventory_find_nic(const sfo_inventory *inv, const char *id);
sfo_host *sfo_inventory_find_host(const sfo_inventory *inv, const char *id);

/* The failover profile of @profile, NULL when it has none or it is missing. */
sfo_vnic_profile *sfo_inventory_failover_of(const sfo_inventory *inv,
                                            const sfo_vnic_profile *profile);

/* Effective chipset of @vm: its own, else its cluster's, else Q35 (SeaBIOS). */
sfo_bios_type sfo_vm_bios_type(const sfo_inventory *inv, const sfo_vm *vm);
gboolean sfo_bios_type_is_q35(sfo_bios_type type);

/* The NICs of @vm (borrowed sfo_nic *; free the array only). O(NICs of the VM). */
GPtrArray *sfo_inventory_nics_of_vm(const sfo_inventory *inv, const char *vm_id);

/* TRUE when @ids (char *) contains @id */
gboolean sfo_id_list_contains(const GPtrArray *ids, const char *id);

/* Object constructors/destructors; free functions accept NULL. */
sfo_inventory *sfo_inventory_new(void);
void sfo_data_center_free(sfo_data_center *dc);
void sfo_cluster_free(sfo_cluster *cluster);
void sfo_network_free(sfo_network *net);
void sfo_vnic_profile_free(sfo_vnic_profile *profile);
void sfo_vm_free(sfo_vm *vm);
void sfo_nic_free(sfo_nic *nic);
void sfo_host_free(sfo_host *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_inventory, sfo_inventory_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_vnic_profile, sfo_vnic_profile_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_nic, sfo_nic_free)

/*
 * Parsing single objects, as the REST API and sfo_rules_validate() need.
 * @path names the object in error messages (e.g. "vnic_profiles[3]").
 * Return 0 and the object, or SFO_EINVALID with the last error set.
 */
int sfo_vnic_profile_from_json(json_object *obj, const char *path, sfo_vnic_profile **ret_profile);
int sfo_nic_from_json(json_object *obj, const char *path, sfo_nic **ret_nic);

/* Parses a JSON text; errors name line and column (INVENTORY_SYNTAX_ERROR). */
int sfo_json_parse(const char *text, const char *origin, json_object **ret_obj);

/*
 * As sfo_inventory_load_string() on @len bytes at @data (a NUL in them is a
 * syntax error); @origin names the text in messages.
 */
int sfo_inventory_load_data(const char *data, size_t len, const char *origin,
                            sfo_inventory **ret_inventory);

/* The collections of an inventory, in the order the JSON form has them */
typedef enum {
    SFO_INVENTORY_COLL_DATA_CENTERS,
    SFO_INVENTORY_COLL_CLUSTERS,
    SFO_INVENTORY_COLL_NETWORKS,
    SFO_INVENTORY_COLL_VNIC_PROFILES,
    SFO_INVENTORY_COLL_VMS,
    SFO_INVENTORY_COLL_NICS,
    SFO_INVENTORY_COLL_HOSTS,
    SFO_INVENTORY_COLL_LAST
} sfo_inventory_coll;

/*
 * Writes an inventory in the text sfo_inventory_format() returns, object by
 * object, to @sink, which gets it in pieces of about 64 KiB and returns 0 or
 * <0 with the last error set (the writer then stops writing and returns
 * that). Collections are begun in order; one not begun is written empty.
 * The store's export streams with it: no whole inventory is ever held.
 */
typedef int (*sfo_inventory_sink)(const char *data, size_t len, gpointer opaque);
typedef struct sfo_inventory_writer sfo_inventory_writer;

sfo_inventory_writer *sfo_inventory_writer_new(sfo_inventory_sink sink, gpointer opaque);
void sfo_inventory_writer_free(sfo_inventory_writer *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_inventory_writer, sfo_inventory_writer_free)
/* Closes the collection under way and begins @coll (and, empty, those between). */
int sfo_inventory_writer_begin(sfo_inventory_writer *w, sfo_inventory_coll coll);
/* Adds @object (an sfo_data_center, ... sfo_host of the current collection; borrowed). */
int sfo_inventory_writer_add(sfo_inventory_writer *w, gconstpointer object);
/* Writes what is left (empty collections, the end) and hands everything to the sink. */
int sfo_inventory_writer_finish(sfo_inventory_writer *w);

/* The JSON form of one object, as in an inventory (the store's reads give them out). */
json_object *sfo_data_center_to_json(const sfo_data_center *dc);
json_object *sfo_cluster_to_json(const sfo_cluster *cl);
json_object *sfo_network_to_json(const sfo_network *net);
json_object *sfo_vnic_profile_to_json(const sfo_vnic_profile *p);
json_object *sfo_vm_to_json(const sfo_vm *vm);
json_object *sfo_nic_to_json(const sfo_nic *nic);
json_object *sfo_host_to_json(const sfo_host *host);

/* Empty lists of sfo_pf / sfo_vf that free their items (loaders build hosts with them). */
GPtrArray *sfo_pf_list_new(void);
GPtrArray *sfo_vf_list_new(void);
