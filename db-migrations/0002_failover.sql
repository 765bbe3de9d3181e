-- 0002_failover.sql: the failover vNIC profile, and the rules about it that are constraints
--
-- As oVirt's 04_04_1050_add_failover_vnic_id.sql, vnic_profiles gets
-- failover_vnic_profile_id; unlike oVirt (ON DELETE SET NULL, no index) a
-- profile still named as failover cannot be deleted, a profile cannot name
-- itself and the column is indexed. The other failover rules that can be
-- constraints are: the target exists, is not passthrough, is in the same data
-- center and not on an external network (one composite foreign key onto
-- columns copied from the profile's network); and no two NICs of one VM have
-- profiles sharing a failover profile (a unique index over a copy of the
-- failover id on nics, which a foreign key keeps equal to the profile's).
-- docs/store.md lists which rule is held where.
--
-- SPDX-License-Identifier: LGPL-2.1-or-later

-- The network's data center and "has an external provider", for the profile's copies
ALTER TABLE networks
    ADD COLUMN is_external boolean GENERATED ALWAYS AS (external_provider_id IS NOT NULL) STORED,
    ADD CONSTRAINT networks_id_data_center_id_is_external_key
        UNIQUE (id, data_center_id, is_external);

-- Copies of the profile's network's data center and external flag, kept equal by a foreign key
ALTER TABLE vnic_profiles
    ADD COLUMN data_center_id object_id,
    ADD COLUMN network_external boolean;
UPDATE vnic_profiles p
    SET data_center_id = n.data_center_id, network_external = n.is_external
    FROM networks n
    WHERE n.id = p.network_id;
ALTER TABLE vnic_profiles
    ALTER COLUMN data_center_id SET NOT NULL,
    ALTER COLUMN network_external SET NOT NULL,
    ADD CONSTRAINT vnic_profiles_network_fk
        FOREIGN KEY (network_id, data_center_id, network_external)
        REFERENCES networks (id, data_center_id, is_external),
    -- the key above checks that the network exists too: one trigger a write, not two
    DROP CONSTRAINT vnic_profiles_network_id_fkey;

ALTER TABLE vnic_profiles
    -- deferrable, so an import can insert profiles in their order and check at commit
    ADD COLUMN failover_vnic_profile_id object_id
        CONSTRAINT vnic_profiles_failover_vnic_profile_id_fk
        REFERENCES vnic_profiles (id) ON DELETE RESTRICT DEFERRABLE,
    -- '' when there is none, so a NIC's copy can be compared with it by a foreign key
    ADD COLUMN failover_key text
        GENERATED ALWAYS AS (coalesce(failover_vnic_profile_id, '')) STORED,
    -- false when there is a failover: what the target's pass_through and network_external must be
    ADD COLUMN failover_required_false boolean
        GENERATED ALWAYS AS (CASE WHEN failover_vnic_profile_id IS NOT NULL THEN false END) STORED,
    -- rule 1: ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF
    ADD CONSTRAINT vnic_profiles_failover_not_self_check
        CHECK (failover_vnic_profile_id <> id),
    -- rule 4: ACTION_TYPE_FAILED_FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH
    ADD CONSTRAINT vnic_profiles_failover_migratable_passthrough_check
        CHECK (failover_vnic_profile_id IS NULL OR (pass_through AND migratable)),
    ADD CONSTRAINT vnic_profiles_failover_target_key
        UNIQUE (id, pass_through, data_center_id, network_external),
    ADD CONSTRAINT vnic_profiles_id_failover_key_key UNIQUE (id, failover_key),
    -- rules 2, 3 and 10: ..._FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID (missing or passthrough),
    -- ..._NOT_SUPPORTED_WITH_EXTERNAL_NETWORK, ..._NOT_IN_SAME_DATA_CENTER. Also refuses to
    -- make a failover target passthrough or move it to another data center (rule 5)
    ADD CONSTRAINT vnic_profiles_failover_target_fk
        FOREIGN KEY (failover_vnic_profile_id, failover_required_false, data_center_id,
                     failover_required_false)
        REFERENCES vnic_profiles (id, pass_through, data_center_id, network_external)
        DEFERRABLE;
CREATE INDEX vnic_profiles_failover_vnic_profile_id_idx
    ON vnic_profiles (failover_vnic_profile_id);

-- The NIC's copy of its profile's failover profile
ALTER TABLE nics
    ADD COLUMN failover_vnic_profile_id object_id,
    ADD COLUMN failover_key text
        GENERATED ALWAYS AS (coalesce(failover_vnic_profile_id, '')) STORED,
    ADD CONSTRAINT nics_failover_needs_profile_check
        CHECK (vnic_profile_id IS NOT NULL OR failover_vnic_profile_id IS NULL),
    -- the copy equals the profile's failover; refuses to change the failover of a profile
    -- NICs use (rule 6)
    ADD CONSTRAINT nics_vnic_profile_failover_fk FOREIGN KEY (vnic_profile_id, failover_key)
        REFERENCES vnic_profiles (id, failover_key);
-- rule 8: ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE
CREATE UNIQUE INDEX nics_vm_id_failover_vnic_profile_id_key
    ON nics (vm_id, failover_vnic_profile_id)
    WHERE failover_vnic_profile_id IS NOT NULL;
