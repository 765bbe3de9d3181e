/*
 * sfo-journal.h: where exec records every step before and after it runs
 *
 * A journal keeps, per sequence (one run of a plan): the plan, the libvirt
 * URIs it ran on, each step's phases (started, done, failed) and how it
 * ended, plus the VF holds (reserve-vf/release-vf). After a crash,
 * sfo_exec_reconcile() reads the sequences that never ended and finishes or
 * undoes them. The interface is a table of functions so that a database
 * (core/store) can implement it; sfo_journal_file_open() is the JSON file
 * implementation used when there is none.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

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

void sfo_journal_entry_free(sfo_journal_entry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_journal_entry, sfo_journal_entry_free)

typedef struct sfo_journal sfo_journal;

/*
 * Every function returns 0 or a negative sfo_error_code with the last error
 * set; a journal that cannot record a step stops the sequence.
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
    /* the sequences that began and never ended, oldest first (sfo_journal_entry *) */
    int (*unfinished)(sfo_journal *journal, GPtrArray **ret_entries);
    void (*free)(sfo_journal *journal);
} sfo_journal_ops;

struct sfo_journal {
    const sfo_journal_ops *ops;
};

void sfo_journal_free(sfo_journal *journal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_journal, sfo_journal_free)

/*
 * The JSON journal file @path: one JSON object a line, appended and flushed
 * to disk (fdatasync) before the step it records runs or after it ran:
 *   {"type":"begin","sequence","time","source","destination"?,"plan":{…}}
 *   {"type":"step","sequence","time","undo","index","phase","error"?:{"key","message"}}
 *   {"type":"end","sequence","time","status"}
 *   {"type":"reserve"|"release","sequence","time","host","vf","nic"}
 * Created when absent. The file is locked (flock) while the journal is open:
 * a second process gets JOURNAL_LOCKED. A last line cut short by a crash is
 * ignored; any other line that is not a record is JOURNAL_CORRUPT.
 */
int sfo_journal_file_open(const char *path, sfo_journal **ret_journal);

/* The current time as the journal writes it: "2026-01-31T12:00:00.123456Z" */
char *sfo_journal_timestamp(void);
