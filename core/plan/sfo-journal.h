/*
 * sfo-journal.h: the journal of a plan's run, as an interface (no I/O here)
 *
 * A journal keeps, per sequence (one run of a plan): the plan, the libvirt
 * URIs it ran on, each step's phases (started, done, failed) and how it
 * ended, plus the VF holds (reserve-vf/release-vf). exec records every step
 * in it before and after the step runs; after a crash, sfo_exec_reconcile()
 * reads the sequences that never ended and finishes or undoes them.
 *
 * The interface is a table of functions so that the two layers that talk to
 * the outside can each implement it without knowing the other: exec, which
 * uses a journal, has the JSON-lines file (exec/sfo-journal-file.h); the
 * store has PostgreSQL (sfo_store_open_journal()). Both sit above plan, so
 * the interface lives here; applications (the command, the bindings) pick
 * one and hand it to exec. docs/architecture.md says why.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "plan/sfo-plan.h"

typedef enum {
    SFO_JOURNAL_STARTED = 0,
    SFO_JOURNAL_DONE,    /* the step acted and its state holds */
    SFO_JOURNAL_ALREADY, /* its state held before: it changed nothing, so nothing to undo */
    SFO_JOURNAL_FAILED,
    SFO_JOURNAL_PHASE_LAST
} sfo_journal_phase;
SFO_ENUM_DECL(sfo_journal_phase); /* "started", "done", "already", "failed" */

/* A sequence that began and never ended, as sfo_journal_ops.unfinished() returns it */
typedef struct {
    char *id;
    char *source_uri;
    char *destination_uri; /* NULL when none */
    sfo_plan *plan;
    /* the last phase of each step (plan->steps) and undo step (plan->undo); -1: never started */
    int *step_phase;
    int *undo_phase;
} sfo_journal_entry;

/* A phase for each of @n steps and one more, all -1 (never started); g_free() it */
int *sfo_journal_phases_new(guint n);

/* A new entry for @plan (taken over), no step started */
sfo_journal_entry *sfo_journal_entry_new(const char *id, const char *source_uri,
                                         const char *destination_uri, sfo_plan *plan);

/* Step @index of plan->steps (@undo FALSE) or plan->undo reached @phase; out of range: ignored */
void sfo_journal_entry_set_phase(sfo_journal_entry *entry, gboolean undo, int index, int phase);

void sfo_journal_entry_free(sfo_journal_entry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_journal_entry, sfo_journal_entry_free)

/* sfo_journal is a public type (sriovfo.h); its struct is this: */

/*
 * Every function returns 0 or a negative sfo_error_code with the last error
 * set; a journal that cannot record a step stops the sequence. A record is
 * durable (on disk, committed) when the function returns: the step runs
 * after it.
 */
typedef struct {
    /* a sequence of @plan starts on @source_uri (and @destination_uri, may be NULL) */
    int (*begin)(sfo_journal *journal, const sfo_plan *plan, const char *source_uri,
                 const char *destination_uri, char **ret_id);
    /* step @index of plan->steps (@undo FALSE) or plan->undo (@undo TRUE) reaches @phase */
    int (*record)(sfo_journal *journal, const char *id, gboolean undo, int index,
                  sfo_journal_phase phase, const char *error_key, const char *error_message);
    /* the sequence ended with @status (an sfo_exec_status name) and needs nothing more */
    int (*finish)(sfo_journal *journal, const char *id, const char *status);
    /*
     * Holds VF @vf of host @host for NIC @nic. When another NIC holds it, nothing changes
     * and *ret_holder is that NIC (g_free it); otherwise *ret_holder is NULL.
     */
    int (*reserve_vf)(sfo_journal *journal, const char *id, const char *host, const char *vf,
                      const char *nic, char **ret_holder);
    /* Drops the hold of @nic on (@host, @vf); a hold of another NIC, or none, is left alone. */
    int (*release_vf)(sfo_journal *journal, const char *id, const char *host, const char *vf,
                      const char *nic);
    /*
     * The sequences that began and never ended and that no other live process is
     * running, oldest first (sfo_journal_entry *); from then on this journal owns them.
     */
    int (*unfinished)(sfo_journal *journal, GPtrArray **ret_entries);
    void (*free)(sfo_journal *journal);
} sfo_journal_ops;

struct sfo_journal {
    const sfo_journal_ops *ops;
};

void sfo_journal_free(sfo_journal *journal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_journal, sfo_journal_free)
