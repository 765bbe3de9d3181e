/*
 * sfo-exec.h: running plans against libvirt (internal API)
 *
 * The public entry points are sfo_exec_*() in sriovfo-virt.h. Internals here:
 * the connections by role, the result structs, and hooks for the tests and
 * the benchmark. docs/sequencer.md describes the behaviour.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "sriovfo/sriovfo-virt.h"

#include "plan/sfo-journal.h"
#include "plan/sfo-plan.h"

/* Library error keys of exec (docs/error-keys.md) */
#define SFO_KEY_HOST_CONNECTION_FAILED "HOST_CONNECTION_FAILED"
#define SFO_KEY_SNAPSHOT_MEMORY_FILE_NOT_SET "SNAPSHOT_MEMORY_FILE_NOT_SET"

/* Why a step failed: catalogue keys (ui-strings/AppErrors.properties) */
#define SFO_EXEC_KEY_PLUG_FAILED "VM_INTERFACE_PLUG_FAILED"
#define SFO_EXEC_KEY_UNPLUG_FAILED "VM_INTERFACE_UNPLUG_FAILED"
#define SFO_EXEC_KEY_UNPLUG_TIMED_OUT "VM_INTERFACE_UNPLUG_TIMED_OUT"
#define SFO_EXEC_KEY_UNPLUG_REFUSED "VM_INTERFACE_UNPLUG_REFUSED"
#define SFO_EXEC_KEY_MIGRATION_FAILED "VM_MIGRATION_FAILED"
#define SFO_EXEC_KEY_OPERATION_FAILED "VM_OPERATION_FAILED"
#define SFO_EXEC_KEY_DOMAIN_NOT_FOUND "VM_DOMAIN_NOT_FOUND"
#define SFO_EXEC_KEY_VF_RESERVED "HOST_VF_RESERVED"

SFO_ENUM_DECL(sfo_exec_status_name); /* "completed", "refused", "undone", ... */

typedef enum {
    SFO_EXEC_OUTCOME_DONE = 0, /* the step acted */
    SFO_EXEC_OUTCOME_ALREADY,  /* its state already held: nothing to do */
    SFO_EXEC_OUTCOME_FAILED,
    SFO_EXEC_OUTCOME_LAST
} sfo_exec_outcome;
SFO_ENUM_DECL(sfo_exec_outcome); /* "done", "already", "failed" */

typedef struct {
    sfo_plan_step *step; /* a copy */
    gboolean undo;
    int position; /* index in plan->steps, or in plan->undo */
    sfo_exec_outcome outcome;
    gboolean untouched; /* failed before it could change anything: nothing to undo */
    gint64 duration_us;
    gint64 libvirt_us; /* of which inside the libvirt call that does the step's work */
    gint64 probe_us;   /* of which inside libvirt calls that read the domain's state */
    gint64 waited_us;  /* of which waiting for the guest (wait-removed) */
    guint woken;       /* wait-removed: times a device event (not the poll) woke it */
    char *error_key;
    char *error_message;
} sfo_exec_step_result;

struct sfo_exec_result {
    sfo_exec_status status;
    char *sequence_id; /* NULL without a journal */
    char *action;
    GPtrArray *steps;        /* sfo_exec_step_result *, the forward steps that ran */
    GPtrArray *undone;       /* sfo_exec_step_result *, the undo steps that ran */
    json_object *violations; /* the plan's */
    char *error_key;         /* why it did not complete; NULL when it did */
    char *error_message;
    GPtrArray *domains; /* char *: URI, live XML, URI, live XML, ... */
    gint64 total_us;
    gint64 libvirt_us;
};

sfo_exec_result *sfo_exec_result_new(void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_exec_result, sfo_exec_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_exec, sfo_exec_free)

/* Worse of two statuses (completed < undone < incomplete < undo-failed) */
sfo_exec_status sfo_exec_status_worse(sfo_exec_status a, sfo_exec_status b);

/*
 * The connection of @role: NULL when it is not open and cannot be (the last
 * error says why). The destination is opened here on first use.
 */
virConnectPtr sfo_exec_connection(sfo_exec *exec, sfo_plan_role role);

/* The journal in use, borrowed; NULL when none. */
sfo_journal *sfo_exec_journal(sfo_exec *exec);

/*
 * Called after each step (and undo step) ran, before the next one: the tests
 * read the live domain there, the benchmark times the steps.
 */
typedef void (*sfo_exec_step_hook)(sfo_exec *exec, const sfo_exec_step_result *step, void *opaque);
void sfo_exec_set_step_hook(sfo_exec *exec, sfo_exec_step_hook hook, void *opaque);

/*
 * Test-only, never exported: called right after each journal write
 * ("journal-begin", "journal-step", "journal-hold", "journal-end") and each
 * libvirt call that changes a domain ("libvirt-attach", "libvirt-detach",
 * "libvirt-migrate", "libvirt-save", "libvirt-restore", "libvirt-snapshot"),
 * whether it succeeded or not. tests/crash/ kills the process there, at each
 * point in turn (docs/sequencer.md, "Crash at every step").
 */
typedef void (*sfo_exec_crash_hook)(sfo_exec *exec, const char *point, void *opaque);
void sfo_exec_set_crash_hook(sfo_exec *exec, sfo_exec_crash_hook hook, void *opaque);

/*
 * Registers libvirt's default event loop (unless the application registered
 * one) and runs it in a thread. Idempotent, thread-safe.
 */
void sfo_exec_event_loop_ensure(void);
