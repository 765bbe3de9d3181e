-- 0005_nics_vm_index.sql: one index of nics fewer to write per NIC
--
-- Rule 8's unique index over (vm_id, failover_vnic_profile_id) was partial
-- (failover not NULL), so NICs were looked up by VM through an index of their
-- own, nics_vm_id_idx. A unique index that is not partial says the same:
-- NULLs are distinct, so any number of NICs of a VM may have no failover,
-- while two with the same failover still collide. Being whole, it also finds
-- a VM's NICs (its first column), which the NICs of a VM, the rules' read of
-- an add, and the ON DELETE CASCADE from vms need: nics_vm_id_idx goes, and
-- every NIC written updates one index less (docs/benchmarks.md).
--
-- SPDX-License-Identifier: LGPL-2.1-or-later

CREATE UNIQUE INDEX nics_vm_id_failover_vnic_profile_id_whole_key
    ON nics (vm_id, failover_vnic_profile_id);
DROP INDEX nics_vm_id_failover_vnic_profile_id_key;
ALTER INDEX nics_vm_id_failover_vnic_profile_id_whole_key
    RENAME TO nics_vm_id_failover_vnic_profile_id_key;
DROP INDEX nics_vm_id_idx;
