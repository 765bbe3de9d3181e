-- 0001_inventory.sql: the inventory (docs/inventory-format.md) as tables
--
-- One table per collection of the inventory JSON; the lists of links
-- (cluster networks, host networks, PF networks) and the host PFs and VFs
-- get their own tables with a position, so an export gives the lists back
-- in the order they were imported. Every collection has an "ordinal" for the
-- same reason. Rules that need only one row are CHECK constraints; links are
-- foreign keys. The failover reference of vNIC profiles comes in 0002.
--
-- Applied by the migration runner (core/store/sfo-store-migrate.c) inside
-- one transaction, recorded in sfo_schema_version. See docs/store.md.
--
-- SPDX-License-Identifier: LGPL-2.1-or-later

-- An object id: it becomes a libvirt user alias ua-<id>, so only these characters
CREATE DOMAIN object_id AS text
    CONSTRAINT object_id_charset CHECK (VALUE ~ '^[A-Za-z0-9_-]+$');

-- A name shown in messages: never empty
CREATE DOMAIN object_name AS text
    CONSTRAINT object_name_not_empty CHECK (VALUE <> '');

CREATE TABLE data_centers (
    id object_id PRIMARY KEY,
    name object_name NOT NULL,
    ordinal bigint GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE clusters (
    id object_id PRIMARY KEY,
    name object_name NOT NULL,
    data_center_id object_id NOT NULL REFERENCES data_centers (id),
    version_major integer NOT NULL CHECK (version_major BETWEEN 0 AND 1000),
    version_minor integer NOT NULL CHECK (version_minor BETWEEN 0 AND 1000),
    -- NULL: not given (Q35 with SeaBIOS, as oVirt 4.4+)
    bios_type text CHECK (bios_type IN ('i440fx_sea_bios', 'q35_sea_bios', 'q35_ovmf',
                                        'q35_secure_boot')),
    ordinal bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX clusters_data_center_id_idx ON clusters (data_center_id);

CREATE TABLE networks (
    id object_id PRIMARY KEY,
    name object_name NOT NULL,
    data_center_id object_id NOT NULL REFERENCES data_centers (id),
    vlan_id integer CHECK (vlan_id BETWEEN 0 AND 4094),
    mtu integer CHECK (mtu BETWEEN 68 AND 65535),
    external_provider_id object_id,
    bridge object_name NOT NULL,
    libvirt_network_name object_name,
    libvirt_network_type text CHECK (libvirt_network_type IN ('bridge', 'macvtap', 'hostdev')),
    ordinal bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT networks_libvirt_network_check
        CHECK ((libvirt_network_name IS NULL) = (libvirt_network_type IS NULL))
);
CREATE INDEX networks_data_center_id_idx ON networks (data_center_id);

CREATE TABLE cluster_networks (
    cluster_id object_id NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    position integer NOT NULL,
    network_id object_id NOT NULL REFERENCES networks (id),
    PRIMARY KEY (cluster_id, position)
);
CREATE INDEX cluster_networks_network_id_idx ON cluster_networks (network_id);

CREATE TABLE vnic_profiles (
    id object_id PRIMARY KEY,
    name object_name NOT NULL,
    network_id object_id NOT NULL REFERENCES networks (id),
    pass_through boolean NOT NULL DEFAULT false,
    migratable boolean NOT NULL DEFAULT false,
    port_mirroring boolean NOT NULL DEFAULT false,
    qos_id object_id,
    network_filter_id object_id,
    ordinal bigint GENERATED ALWAYS AS IDENTITY,
    -- the target of nics_vnic_profile_pass_through_fk
    CONSTRAINT vnic_profiles_id_pass_through_key UNIQUE (id, pass_through),
    -- rule 14: ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES
    CONSTRAINT vnic_profiles_pass_through_properties_check
        CHECK (NOT pass_through
               OR (NOT port_mirroring AND qos_id IS NULL AND network_filter_id IS NULL))
)
-- room on each page, so an update of columns no index holds (a name) stays a HOT update:
-- no index entry to add, fewer pages in the WAL (docs/benchmarks.md)
WITH (fillfactor = 85);
CREATE INDEX vnic_profiles_network_id_idx ON vnic_profiles (network_id);

CREATE TABLE hosts (
    id object_id PRIMARY KEY,
    name object_name NOT NULL,
    cluster_id object_id NOT NULL REFERENCES clusters (id),
    ordinal bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX hosts_cluster_id_idx ON hosts (cluster_id);

CREATE TABLE host_networks (
    host_id object_id NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    position integer NOT NULL,
    network_id object_id NOT NULL REFERENCES networks (id),
    PRIMARY KEY (host_id, position)
);
CREATE INDEX host_networks_network_id_idx ON host_networks (network_id);

CREATE TABLE host_pfs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host_id object_id NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    position integer NOT NULL,
    name object_name NOT NULL,
    address text NOT NULL,
    CONSTRAINT host_pfs_host_id_position_key UNIQUE (host_id, position)
);

CREATE TABLE host_pf_networks (
    pf_id bigint NOT NULL REFERENCES host_pfs (id) ON DELETE CASCADE,
    position integer NOT NULL,
    network_id object_id NOT NULL REFERENCES networks (id),
    PRIMARY KEY (pf_id, position)
);
CREATE INDEX host_pf_networks_network_id_idx ON host_pf_networks (network_id);

CREATE TABLE vms (
    id object_id PRIMARY KEY,
    name object_name NOT NULL,
    cluster_id object_id NOT NULL REFERENCES clusters (id),
    os_type object_name NOT NULL DEFAULT 'other',
    -- NULL: the cluster's
    bios_type text CHECK (bios_type IN ('i440fx_sea_bios', 'q35_sea_bios', 'q35_ovmf',
                                        'q35_secure_boot')),
    status text NOT NULL DEFAULT 'down'
        CHECK (status IN ('down', 'up', 'powering_up', 'paused', 'migrating', 'suspended')),
    host_id object_id REFERENCES hosts (id),
    ordinal bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX vms_cluster_id_idx ON vms (cluster_id);
CREATE INDEX vms_host_id_idx ON vms (host_id);

CREATE TABLE nics (
    id object_id PRIMARY KEY,
    name object_name NOT NULL,
    vm_id object_id NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
    -- NULL: the "empty" profile (no network). The profile exists: nics_vnic_profile_pass_through_fk
    -- checks it (pass_through is never NULL), so no second foreign key on the column alone
    vnic_profile_id object_id,
    interface text NOT NULL DEFAULT 'virtio'
        CHECK (interface IN ('virtio', 'pci_passthrough', 'e1000', 'e1000e', 'rtl8139',
                             'spapr_vlan')),
    -- rule 14: NETWORK_MAC_ADDRESS_IN_USE (macaddr prints lower case with ':')
    mac macaddr NOT NULL CONSTRAINT nics_mac_key UNIQUE,
    plugged boolean NOT NULL DEFAULT true,
    vf_address text,
    pass_through boolean GENERATED ALWAYS AS (interface = 'pci_passthrough') STORED,
    ordinal bigint GENERATED ALWAYS AS IDENTITY,
    -- rule 14: ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE. A pci_passthrough NIC
    -- needs a passthrough profile and the reverse; it also refuses to switch pass_through
    -- on a profile NICs use (rule 6)
    CONSTRAINT nics_vnic_profile_pass_through_fk FOREIGN KEY (vnic_profile_id, pass_through)
        REFERENCES vnic_profiles (id, pass_through)
)
-- plug and unplug change "plugged" only: HOT updates, as for vnic_profiles
WITH (fillfactor = 85);
CREATE INDEX nics_vm_id_idx ON nics (vm_id);
CREATE INDEX nics_vnic_profile_id_idx ON nics (vnic_profile_id);

CREATE TABLE host_vfs (
    pf_id bigint NOT NULL REFERENCES host_pfs (id) ON DELETE CASCADE,
    position integer NOT NULL,
    address text NOT NULL,
    -- NULL: free
    nic_id object_id REFERENCES nics (id) ON DELETE SET NULL,
    PRIMARY KEY (pf_id, position)
);
CREATE INDEX host_vfs_nic_id_idx ON host_vfs (nic_id);
