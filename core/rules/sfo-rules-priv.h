/*
 * sfo-rules-priv.h: one function per rule, for the drivers and the tests
 *
 * Every rule takes a context (the inventory, the action, the output list)
 * and one subject, and appends zero or more violations; none returns early
 * for the others' sake, so all violations are collected. A subject that is
 * being added or updated is not taken from the inventory: "other" objects
 * are the inventory's objects with a different id. Lookups are NULL-safe: a
 * rule whose inputs are missing (a dangling reference) does nothing, since
 * the existence rules report those.
 *
 * Every violation carries the catalogue variables "action" (the verb, see
 * sfo_rules_action_verb()), "type" (which kind of object) and the object's
 * "typeName" (and "typeVmName" for a NIC). The values of "action" and "type"
 * are catalogue keys (VAR__ACTION__*, VAR__TYPE__*), so that every locale
 * renders them in its own words; no English word travels in the arguments.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdarg.h>

#include "rules/sfo-rules.h"

/* sfo_action names (behind the public sfo_action_to_string/from_string) */
SFO_ENUM_DECL(sfo_action_name);

/* The action of a whole-inventory check (sfo_rules_check()) */
#define SFO_RULES_CHECK (-1)

/* Subject types of the violations */
#define SFO_RULES_SUBJECT_PROFILE "vnic_profile"
#define SFO_RULES_SUBJECT_NIC "nic"
#define SFO_RULES_SUBJECT_VM "vm"

/* Lists of names in messages show at most this many, then ", ..." (as oVirt) */
#define SFO_RULES_MAX_NAMES 5

typedef struct {
    const sfo_inventory *inv;
    int action;       /* sfo_action or SFO_RULES_CHECK */
    const char *verb; /* ${action} */
    /*
     * A pass over many subjects (check, run, migrate): a conflict between
     * two subjects is reported once, on the later by id.
     */
    gboolean pairs_once;
    /* run/migrate: only plugged NICs are subjects of the pass */
    gboolean plugged_only;
    sfo_violations *violations;
} sfo_rule_ctx;

void sfo_rule_ctx_init(sfo_rule_ctx *ctx, const sfo_inventory *inv, int action,
                       sfo_violations *violations);

/*
 * ${action} of @action, a catalogue key: VAR__ACTION__USE (check), _ADD,
 * _UPDATE, _REMOVE, _HOT_PLUG, _RUN, _MIGRATE
 */
const char *sfo_rules_action_verb(int action);

/*
 * ${type} per subject, catalogue keys whose texts name the object with
 * ${typeName} (and ${typeVmName}): "VM network interface profile 'NAME'",
 * "interface 'NAME' of VM 'VM'", "VM 'NAME'"
 */
#define SFO_RULES_TYPE_PROFILE "VAR__TYPE__VNIC_PROFILE"
#define SFO_RULES_TYPE_NIC "VAR__TYPE__VM_INTERFACE"
#define SFO_RULES_TYPE_VM "VAR__TYPE__VM"

/*
 * Reports @key about a subject; the varargs are further name, value pairs
 * ending with NULL. "action" and "type" are added here.
 */
void sfo_rules_report_profile(sfo_rule_ctx *ctx, const char *key, const char *id, const char *name,
                              ...) G_GNUC_NULL_TERMINATED;
void sfo_rules_report_nic(sfo_rule_ctx *ctx, const char *key, const sfo_nic *nic,
                          ...) G_GNUC_NULL_TERMINATED;
void sfo_rules_report_vm(sfo_rule_ctx *ctx, const char *key, const char *id, const char *name,
                         ...) G_GNUC_NULL_TERMINATED;

/*
 * Sorts @names (char *) and joins at most @max of them with ", ",
 * followed by ", ..." when there are more.
 */
char *sfo_rules_join_names(GPtrArray *names, guint max);

/* TRUE when the pair (@subject, @other) is to be reported on @subject (see pairs_once). */
gboolean sfo_rules_nic_pair_reported_here(const sfo_rule_ctx *ctx, const sfo_nic *subject,
                                          const sfo_nic *other);

/* ---- vNIC profiles (sfo-rules-profile.c) ---- */

/* The failover target of @p: NULL when none, pointing to itself or missing. */
const sfo_vnic_profile *sfo_rules_profile_failover_target(const sfo_rule_ctx *ctx,
                                                          const sfo_vnic_profile *p);

/* ACTION_TYPE_FAILED_NETWORK_NOT_EXIST */
void sfo_rules_profile_network_exists(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE: another profile of the network has the name */
void sfo_rules_profile_name_unique(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* 1: ..._FAILOVER_VNIC_PROFILE_ID_CANNOT_POINT_TO_SELF */
void sfo_rules_profile_failover_not_self(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* 2: ..._FAILOVER_VNIC_PROFILE_ID_IS_NOT_VALID: target missing or passthrough */
void sfo_rules_profile_failover_valid(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* 3: ..._FAILOVER_VNIC_PROFILE_NOT_SUPPORTED_WITH_EXTERNAL_NETWORK */
void sfo_rules_profile_failover_not_external(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* 4: ..._FAILOVER_IS_SUPPORTED_ONLY_FOR_MIGRATABLE_PASSTROUGH */
void sfo_rules_profile_failover_needs_migratable_passthrough(sfo_rule_ctx *ctx,
                                                             const sfo_vnic_profile *p);
/* 10: ..._FAILOVER_VNIC_PROFILE_NOT_IN_SAME_DATA_CENTER */
void sfo_rules_profile_failover_same_data_center(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* 14a: ..._PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES */
void sfo_rules_profile_passthrough_properties(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);

/* Update and remove: the stored profile @id, or NULL after ..._VNIC_PROFILE_NOT_EXISTS */
const sfo_vnic_profile *sfo_rules_profile_existing(sfo_rule_ctx *ctx, const char *id,
                                                   const char *name);
/* 5: ..._UPDATE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED (any update) */
void sfo_rules_profile_update_not_failover_target(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* 6, oVirt 12: ..._VNIC_PROFILE_IN_ONE_USE / _IN_MANY_USES on a change of
 * failover, pass_through or port_mirroring while VM NICs use the profile */
void sfo_rules_profile_update_unchanged_while_used(sfo_rule_ctx *ctx, const sfo_vnic_profile *old_p,
                                                   const sfo_vnic_profile *new_p);
/* 9: ..._REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED */
void sfo_rules_profile_remove_not_failover_target(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);
/* 9 (oVirt's remove check): ..._VNIC_PROFILE_IN_ONE_USE / _IN_MANY_USES */
void sfo_rules_profile_remove_not_used(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);

/* Every state rule above, in oVirt's order */
void sfo_rules_profile_state(sfo_rule_ctx *ctx, const sfo_vnic_profile *p);

/* ---- NICs and VMs (sfo-rules-nic.c) ---- */

/* ACTION_TYPE_FAILED_VM_NOT_FOUND */
void sfo_rules_nic_vm_exists(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS */
void sfo_rules_nic_profile_exists(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 14b: ..._VM_INTERFACE_TYPE_NOT_MATCH_PROFILE */
void sfo_rules_nic_type_matches_profile(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 14c: NETWORK_MAC_ADDRESS_IN_USE */
void sfo_rules_nic_mac_unique(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 7: ..._VM_INTERFACE_WITH_FAILOVER_IS_SUPPORTED_ONLY_IN_CLUSTER_4_6_AND_ABOVE */
void sfo_rules_nic_failover_cluster_version(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 8: ..._FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE */
void sfo_rules_nic_failover_unique_in_vm(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 11: ..._FAILOVER_NETWORK_NOT_ATTACHED_TO_CLUSTER */
void sfo_rules_nic_failover_network_in_cluster(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 12: ..._FAILOVER_NETWORK_VLAN_MISMATCH */
void sfo_rules_nic_failover_vlan_matches(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 12: WARNING_FAILOVER_NETWORK_MTU_MISMATCH */
void sfo_rules_nic_failover_mtu_matches(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 13: WARNING_FAILOVER_GUEST_OS_NOT_SUPPORTED */
void sfo_rules_nic_failover_guest_os(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* 15: ..._FAILOVER_REQUIRES_PCIE_MACHINE */
void sfo_rules_nic_failover_pcie_machine(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* ..._FAILOVER_NETWORK_MISSING_ON_HOST: VF and failover networks on @host */
void sfo_rules_nic_failover_networks_on_host(sfo_rule_ctx *ctx, const sfo_nic *nic,
                                             const sfo_host *host);
/* ..._MIGRATION_OF_NON_MIGRATABLE_PASSTHROUGH_VNICS_IS_NOT_SUPPORTED */
void sfo_rules_vm_passthrough_migratable(sfo_rule_ctx *ctx, const sfo_vm *vm);

/* 7, 8, 11, 12, 13, 15: the rules of a NIC whose profile has a failover */
void sfo_rules_nic_failover(sfo_rule_ctx *ctx, const sfo_nic *nic);
/* Every state rule of a NIC (check, add, update, plug) */
void sfo_rules_nic_state(sfo_rule_ctx *ctx, const sfo_nic *nic);
