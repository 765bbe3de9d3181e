-- v1-data.sql: rows as a writer of schema version 1 (db-migrations/0001) stored them
--
-- test-store.c applies 0001, runs this, applies 0002 and compares the export
-- with v1-upgraded.json: every row must come through the upgrade. Every table
-- of version 1 has a row here.
INSERT INTO data_centers (id, name) VALUES ('dc1', 'Default');
INSERT INTO clusters (id, name, data_center_id, version_major, version_minor, bios_type)
    VALUES ('cl1', 'Default', 'dc1', 4, 7, 'q35_ovmf'),
           ('cl-old', 'Legacy', 'dc1', 4, 5, NULL);
INSERT INTO networks (id, name, data_center_id, vlan_id, mtu, external_provider_id, bridge,
                      libvirt_network_name, libvirt_network_type)
    VALUES ('net-vf', 'sriov-vf', 'dc1', 100, 9000, NULL, 'sriov-vf', NULL, NULL),
           ('net-br', 'vm-bridge', 'dc1', 100, NULL, NULL, 'br0', NULL, NULL),
           ('net-ovn', 'ovn', 'dc1', NULL, NULL, 'ovn-provider', 'ovn', NULL, NULL),
           ('net-pool', 'pool', 'dc1', NULL, NULL, NULL, 'pool', 'vf-pool', 'hostdev');
INSERT INTO cluster_networks (cluster_id, position, network_id)
    VALUES ('cl1', 0, 'net-vf'), ('cl1', 1, 'net-br'), ('cl-old', 0, 'net-br');
INSERT INTO vnic_profiles (id, name, network_id, pass_through, migratable, port_mirroring, qos_id,
                           network_filter_id)
    VALUES ('p-vf', 'sriov', 'net-vf', true, true, false, NULL, NULL),
           ('p-br', 'bridge', 'net-br', false, false, true, 'qos1', 'vdsm-no-mac-spoofing'),
           ('p-ovn', 'ovn', 'net-ovn', false, false, false, NULL, NULL);
INSERT INTO hosts (id, name, cluster_id) VALUES ('h1', 'host1', 'cl1');
INSERT INTO host_networks (host_id, position, network_id)
    VALUES ('h1', 0, 'net-br'), ('h1', 1, 'net-vf');
INSERT INTO host_pfs (host_id, position, name, address)
    VALUES ('h1', 0, 'ens4f0', '0000:3b:00.0'), ('h1', 1, 'ens4f1', '0000:3b:00.1');
INSERT INTO host_pf_networks (pf_id, position, network_id)
    SELECT id, 0, 'net-vf' FROM host_pfs WHERE host_id = 'h1' AND position = 0;
INSERT INTO vms (id, name, cluster_id, os_type, bios_type, status, host_id)
    VALUES ('vm1', 'web1', 'cl1', 'rhel_8x64', NULL, 'up', 'h1'),
           ('vm2', 'db1', 'cl-old', 'other', 'i440fx_sea_bios', 'down', NULL);
INSERT INTO nics (id, name, vm_id, vnic_profile_id, interface, mac, plugged, vf_address)
    VALUES ('nic1', 'nic1', 'vm1', 'p-vf', 'pci_passthrough', '56:6F:1A:2B:00:01', true,
            '0000:3b:02.0'),
           ('nic2', 'nic2', 'vm1', 'p-br', 'virtio', '56:6f:1a:2b:00:02', false, NULL),
           ('nic3', 'nic1', 'vm2', NULL, 'e1000', '56:6f:1a:2b:00:03', true, NULL);
INSERT INTO host_vfs (pf_id, position, address, nic_id)
    SELECT id, 0, '0000:3b:02.0', 'nic1' FROM host_pfs WHERE host_id = 'h1' AND position = 0;
INSERT INTO host_vfs (pf_id, position, address, nic_id)
    SELECT id, 1, '0000:3b:02.1', NULL FROM host_pfs WHERE host_id = 'h1' AND position = 0;
