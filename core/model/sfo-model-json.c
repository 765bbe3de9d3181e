/*
 * sfo-model-json.c: the inventory's JSON form (json-c), load and format
 *
 * Field names follow the oVirt REST API's JSON representation, so the same
 * code serves the REST API later. Loading is in three steps kept apart:
 * parse (json-c: syntax, with line and column), read (types and required
 * fields, each error naming its JSON path), link (unique ids, references).
 * docs/inventory-format.md describes the format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-json-reader.h"
#include "sfo-model.h"
#include "util/sfo-util.h"

/* ------------------------------------------------------------------------ */
/* parse                                                                    */
/* ------------------------------------------------------------------------ */

int
sfo_json_parse(const char *text, const char *origin, json_object **ret_obj)
{
    g_autoptr(sfo_json_reader) r = sfo_json_reader_new_data(text, strlen(text), origin);
    g_autoptr(json_object) obj = NULL;

    if (sfo_json_reader_value(r, &obj) < 0 || sfo_json_reader_end(r) < 0)
        return SFO_EINVALID;
    *ret_obj = g_steal_pointer(&obj);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* read: typed field access, every error names the JSON path                */
/* ------------------------------------------------------------------------ */

static const char *
sfo_json_type_name(json_object *obj)
{
    switch (json_object_get_type(obj)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "a boolean";
    case json_type_double:
        return "a number";
    case json_type_int:
        return "an integer";
    case json_type_object:
        return "an object";
    case json_type_array:
        return "an array";
    case json_type_string:
        return "a string";
    default:
        return "an unknown type";
    }
}

static int
sfo_json_wrong_type(const char *path, const char *field, const char *expected, json_object *val)
{
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE, "%s.%s: expected %s, found %s",
                     path, field, expected, sfo_json_type_name(val));
    return SFO_EINVALID;
}

/* Returns 1 and the member when present and not null, 0 when absent, <0 on error. */
static int
sfo_json_member(json_object *obj, const char *path, const char *field, gboolean required,
                json_object **ret_val)
{
    json_object *val = NULL;

    if (!json_object_object_get_ex(obj, field, &val) || val == NULL) {
        if (required) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD,
                             "%s: required field '%s' is missing", path, field);
            return SFO_EINVALID;
        }
        return 0;
    }
    *ret_val = val;
    return 1;
}

/*
 * Strings end up in libvirt XML, messages and terminals: they must be valid
 * UTF-8 without control characters, and without an embedded NUL (\u0000),
 * which would silently cut the C string short.
 */
static gboolean
sfo_json_string_is_text(json_object *val)
{
    const char *str = json_object_get_string(val);
    size_t len = (size_t)json_object_get_string_len(val);
    size_t i;

    if (strlen(str) != len || !g_utf8_validate(str, (gssize)len, NULL))
        return FALSE;
    for (i = 0; i < len; i++) {
        if ((unsigned char)str[i] < 0x20 || str[i] == 0x7f)
            return FALSE;
    }
    return TRUE;
}

static int
sfo_json_get_string(json_object *obj, const char *path, const char *field, gboolean required,
                    char **ret_str)
{
    json_object *val;
    int rc;

    if ((rc = sfo_json_member(obj, path, field, required, &val)) <= 0)
        return rc;
    if (!json_object_is_type(val, json_type_string))
        return sfo_json_wrong_type(path, field, "a string", val);
    if (!sfo_json_string_is_text(val)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                         "%s.%s: must be UTF-8 text without control characters", path, field);
        return SFO_EINVALID;
    }
    if (required && json_object_get_string_len(val) == 0) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE, "%s.%s: must not be empty",
                         path, field);
        return SFO_EINVALID;
    }
    *ret_str = g_strdup(json_object_get_string(val));
    return 1;
}

static int
sfo_json_get_bool(json_object *obj, const char *path, const char *field, gboolean *ret_bool)
{
    json_object *val;
    int rc;

    if ((rc = sfo_json_member(obj, path, field, FALSE, &val)) <= 0)
        return rc;
    if (!json_object_is_type(val, json_type_boolean))
        return sfo_json_wrong_type(path, field, "a boolean", val);
    *ret_bool = json_object_get_boolean(val);
    return 1;
}

static int
sfo_json_get_int(json_object *obj, const char *path, const char *field, gboolean required, int min,
                 int max, int *ret_int)
{
    json_object *val;
    int64_t n;
    int rc;

    if ((rc = sfo_json_member(obj, path, field, required, &val)) <= 0)
        return rc;
    if (!json_object_is_type(val, json_type_int))
        return sfo_json_wrong_type(path, field, "an integer", val);
    n = json_object_get_int64(val);
    if (n < min || n > max) {
        /* as written: json-c clamps what does not fit in 64 bits (sfo-json-reader.h) */
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                         "%s.%s: %s is out of range %d..%d", path, field,
                         json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN), min, max);
        return SFO_EINVALID;
    }
    *ret_int = (int)n;
    return 1;
}

static int
sfo_json_get_object(json_object *obj, const char *path, const char *field, gboolean required,
                    json_object **ret_val)
{
    json_object *val;
    int rc;

    if ((rc = sfo_json_member(obj, path, field, required, &val)) <= 0)
        return rc;
    if (!json_object_is_type(val, json_type_object))
        return sfo_json_wrong_type(path, field, "an object", val);
    *ret_val = val;
    return 1;
}

static int
sfo_json_get_array(json_object *obj, const char *path, const char *field, gboolean required,
                   json_object **ret_val)
{
    json_object *val;
    int rc;

    if ((rc = sfo_json_member(obj, path, field, required, &val)) <= 0)
        return rc;
    if (!json_object_is_type(val, json_type_array))
        return sfo_json_wrong_type(path, field, "an array", val);
    *ret_val = val;
    return 1;
}

static int
sfo_json_check_id(const char *path, const char *field, const char *id)
{
    if (!sfo_id_is_valid(id)) {
        sfo_error_report(
            SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
            "%s.%s: id '%s' may only hold letters, digits, '_' and '-' (it becomes a libvirt alias)",
            path, field, id);
        return SFO_EINVALID;
    }
    return 0;
}

/* A link to another object: "field": {"id": "..."} (oVirt's <field id="..."/>). */
static int
sfo_json_get_ref(json_object *obj, const char *path, const char *field, gboolean required,
                 char **ret_id)
{
    g_autofree char *subpath = NULL;
    json_object *ref = NULL;
    char *id = NULL;
    int rc;

    if ((rc = sfo_json_get_object(obj, path, field, required, &ref)) <= 0)
        return rc;
    subpath = g_strdup_printf("%s.%s", path, field);
    if (sfo_json_get_string(ref, subpath, "id", TRUE, &id) < 0)
        return SFO_EINVALID;
    if (sfo_json_check_id(subpath, "id", id) < 0) {
        g_free(id);
        return SFO_EINVALID;
    }
    *ret_id = id;
    return 1;
}

/* A list of links: "field": [{"id": ...}, ...] */
static int
sfo_json_get_ref_list(json_object *obj, const char *path, const char *field, GPtrArray **ret_ids)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    json_object *arr = NULL;
    size_t i;
    int rc;

    if ((rc = sfo_json_get_array(obj, path, field, FALSE, &arr)) < 0)
        return rc;
    for (i = 0; rc > 0 && i < json_object_array_length(arr); i++) {
        json_object *item = json_object_array_get_idx(arr, i);
        g_autofree char *itempath = g_strdup_printf("%s.%s[%zu]", path, field, i);
        char *id = NULL;

        if (!json_object_is_type(item, json_type_object)) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                             "%s: expected an object, found %s", itempath,
                             sfo_json_type_name(item));
            return SFO_EINVALID;
        }
        if (sfo_json_get_string(item, itempath, "id", TRUE, &id) < 0)
            return SFO_EINVALID;
        g_ptr_array_add(ids, id);
        if (sfo_json_check_id(itempath, "id", id) < 0)
            return SFO_EINVALID;
    }
    *ret_ids = g_steal_pointer(&ids);
    return 0;
}

static int
sfo_json_get_enum(json_object *obj, const char *path, const char *field,
                  int (*from_string)(const char *), const char *allowed, int *ret_value)
{
    g_autofree char *str = NULL;
    int rc;
    int value;

    if ((rc = sfo_json_get_string(obj, path, field, FALSE, &str)) <= 0)
        return rc;
    if ((value = from_string(str)) < 0) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                         "%s.%s: unknown value '%s' (expected one of: %s)", path, field, str,
                         allowed);
        return SFO_EINVALID;
    }
    *ret_value = value;
    return 1;
}

/* Reads id (checked) and name, the two fields every object has. */
static int
sfo_json_get_identity(json_object *obj, const char *path, char **ret_id, char **ret_name)
{
    if (!json_object_is_type(obj, json_type_object)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "%s: expected an object, found %s", path, sfo_json_type_name(obj));
        return SFO_EINVALID;
    }
    if (sfo_json_get_string(obj, path, "id", TRUE, ret_id) < 0 ||
        sfo_json_check_id(path, "id", *ret_id) < 0 ||
        sfo_json_get_string(obj, path, "name", TRUE, ret_name) < 0)
        return SFO_EINVALID;
    return 0;
}

static int
sfo_data_center_from_json(json_object *obj, const char *path, sfo_data_center **ret_dc)
{
    sfo_data_center *dc = g_new0(sfo_data_center, 1);

    if (sfo_json_get_identity(obj, path, &dc->id, &dc->name) < 0) {
        sfo_data_center_free(dc);
        return SFO_EINVALID;
    }
    *ret_dc = dc;
    return 0;
}

static int
sfo_cluster_from_json(json_object *obj, const char *path, sfo_cluster **ret_cluster)
{
    sfo_cluster *cl = g_new0(sfo_cluster, 1);
    g_autofree char *vpath = g_strdup_printf("%s.version", path);
    json_object *version = NULL;
    int bios = SFO_BIOS_TYPE_UNSET;

    if (sfo_json_get_identity(obj, path, &cl->id, &cl->name) < 0 ||
        sfo_json_get_ref(obj, path, "data_center", TRUE, &cl->data_center_id) < 0 ||
        sfo_json_get_object(obj, path, "version", TRUE, &version) < 0 ||
        sfo_json_get_int(version, vpath, "major", TRUE, 0, 1000, &cl->version_major) < 0 ||
        sfo_json_get_int(version, vpath, "minor", TRUE, 0, 1000, &cl->version_minor) < 0 ||
        sfo_json_get_enum(obj, path, "bios_type", sfo_bios_type_from_string,
                          "i440fx_sea_bios, q35_sea_bios, q35_ovmf, q35_secure_boot", &bios) < 0 ||
        sfo_json_get_ref_list(obj, path, "networks", &cl->network_ids) < 0) {
        sfo_cluster_free(cl);
        return SFO_EINVALID;
    }
    cl->bios_type = bios;
    *ret_cluster = cl;
    return 0;
}

static int
sfo_network_from_json(json_object *obj, const char *path, sfo_network **ret_net)
{
    sfo_network *net = g_new0(sfo_network, 1);
    g_autofree char *vpath = g_strdup_printf("%s.vlan", path);
    g_autofree char *lpath = g_strdup_printf("%s.libvirt_network", path);
    json_object *vlan = NULL;
    json_object *lnet = NULL;
    int rc;

    net->vlan_id = -1;
    if (sfo_json_get_identity(obj, path, &net->id, &net->name) < 0 ||
        sfo_json_get_ref(obj, path, "data_center", TRUE, &net->data_center_id) < 0 ||
        (rc = sfo_json_get_object(obj, path, "vlan", FALSE, &vlan)) < 0 ||
        (rc > 0 && sfo_json_get_int(vlan, vpath, "id", TRUE, 0, 4094, &net->vlan_id) < 0) ||
        sfo_json_get_int(obj, path, "mtu", FALSE, 68, 65535, &net->mtu) < 0 ||
        sfo_json_get_ref(obj, path, "external_provider", FALSE, &net->external_provider_id) < 0 ||
        sfo_json_get_string(obj, path, "bridge", FALSE, &net->bridge) < 0 ||
        (rc = sfo_json_get_object(obj, path, "libvirt_network", FALSE, &lnet)) < 0)
        goto error;
    if (rc > 0) {
        int link = -1;

        if (sfo_json_get_string(lnet, lpath, "name", TRUE, &net->libvirt_network) < 0 ||
            sfo_json_get_enum(lnet, lpath, "type", sfo_network_link_from_string,
                              "bridge, macvtap, hostdev", &link) < 0)
            goto error;
        if (link <= SFO_NETWORK_LINK_BRIDGE) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_MISSING_FIELD,
                             "%s: required field 'type' (bridge, macvtap or hostdev) is missing",
                             lpath);
            goto error;
        }
        net->link = link;
    }
    if (!net->bridge)
        net->bridge = g_strdup(net->name);
    *ret_net = net;
    return 0;

error:
    sfo_network_free(net);
    return SFO_EINVALID;
}

int
sfo_vnic_profile_from_json(json_object *obj, const char *path, sfo_vnic_profile **ret_profile)
{
    g_autoptr(sfo_vnic_profile) p = g_new0(sfo_vnic_profile, 1);
    g_autofree char *ptpath = g_strdup_printf("%s.pass_through", path);
    g_autofree char *mode = NULL;
    json_object *pt = NULL;
    int rc;

    if (sfo_json_get_identity(obj, path, &p->id, &p->name) < 0 ||
        sfo_json_get_ref(obj, path, "network", TRUE, &p->network_id) < 0 ||
        (rc = sfo_json_get_object(obj, path, "pass_through", FALSE, &pt)) < 0 ||
        (rc > 0 && sfo_json_get_string(pt, ptpath, "mode", TRUE, &mode) < 0) ||
        sfo_json_get_bool(obj, path, "migratable", &p->migratable) < 0 ||
        sfo_json_get_ref(obj, path, "failover", FALSE, &p->failover_id) < 0 ||
        sfo_json_get_bool(obj, path, "port_mirroring", &p->port_mirroring) < 0 ||
        sfo_json_get_ref(obj, path, "qos", FALSE, &p->qos_id) < 0 ||
        sfo_json_get_ref(obj, path, "network_filter", FALSE, &p->network_filter_id) < 0)
        return SFO_EINVALID;
    if (mode) {
        if (g_str_equal(mode, "enabled")) {
            p->pass_through = TRUE;
        } else if (!g_str_equal(mode, "disabled")) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                             "%s.mode: unknown value '%s' (expected one of: enabled, disabled)",
                             ptpath, mode);
            return SFO_EINVALID;
        }
    }
    *ret_profile = g_steal_pointer(&p);
    return 0;
}

static int
sfo_vm_from_json(json_object *obj, const char *path, sfo_vm **ret_vm)
{
    sfo_vm *vm = g_new0(sfo_vm, 1);
    g_autofree char *ospath = g_strdup_printf("%s.os", path);
    g_autofree char *biospath = g_strdup_printf("%s.bios", path);
    json_object *os = NULL;
    json_object *bios = NULL;
    int bios_type = SFO_BIOS_TYPE_UNSET;
    int status = SFO_VM_STATUS_DOWN;
    int rc;

    if (sfo_json_get_identity(obj, path, &vm->id, &vm->name) < 0 ||
        sfo_json_get_ref(obj, path, "cluster", TRUE, &vm->cluster_id) < 0 ||
        (rc = sfo_json_get_object(obj, path, "os", FALSE, &os)) < 0 ||
        (rc > 0 && sfo_json_get_string(os, ospath, "type", FALSE, &vm->os_type) < 0) ||
        (rc = sfo_json_get_object(obj, path, "bios", FALSE, &bios)) < 0 ||
        (rc > 0 && sfo_json_get_enum(bios, biospath, "type", sfo_bios_type_from_string,
                                     "cluster_default, i440fx_sea_bios, q35_sea_bios, "
                                     "q35_ovmf, q35_secure_boot",
                                     &bios_type) < 0) ||
        sfo_json_get_enum(obj, path, "status", sfo_vm_status_from_string,
                          "down, up, powering_up, paused, migrating, suspended", &status) < 0 ||
        sfo_json_get_ref(obj, path, "host", FALSE, &vm->host_id) < 0) {
        sfo_vm_free(vm);
        return SFO_EINVALID;
    }
    if (!vm->os_type)
        vm->os_type = g_strdup("other");
    vm->bios_type = bios_type;
    vm->status = status;
    *ret_vm = vm;
    return 0;
}

int
sfo_nic_from_json(json_object *obj, const char *path, sfo_nic **ret_nic)
{
    g_autoptr(sfo_nic) nic = g_new0(sfo_nic, 1);
    g_autofree char *macpath = g_strdup_printf("%s.mac", path);
    g_autofree char *vfpath = g_strdup_printf("%s.vf", path);
    g_autofree char *mac = NULL;
    json_object *macobj = NULL;
    json_object *vf = NULL;
    int iface = SFO_NIC_INTERFACE_VIRTIO;
    int rc;

    nic->plugged = TRUE;
    if (sfo_json_get_identity(obj, path, &nic->id, &nic->name) < 0 ||
        sfo_json_get_ref(obj, path, "vm", TRUE, &nic->vm_id) < 0 ||
        sfo_json_get_ref(obj, path, "vnic_profile", FALSE, &nic->vnic_profile_id) < 0 ||
        sfo_json_get_enum(obj, path, "interface", sfo_nic_interface_from_string,
                          "virtio, pci_passthrough, e1000, e1000e, rtl8139, spapr_vlan",
                          &iface) < 0 ||
        sfo_json_get_object(obj, path, "mac", TRUE, &macobj) < 0 ||
        sfo_json_get_string(macobj, macpath, "address", TRUE, &mac) < 0 ||
        sfo_json_get_bool(obj, path, "plugged", &nic->plugged) < 0 ||
        (rc = sfo_json_get_object(obj, path, "vf", FALSE, &vf)) < 0 ||
        (rc > 0 && sfo_json_get_string(vf, vfpath, "address", TRUE, &nic->vf_address) < 0))
        return SFO_EINVALID;
    if (!(nic->mac = sfo_mac_normalize(mac))) {
        sfo_error_report(
            SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
            "%s.address: '%s' is not a MAC address (six hex octets, e.g. 56:6f:1a:2b:00:01)",
            macpath, mac);
        return SFO_EINVALID;
    }
    if (nic->vf_address && !sfo_pci_address_parse(nic->vf_address, NULL)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                         "%s.address: '%s' is not a PCI address (e.g. 0000:3b:02.3)", vfpath,
                         nic->vf_address);
        return SFO_EINVALID;
    }
    nic->interface = iface;
    *ret_nic = g_steal_pointer(&nic);
    return 0;
}

static int
sfo_pci_address_from_json(json_object *obj, const char *path, char **ret_address)
{
    g_autofree char *address = NULL;

    if (sfo_json_get_string(obj, path, "address", TRUE, &address) < 0)
        return SFO_EINVALID;
    if (!sfo_pci_address_parse(address, NULL)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                         "%s.address: '%s' is not a PCI address (e.g. 0000:3b:02.3)", path,
                         address);
        return SFO_EINVALID;
    }
    *ret_address = g_steal_pointer(&address);
    return 0;
}

static int
sfo_pf_from_json(json_object *obj, const char *path, GPtrArray *pfs)
{
    json_object *vfs = NULL;
    sfo_pf *pf = g_new0(sfo_pf, 1);
    size_t i;

    g_ptr_array_add(pfs, pf); /* owned by @pfs from here on, also on error */
    pf->vfs = sfo_vf_list_new();
    if (!json_object_is_type(obj, json_type_object)) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "%s: expected an object, found %s", path, sfo_json_type_name(obj));
        return SFO_EINVALID;
    }
    if (sfo_json_get_string(obj, path, "name", TRUE, &pf->name) < 0 ||
        sfo_pci_address_from_json(obj, path, &pf->address) < 0 ||
        sfo_json_get_ref_list(obj, path, "networks", &pf->network_ids) < 0 ||
        sfo_json_get_array(obj, path, "vfs", FALSE, &vfs) < 0)
        return SFO_EINVALID;
    for (i = 0; vfs && i < json_object_array_length(vfs); i++) {
        g_autofree char *vfpath = g_strdup_printf("%s.vfs[%zu]", path, i);
        json_object *item = json_object_array_get_idx(vfs, i);
        sfo_vf *vf = g_new0(sfo_vf, 1);

        g_ptr_array_add(pf->vfs, vf);
        if (!json_object_is_type(item, json_type_object)) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                             "%s: expected an object, found %s", vfpath, sfo_json_type_name(item));
            return SFO_EINVALID;
        }
        if (sfo_pci_address_from_json(item, vfpath, &vf->address) < 0 ||
            sfo_json_get_ref(item, vfpath, "nic", FALSE, &vf->nic_id) < 0)
            return SFO_EINVALID;
    }
    return 0;
}

static int
sfo_host_from_json(json_object *obj, const char *path, sfo_host **ret_host)
{
    sfo_host *host = g_new0(sfo_host, 1);
    json_object *pfs = NULL;
    size_t i;

    host->pfs = sfo_pf_list_new();
    if (sfo_json_get_identity(obj, path, &host->id, &host->name) < 0 ||
        sfo_json_get_ref(obj, path, "cluster", TRUE, &host->cluster_id) < 0 ||
        sfo_json_get_ref_list(obj, path, "networks", &host->network_ids) < 0 ||
        sfo_json_get_string(obj, path, "libvirt_uri", FALSE, &host->libvirt_uri) < 0 ||
        sfo_json_get_array(obj, path, "sriov_pfs", FALSE, &pfs) < 0)
        goto error;
    if (host->libvirt_uri && !host->libvirt_uri[0]) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                         "%s.libvirt_uri: must not be empty", path);
        goto error;
    }
    for (i = 0; pfs && i < json_object_array_length(pfs); i++) {
        g_autofree char *pfpath = g_strdup_printf("%s.sriov_pfs[%zu]", path, i);

        if (sfo_pf_from_json(json_object_array_get_idx(pfs, i), pfpath, host->pfs) < 0)
            goto error;
    }
    *ret_host = host;
    return 0;

error:
    sfo_host_free(host);
    return SFO_EINVALID;
}

typedef int (*sfo_object_reader)(json_object *obj, const char *path, gpointer *ret_obj);

/*
 * The elements of one collection, each built by the reader as a json-c
 * object, read into the model and released at once: json-c never holds more
 * than one element of the inventory.
 */
static int
sfo_json_read_collection(sfo_json_reader *r, const char *name, sfo_object_reader reader,
                         GPtrArray *out)
{
    char c = 0;
    int more;
    int rc;

    if ((rc = sfo_json_reader_peek(r, &c)) < 0)
        return rc;
    if (rc > 0 && c != '[') {
        g_autoptr(json_object) val = NULL;

        if (sfo_json_reader_value(r, &val) < 0)
            return SFO_EINVALID;
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "$.%s: expected an array, found %s", name, sfo_json_type_name(val));
        return SFO_EINVALID;
    }
    more = sfo_json_reader_open(r, '[', ']');
    while (more > 0) {
        g_autofree char *path = g_strdup_printf("%s[%u]", name, out->len);
        g_autoptr(json_object) item = NULL;
        gpointer obj = NULL;

        if (sfo_json_reader_value(r, &item) < 0 || reader(item, path, &obj) < 0)
            return SFO_EINVALID;
        g_ptr_array_add(out, obj);
        more = sfo_json_reader_next(r, ']', json_tokener_error_parse_array);
    }
    return more;
}

/* ------------------------------------------------------------------------ */
/* link: references between objects                                        */
/* ------------------------------------------------------------------------ */

static int
sfo_unknown_reference(const char *path, const char *what, const char *id)
{
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_UNKNOWN_REFERENCE,
                     "%s: no %s with id '%s' in the inventory", path, what, id);
    return SFO_EINVALID;
}

static int
sfo_check_network_refs(const sfo_inventory *inv, const GPtrArray *ids, const char *path)
{
    guint i;

    for (i = 0; ids && i < ids->len; i++) {
        const char *id = g_ptr_array_index(ids, i);

        if (!sfo_inventory_find_network(inv, id)) {
            g_autofree char *p = g_strdup_printf("%s.networks[%u].id", path, i);

            return sfo_unknown_reference(p, "network", id);
        }
    }
    return 0;
}

static int
sfo_inventory_link(sfo_inventory *inv)
{
    guint i;
    guint j;
    guint k;

    if (sfo_inventory_index(inv) < 0)
        return SFO_EINVALID;

#define SFO_CHECK_REF(coll, idx, field, what, finder) \
    do { \
        if (field && !finder(inv, field)) { \
            g_autofree char *p_ = g_strdup_printf("%s[%u].%s.id", coll, idx, what); \
            return sfo_unknown_reference(p_, what, field); \
        } \
    } while (0)

    for (i = 0; i < inv->clusters->len; i++) {
        sfo_cluster *cl = g_ptr_array_index(inv->clusters, i);
        g_autofree char *p = g_strdup_printf("clusters[%u]", i);

        SFO_CHECK_REF("clusters", i, cl->data_center_id, "data_center",
                      sfo_inventory_find_data_center);
        if (sfo_check_network_refs(inv, cl->network_ids, p) < 0)
            return SFO_EINVALID;
    }
    for (i = 0; i < inv->networks->len; i++) {
        sfo_network *net = g_ptr_array_index(inv->networks, i);

        SFO_CHECK_REF("networks", i, net->data_center_id, "data_center",
                      sfo_inventory_find_data_center);
    }
    for (i = 0; i < inv->vnic_profiles->len; i++) {
        sfo_vnic_profile *p = g_ptr_array_index(inv->vnic_profiles, i);

        /* failover is a reference the rules judge (its own violation key) */
        SFO_CHECK_REF("vnic_profiles", i, p->network_id, "network", sfo_inventory_find_network);
    }
    for (i = 0; i < inv->vms->len; i++) {
        sfo_vm *vm = g_ptr_array_index(inv->vms, i);

        SFO_CHECK_REF("vms", i, vm->cluster_id, "cluster", sfo_inventory_find_cluster);
        SFO_CHECK_REF("vms", i, vm->host_id, "host", sfo_inventory_find_host);
    }
    for (i = 0; i < inv->nics->len; i++) {
        sfo_nic *nic = g_ptr_array_index(inv->nics, i);

        SFO_CHECK_REF("nics", i, nic->vm_id, "vm", sfo_inventory_find_vm);
        SFO_CHECK_REF("nics", i, nic->vnic_profile_id, "vnic_profile",
                      sfo_inventory_find_vnic_profile);
    }
    for (i = 0; i < inv->hosts->len; i++) {
        sfo_host *host = g_ptr_array_index(inv->hosts, i);
        g_autofree char *p = g_strdup_printf("hosts[%u]", i);

        SFO_CHECK_REF("hosts", i, host->cluster_id, "cluster", sfo_inventory_find_cluster);
        if (sfo_check_network_refs(inv, host->network_ids, p) < 0)
            return SFO_EINVALID;
        for (j = 0; j < host->pfs->len; j++) {
            sfo_pf *pf = g_ptr_array_index(host->pfs, j);
            g_autofree char *pfp = g_strdup_printf("hosts[%u].sriov_pfs[%u]", i, j);

            if (sfo_check_network_refs(inv, pf->network_ids, pfp) < 0)
                return SFO_EINVALID;
            for (k = 0; k < pf->vfs->len; k++) {
                sfo_vf *vf = g_ptr_array_index(pf->vfs, k);

                if (vf->nic_id && !sfo_inventory_find_nic(inv, vf->nic_id)) {
                    g_autofree char *vfp = g_strdup_printf("%s.vfs[%u].nic.id", pfp, k);

                    return sfo_unknown_reference(vfp, "nic", vf->nic_id);
                }
            }
        }
    }
#undef SFO_CHECK_REF
    return 0;
}

/* ------------------------------------------------------------------------ */
/* public: load                                                             */
/* ------------------------------------------------------------------------ */

/*
 * The document: an object whose known keys (compared by length) hold the
 * collections, in any order; other keys are read and dropped.
 */
static int
sfo_inventory_read(sfo_json_reader *r, sfo_inventory *inv)
{
    const struct {
        const char *name;
        sfo_object_reader reader;
        GPtrArray *out;
    } colls[] = {
        { "data_centers", (sfo_object_reader)sfo_data_center_from_json, inv->data_centers },
        { "clusters", (sfo_object_reader)sfo_cluster_from_json, inv->clusters },
        { "networks", (sfo_object_reader)sfo_network_from_json, inv->networks },
        { "vnic_profiles", (sfo_object_reader)sfo_vnic_profile_from_json, inv->vnic_profiles },
        { "vms", (sfo_object_reader)sfo_vm_from_json, inv->vms },
        { "nics", (sfo_object_reader)sfo_nic_from_json, inv->nics },
        { "hosts", (sfo_object_reader)sfo_host_from_json, inv->hosts },
    };
    gboolean seen[G_N_ELEMENTS(colls)] = { FALSE };
    char c = 0;
    int more;
    int rc;

    if ((rc = sfo_json_reader_peek(r, &c)) < 0)
        return rc;
    if (rc == 0 || c != '{') {
        g_autoptr(json_object) root = NULL;

        if (sfo_json_reader_value(r, &root) < 0 || sfo_json_reader_end(r) < 0)
            return SFO_EINVALID;
        sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_WRONG_TYPE,
                         "$: expected an object with the inventory's arrays, found %s",
                         sfo_json_type_name(root));
        return SFO_EINVALID;
    }
    more = sfo_json_reader_open(r, '{', '}');
    while (more > 0) {
        g_autofree char *key = NULL;
        size_t i;

        if (sfo_json_reader_key(r, &key) < 0)
            return SFO_EINVALID;
        for (i = 0; key && i < G_N_ELEMENTS(colls); i++) {
            if (g_str_equal(key, colls[i].name))
                break;
        }
        if (!key || i == G_N_ELEMENTS(colls)) {
            g_autoptr(json_object) ignored = NULL;

            if (sfo_json_reader_value(r, &ignored) < 0)
                return SFO_EINVALID;
        } else if (seen[i]) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_INVALID_VALUE,
                             "$.%s: the collection appears twice", key);
            return SFO_EINVALID;
        } else {
            seen[i] = TRUE;
            if (sfo_json_read_collection(r, colls[i].name, colls[i].reader, colls[i].out) < 0)
                return SFO_EINVALID;
        }
        more = sfo_json_reader_next(r, '}', json_tokener_error_parse_object_value_sep);
    }
    if (more < 0 || sfo_json_reader_end(r) < 0)
        return SFO_EINVALID;
    return 0;
}

static int
sfo_inventory_load_reader(sfo_json_reader *r, sfo_inventory **ret_inventory)
{
    g_autoptr(sfo_inventory) inv = sfo_inventory_new();
    const sfo_error *err;

    if (sfo_inventory_read(r, inv) < 0 || sfo_inventory_link(inv) < 0) {
        /* prefix the origin once, here, so every read error names the file */
        int code;

        err = sfo_error_last();
        code = err ? err->code : SFO_EINVALID;
        if (code == SFO_EINVALID && !g_str_equal(err->key, SFO_KEY_INVENTORY_SYNTAX_ERROR)) {
            g_autofree char *key = g_strdup(err->key);
            g_autofree char *msg = g_strdup(err->message);

            sfo_error_report(SFO_EINVALID, key, "%s: %s", sfo_json_reader_origin(r), msg);
        }
        return code;
    }
    *ret_inventory = g_steal_pointer(&inv);
    return 0;
}

int
sfo_inventory_load_data(const char *data, size_t len, const char *origin,
                        sfo_inventory **ret_inventory)
{
    g_autoptr(sfo_json_reader) r = sfo_json_reader_new_data(data, len, origin);

    return sfo_inventory_load_reader(r, ret_inventory);
}

int
sfo_inventory_load_string(const char *json, unsigned int flags, sfo_inventory **ret_inventory)
{
    sfo_return_val_if_fail(json != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_inventory != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    return sfo_inventory_load_data(json, strlen(json), "<string>", ret_inventory);
}

int
sfo_inventory_load_file(const char *path, unsigned int flags, sfo_inventory **ret_inventory)
{
    g_autoptr(sfo_json_reader) r = NULL;

    sfo_return_val_if_fail(path != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_inventory != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if (!(r = sfo_json_reader_new_file(path)))
        return SFO_EIO;
    return sfo_inventory_load_reader(r, ret_inventory);
}

/* ------------------------------------------------------------------------ */
/* public: format                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Adds @field to @obj, a new object being written: every field here is a
 * string constant added once, so json-c neither copies the key nor looks
 * for it first (a list of 100 profiles is some 1,000 fields).
 */
static void
sfo_json_put(json_object *obj, const char *field, json_object *value)
{
    json_object_object_add_ex(obj, field, value,
                              JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

static void
sfo_json_add_string(json_object *obj, const char *field, const char *value)
{
    if (value)
        sfo_json_put(obj, field, json_object_new_string(value));
}

static void
sfo_json_add_ref(json_object *obj, const char *field, const char *id)
{
    json_object *ref;

    if (!id)
        return;
    ref = json_object_new_object();
    sfo_json_put(ref, "id", json_object_new_string(id));
    sfo_json_put(obj, field, ref);
}

static void
sfo_json_add_ref_list(json_object *obj, const char *field, const GPtrArray *ids)
{
    json_object *arr = json_object_new_array();
    guint i;

    for (i = 0; ids && i < ids->len; i++) {
        json_object *ref = json_object_new_object();

        sfo_json_put(ref, "id", json_object_new_string(g_ptr_array_index(ids, i)));
        json_object_array_add(arr, ref);
    }
    sfo_json_put(obj, field, arr);
}

static json_object *
sfo_json_new_identity(const char *id, const char *name)
{
    json_object *obj = json_object_new_object();

    sfo_json_add_string(obj, "id", id);
    sfo_json_add_string(obj, "name", name);
    return obj;
}

static json_object *
sfo_json_new_with(const char *field, json_object *value)
{
    json_object *obj = json_object_new_object();

    sfo_json_put(obj, field, value);
    return obj;
}

json_object *
sfo_cluster_to_json(const sfo_cluster *cl)
{
    json_object *obj = sfo_json_new_identity(cl->id, cl->name);
    json_object *version = json_object_new_object();

    sfo_json_add_ref(obj, "data_center", cl->data_center_id);
    sfo_json_put(version, "major", json_object_new_int(cl->version_major));
    sfo_json_put(version, "minor", json_object_new_int(cl->version_minor));
    sfo_json_put(obj, "version", version);
    if (cl->bios_type != SFO_BIOS_TYPE_UNSET)
        sfo_json_add_string(obj, "bios_type", sfo_bios_type_to_string(cl->bios_type));
    sfo_json_add_ref_list(obj, "networks", cl->network_ids);
    return obj;
}

json_object *
sfo_network_to_json(const sfo_network *net)
{
    json_object *obj = sfo_json_new_identity(net->id, net->name);

    sfo_json_add_ref(obj, "data_center", net->data_center_id);
    if (net->vlan_id >= 0)
        sfo_json_put(obj, "vlan", sfo_json_new_with("id", json_object_new_int(net->vlan_id)));
    if (net->mtu > 0)
        sfo_json_put(obj, "mtu", json_object_new_int(net->mtu));
    sfo_json_add_ref(obj, "external_provider", net->external_provider_id);
    sfo_json_add_string(obj, "bridge", net->bridge);
    if (net->link != SFO_NETWORK_LINK_BRIDGE) {
        json_object *lnet = json_object_new_object();

        sfo_json_add_string(lnet, "name", net->libvirt_network);
        sfo_json_add_string(lnet, "type", sfo_network_link_to_string(net->link));
        sfo_json_put(obj, "libvirt_network", lnet);
    }
    return obj;
}

json_object *
sfo_vnic_profile_to_json(const sfo_vnic_profile *p)
{
    json_object *obj = sfo_json_new_identity(p->id, p->name);

    sfo_json_add_ref(obj, "network", p->network_id);
    sfo_json_put(obj, "pass_through",
                 sfo_json_new_with(
                     "mode", json_object_new_string(p->pass_through ? "enabled" : "disabled")));
    sfo_json_put(obj, "migratable", json_object_new_boolean(p->migratable));
    sfo_json_add_ref(obj, "failover", p->failover_id);
    sfo_json_put(obj, "port_mirroring", json_object_new_boolean(p->port_mirroring));
    sfo_json_add_ref(obj, "qos", p->qos_id);
    sfo_json_add_ref(obj, "network_filter", p->network_filter_id);
    return obj;
}

json_object *
sfo_vm_to_json(const sfo_vm *vm)
{
    json_object *obj = sfo_json_new_identity(vm->id, vm->name);

    sfo_json_add_ref(obj, "cluster", vm->cluster_id);
    sfo_json_put(obj, "os", sfo_json_new_with("type", json_object_new_string(vm->os_type)));
    if (vm->bios_type != SFO_BIOS_TYPE_UNSET)
        sfo_json_put(obj, "bios",
                     sfo_json_new_with(
                         "type", json_object_new_string(sfo_bios_type_to_string(vm->bios_type))));
    sfo_json_add_string(obj, "status", sfo_vm_status_to_string(vm->status));
    sfo_json_add_ref(obj, "host", vm->host_id);
    return obj;
}

json_object *
sfo_nic_to_json(const sfo_nic *nic)
{
    json_object *obj = sfo_json_new_identity(nic->id, nic->name);

    sfo_json_add_ref(obj, "vm", nic->vm_id);
    sfo_json_add_ref(obj, "vnic_profile", nic->vnic_profile_id);
    sfo_json_add_string(obj, "interface", sfo_nic_interface_to_string(nic->interface));
    sfo_json_put(obj, "mac", sfo_json_new_with("address", json_object_new_string(nic->mac)));
    sfo_json_put(obj, "plugged", json_object_new_boolean(nic->plugged));
    if (nic->vf_address)
        sfo_json_put(obj, "vf",
                     sfo_json_new_with("address", json_object_new_string(nic->vf_address)));
    return obj;
}

json_object *
sfo_host_to_json(const sfo_host *host)
{
    json_object *obj = sfo_json_new_identity(host->id, host->name);
    json_object *pfs = json_object_new_array();
    guint i;
    guint j;

    sfo_json_add_ref(obj, "cluster", host->cluster_id);
    sfo_json_add_ref_list(obj, "networks", host->network_ids);
    sfo_json_add_string(obj, "libvirt_uri", host->libvirt_uri);
    for (i = 0; i < host->pfs->len; i++) {
        const sfo_pf *pf = g_ptr_array_index(host->pfs, i);
        json_object *pfobj = json_object_new_object();
        json_object *vfs = json_object_new_array();

        sfo_json_add_string(pfobj, "name", pf->name);
        sfo_json_add_string(pfobj, "address", pf->address);
        sfo_json_add_ref_list(pfobj, "networks", pf->network_ids);
        for (j = 0; j < pf->vfs->len; j++) {
            const sfo_vf *vf = g_ptr_array_index(pf->vfs, j);
            json_object *vfobj = json_object_new_object();

            sfo_json_add_string(vfobj, "address", vf->address);
            sfo_json_add_ref(vfobj, "nic", vf->nic_id);
            json_object_array_add(vfs, vfobj);
        }
        sfo_json_put(pfobj, "vfs", vfs);
        json_object_array_add(pfs, pfobj);
    }
    sfo_json_put(obj, "sriov_pfs", pfs);
    return obj;
}

json_object *
sfo_data_center_to_json(const sfo_data_center *dc)
{
    return sfo_json_new_identity(dc->id, dc->name);
}

typedef json_object *(*sfo_object_writer)(gconstpointer obj);

/*
 * The document is written as json-c writes the whole tree (pretty, spaced),
 * object by object: each object is turned into text by json-c alone and
 * indented to its place, so no tree of the whole inventory is ever built.
 */
#define SFO_JSON_FORMAT \
    (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
/* what the writer holds before it hands text to its sink */
#define SFO_WRITER_FLUSH (64 * 1024)

static const struct {
    const char *name;
    sfo_object_writer writer;
} sfo_inventory_colls[] = {
    [SFO_INVENTORY_COLL_DATA_CENTERS] = { "data_centers",
                                          (sfo_object_writer)sfo_data_center_to_json },
    [SFO_INVENTORY_COLL_CLUSTERS] = { "clusters", (sfo_object_writer)sfo_cluster_to_json },
    [SFO_INVENTORY_COLL_NETWORKS] = { "networks", (sfo_object_writer)sfo_network_to_json },
    [SFO_INVENTORY_COLL_VNIC_PROFILES] = { "vnic_profiles",
                                           (sfo_object_writer)sfo_vnic_profile_to_json },
    [SFO_INVENTORY_COLL_VMS] = { "vms", (sfo_object_writer)sfo_vm_to_json },
    [SFO_INVENTORY_COLL_NICS] = { "nics", (sfo_object_writer)sfo_nic_to_json },
    [SFO_INVENTORY_COLL_HOSTS] = { "hosts", (sfo_object_writer)sfo_host_to_json },
};
G_STATIC_ASSERT(G_N_ELEMENTS(sfo_inventory_colls) == SFO_INVENTORY_COLL_LAST);

struct sfo_inventory_writer {
    sfo_inventory_sink sink;
    gpointer opaque;
    GString *buf;
    int coll;      /* the collection being written, -1 before the first */
    guint objects; /* written in it */
    int error;     /* the sink's first failure; every call returns it from then on */
};

sfo_inventory_writer *
sfo_inventory_writer_new(sfo_inventory_sink sink, gpointer opaque)
{
    sfo_inventory_writer *w = g_new0(sfo_inventory_writer, 1);

    w->sink = sink;
    w->opaque = opaque;
    w->buf = g_string_sized_new(SFO_WRITER_FLUSH + 4096);
    w->coll = -1;
    g_string_append(w->buf, "{\n");
    return w;
}

void
sfo_inventory_writer_free(sfo_inventory_writer *w)
{
    if (!w)
        return;
    g_string_free(w->buf, TRUE);
    g_free(w);
}

static int
sfo_inventory_writer_flush(sfo_inventory_writer *w, gsize above)
{
    if (w->error == 0 && w->buf->len > above) {
        w->error = w->sink(w->buf->str, w->buf->len, w->opaque);
        g_string_truncate(w->buf, 0);
    }
    return w->error;
}

int
sfo_inventory_writer_begin(sfo_inventory_writer *w, sfo_inventory_coll coll)
{
    g_assert((int)coll > w->coll && coll <= SFO_INVENTORY_COLL_LAST);
    while (w->coll < (int)coll) {
        if (w->coll >= 0)
            g_string_append(w->buf, "\n  ]");
        if (++w->coll == SFO_INVENTORY_COLL_LAST)
            break;
        g_string_append_printf(w->buf, "%s  \"%s\": [", w->coll ? ",\n" : "",
                               sfo_inventory_colls[w->coll].name);
        w->objects = 0;
    }
    return sfo_inventory_writer_flush(w, SFO_WRITER_FLUSH);
}

int
sfo_inventory_writer_add(sfo_inventory_writer *w, gconstpointer object)
{
    g_autoptr(json_object) obj = NULL;
    const char *text;
    const char *nl;

    g_assert(w->coll >= 0 && w->coll < SFO_INVENTORY_COLL_LAST);
    obj = sfo_inventory_colls[w->coll].writer(object);
    text = json_object_to_json_string_ext(obj, SFO_JSON_FORMAT);
    g_string_append(w->buf, w->objects++ ? ",\n    " : "\n    ");
    while ((nl = strchr(text, '\n'))) {
        g_string_append_len(w->buf, text, nl - text);
        g_string_append(w->buf, "\n    ");
        text = nl + 1;
    }
    g_string_append(w->buf, text);
    return sfo_inventory_writer_flush(w, SFO_WRITER_FLUSH);
}

int
sfo_inventory_writer_finish(sfo_inventory_writer *w)
{
    sfo_inventory_writer_begin(w, SFO_INVENTORY_COLL_LAST);
    g_string_append(w->buf, "\n}\n");
    return sfo_inventory_writer_flush(w, 0);
}

static int
sfo_inventory_append(const char *data, size_t len, gpointer opaque)
{
    g_string_append_len(opaque, data, (gssize)len);
    return 0;
}

static void
sfo_inventory_write(const sfo_inventory *inv, sfo_inventory_writer *w)
{
    const GPtrArray *colls[] = { inv->data_centers,  inv->clusters, inv->networks,
                                 inv->vnic_profiles, inv->vms,      inv->nics,
                                 inv->hosts };
    guint c;
    guint i;

    G_STATIC_ASSERT(G_N_ELEMENTS(colls) == SFO_INVENTORY_COLL_LAST);
    for (c = 0; c < SFO_INVENTORY_COLL_LAST; c++) {
        sfo_inventory_writer_begin(w, c);
        for (i = 0; i < colls[c]->len; i++)
            sfo_inventory_writer_add(w, g_ptr_array_index(colls[c], i));
    }
    sfo_inventory_writer_finish(w);
}

int
sfo_inventory_format(const sfo_inventory *inventory, unsigned int flags, char **ret_json)
{
    g_autoptr(GString) out = NULL;
    g_autoptr(sfo_inventory_writer) w = NULL;

    sfo_return_val_if_fail(inventory != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_json != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    out = g_string_new(NULL);
    w = sfo_inventory_writer_new(sfo_inventory_append, out);
    sfo_inventory_write(inventory, w);
    *ret_json = g_string_free(g_steal_pointer(&out), FALSE);
    return 0;
}
