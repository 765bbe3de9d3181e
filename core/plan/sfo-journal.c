/*
 * sfo-journal.c: what every journal implementation shares (no I/O)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "sfo-journal.h"

SFO_ENUM_IMPL(sfo_journal_phase, SFO_JOURNAL_PHASE_LAST, "started", "done", "already", "failed");

void
sfo_journal_free(sfo_journal *journal)
{
    if (journal)
        journal->ops->free(journal);
}

int *
sfo_journal_phases_new(guint n)
{
    int *phase = g_new(int, n + 1);
    guint i;

    for (i = 0; i <= n; i++)
        phase[i] = -1;
    return phase;
}

sfo_journal_entry *
sfo_journal_entry_new(const char *id, const char *source_uri, const char *destination_uri,
                      sfo_plan *plan)
{
    sfo_journal_entry *entry = g_new0(sfo_journal_entry, 1);

    entry->id = g_strdup(id);
    entry->source_uri = g_strdup(source_uri);
    entry->destination_uri = g_strdup(destination_uri);
    entry->plan = plan;
    entry->step_phase = sfo_journal_phases_new(plan->steps->len);
    entry->undo_phase = sfo_journal_phases_new(plan->undo->len);
    return entry;
}

void
sfo_journal_entry_set_phase(sfo_journal_entry *entry, gboolean undo, int index, int phase)
{
    if (phase < 0 || phase >= SFO_JOURNAL_PHASE_LAST || index < 0)
        return;
    if (!undo && index < (int)entry->plan->steps->len)
        entry->step_phase[index] = phase;
    if (undo && index < (int)entry->plan->undo->len)
        entry->undo_phase[index] = phase;
}

void
sfo_journal_entry_free(sfo_journal_entry *entry)
{
    if (!entry)
        return;
    g_free(entry->id);
    g_free(entry->source_uri);
    g_free(entry->destination_uri);
    sfo_plan_free(entry->plan);
    g_free(entry->step_phase);
    g_free(entry->undo_phase);
    g_free(entry);
}
