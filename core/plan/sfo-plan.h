/*
 * sfo-plan.h: plans of hot plug, unplug and migration steps (internal API)
 *
 * A plan is the ordered list of steps that carries out one action on one
 * VM, and the undo list: for each step the steps that revert it, in the
 * order they run when everything up to that step has to be rolled back.
 * Building a plan is pure: inventory in, steps out; nothing is read from or
 * sent to a host. docs/sequencer.md describes the orders and why.
 *
 * Every step is idempotent towards the state it produces (exec checks the
 * live domain before acting), so running an undo step whose forward step
 * never happened, or running a step twice after a crash, changes nothing.
 *
 * A step with @commit set (migrate, save, restore, snapshot, start) is the
 * point of no return: once it has succeeded the plan only rolls forward,
 * and the steps after it have no undo.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

#include "model/sfo-model.h"
#include "rules/sfo-violations.h"

typedef enum {
    SFO_PLAN_OP_ATTACH = 0,   /* hot plug the <interface> @xml */
    SFO_PLAN_OP_DETACH,       /* request the unplug of the interface @alias with @mac */
    SFO_PLAN_OP_WAIT_REMOVED, /* wait until @alias is gone from the live domain (bounded) */
    SFO_PLAN_OP_RESERVE_VF,   /* hold VF @vf on @host for @nic */
    SFO_PLAN_OP_RELEASE_VF,   /* drop that hold */
    SFO_PLAN_OP_MIGRATE,      /* migrate the domain to @destination (@live or paused) */
    SFO_PLAN_OP_SAVE,         /* save the memory to disk and stop (oVirt "suspend") */
    SFO_PLAN_OP_RESTORE,      /* start from the saved memory */
    SFO_PLAN_OP_SNAPSHOT,     /* snapshot with memory, the guest keeps running */
    SFO_PLAN_OP_START,        /* start the VM with the interfaces @xml */
    SFO_PLAN_OP_LAST
} sfo_plan_op;
SFO_ENUM_DECL(sfo_plan_op); /* "attach", "detach", "wait-removed", "reserve-vf", ... */

/* Which connection a step runs on */
typedef enum {
    SFO_PLAN_ROLE_SOURCE = 0, /* the host the VM runs on now */
    SFO_PLAN_ROLE_DESTINATION,
    SFO_PLAN_ROLE_LAST
} sfo_plan_role;
SFO_ENUM_DECL(sfo_plan_role); /* "source", "destination" */

/* Which of a NIC's interfaces a step is about */
typedef enum {
    SFO_PLAN_DEVICE_NONE = 0,
    SFO_PLAN_DEVICE_VF,      /* the VF of a NIC (with or without failover) */
    SFO_PLAN_DEVICE_STANDBY, /* the virtio standby of a VF */
    SFO_PLAN_DEVICE_NIC,     /* a NIC that is not a VF */
    SFO_PLAN_DEVICE_LAST
} sfo_plan_device;
SFO_ENUM_DECL(sfo_plan_device); /* "", "vf", "standby", "nic" */

/* no free VF for a VF NIC: the plan is refused (and so is a sequence whose VF another took) */
#define SFO_PLAN_KEY_NO_SUITABLE_VF "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF"

typedef struct {
    int index;  /* position in plan->steps; -1 for an undo step */
    int undoes; /* undo steps: the index of the step they revert; -1 for steps */
    sfo_plan_op op;
    sfo_plan_role role;
    char *host_id; /* NULL when the VM runs nowhere the inventory knows */
    char *vm_id;
    char *domain; /* libvirt domain name: the VM's name */
    char *nic_id;
    sfo_plan_device device;
    char *alias;               /* "ua-<id>" of the interface */
    char *mac;                 /* its MAC: an interface is ours when alias and MAC match */
    char *vf_address;          /* reserve-vf, release-vf, and a VF's attach */
    char *destination_host_id; /* migrate */
    gboolean live;             /* migrate: the guest keeps running */
    gboolean commit;           /* point of no return, see above */
    char *xml;                 /* attach, start; detach: what is removed */
} sfo_plan_step;

struct sfo_plan {
    int action; /* sfo_plan_action */
    unsigned int flags;
    char *vm_id;
    char *nic_id;               /* plug, unplug */
    char *host_id;              /* migrate: the destination; run: where */
    GPtrArray *steps;           /* sfo_plan_step * */
    GPtrArray *undo;            /* sfo_plan_step *, in the order they run */
    sfo_violations *violations; /* errors among them: the plan is refused, no steps */
};

/*
 * A planner keeps the VFs chosen by the plans it built, so plans built one
 * after the other (a host evacuation) never pick the same free VF.
 */
typedef struct sfo_planner sfo_planner;

sfo_planner *sfo_planner_new(const sfo_inventory *inv, unsigned int flags);
void sfo_planner_free(sfo_planner *planner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_planner, sfo_planner_free)

/* As sfo_plan_build(), remembering the VFs the plan reserves. */
int sfo_planner_build(sfo_planner *planner, int action, const char *subject_id, const char *host_id,
                      sfo_plan **ret_plan);

sfo_plan_step *sfo_plan_step_new(sfo_plan_op op);
sfo_plan_step *sfo_plan_step_copy(const sfo_plan_step *step);
void sfo_plan_step_free(sfo_plan_step *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_plan_step, sfo_plan_step_free)

sfo_plan *sfo_plan_new(int action);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_plan, sfo_plan_free)

/* The index of the plan's commit step, or -1 when it has none. */
int sfo_plan_commit_index(const sfo_plan *plan);

/* sfo_plan_action names (behind the public to_string/from_string) */
SFO_ENUM_DECL(sfo_plan_action_name);

/* JSON (sfo-plan-json.c): the object sfo_plan_format_json() prints, and back. */
json_object *sfo_plan_to_json(const sfo_plan *plan);
json_object *sfo_plan_step_to_json(const sfo_plan_step *step);
int sfo_plan_from_json(json_object *obj, sfo_plan **ret_plan);
