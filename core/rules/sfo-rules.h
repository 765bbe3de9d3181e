/*
 * sfo-rules.h: the business rules over model objects (internal API)
 *
 * sfo_rules_check() and sfo_rules_validate() in sriovfo.h take JSON; the
 * functions here take parsed model objects, for front ends that already
 * hold them (the engine's store, the plan layer). Each appends every
 * violation it finds to @violations (never stopping at the first) and
 * never fails: a dangling reference is a violation or is skipped, never a
 * crash. The subject of an add or update is NOT in @inventory (or is there
 * in its old state): rules compare it with the other objects by id.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "model/sfo-model.h"
#include "rules/sfo-violations.h"

/* Every state rule over every profile and NIC of @inventory. */
void sfo_rules_check_inventory(const sfo_inventory *inventory, sfo_violations *violations);

/*
 * @action is SFO_ACTION_ADD_VNIC_PROFILE or SFO_ACTION_UPDATE_VNIC_PROFILE;
 * @profile is the new object (an update finds the old one in @inventory by id).
 */
void sfo_rules_validate_profile(const sfo_inventory *inventory, int action,
                                const sfo_vnic_profile *profile, sfo_violations *violations);

/* Removal of profile @profile_id. */
void sfo_rules_validate_profile_removal(const sfo_inventory *inventory, const char *profile_id,
                                        sfo_violations *violations);

/* @action is SFO_ACTION_ADD_NIC, SFO_ACTION_UPDATE_NIC or SFO_ACTION_PLUG_NIC. */
void sfo_rules_validate_nic(const sfo_inventory *inventory, int action, const sfo_nic *nic,
                            sfo_violations *violations);

/*
 * @action is SFO_ACTION_RUN_VM or SFO_ACTION_MIGRATE_VM. @host_id is the
 * host to run on or migrate to; NULL (run only) skips the host checks.
 */
void sfo_rules_validate_vm(const sfo_inventory *inventory, int action, const char *vm_id,
                           const char *host_id, sfo_violations *violations);

/*
 * Adds violation @key about NIC @nic (or VM @vm) as the rules do, with
 * ${action} = @verb (e.g. "hot plug", "migrate") and ${type} naming the
 * subject; the varargs are further name, value pairs ending with NULL. For
 * layers above the rules that check preconditions of their own (plan).
 */
void sfo_rules_report_nic_violation(const sfo_inventory *inventory, sfo_violations *violations,
                                    const char *verb, const char *key, const sfo_nic *nic,
                                    ...) G_GNUC_NULL_TERMINATED;
void sfo_rules_report_vm_violation(const sfo_inventory *inventory, sfo_violations *violations,
                                   const char *verb, const char *key, const sfo_vm *vm,
                                   ...) G_GNUC_NULL_TERMINATED;

/*
 * TRUE when guest OS type @os_type (oVirt name, e.g. "rhel_8x64") has a
 * failover (net_failover / netkvm) driver. NULL is oVirt's "other": FALSE.
 */
gboolean sfo_rules_guest_os_supports_failover(const char *os_type);

/*
 * Whether the rules allow @target as the failover of @p (whose stored
 * version, if any, @inv may hold): not @p itself, not passthrough (rule 2),
 * not on an external network (3), in @p's data center (10), and its network
 * attached to every cluster that has @p's network (11, which a NIC of @p in
 * any of them would check). The profile rules 2, 3 and 10 use the same
 * predicates. Needs the networks of both and the clusters.
 */
gboolean sfo_rules_failover_candidate(const sfo_inventory *inv, const sfo_vnic_profile *p,
                                      const sfo_vnic_profile *target);

/* The ids (borrowed from @inv) of the profiles of @inv that are candidates, in inventory order */
GPtrArray *sfo_rules_failover_candidates(const sfo_inventory *inv, const sfo_vnic_profile *p);
