/*
 * sfo-journal-file.h: the journal as a JSON-lines file (plan/sfo-journal.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "plan/sfo-journal.h"

/*
 * The JSON journal file @path: one JSON object a line, appended and flushed
 * to disk (fdatasync) before the step it records runs or after it ran:
 *   {"type":"begin","sequence","time","source","destination"?,"plan":{…}}
 *   {"type":"step","sequence","time","undo","index","phase","error"?:{"key","message"}}
 *   {"type":"end","sequence","time","status"}
 *   {"type":"reserve"|"release","sequence","time","host","vf","nic"}
 * Created when absent. The file is locked (flock) while the journal is open:
 * a second process gets JOURNAL_LOCKED. A last line cut short by a crash is
 * ignored and cut off; any other line that is not a record is JOURNAL_CORRUPT,
 * and then the file is left as it is. The file is read by its length, never
 * as a C string: a NUL byte anywhere but in a torn last line is corruption.
 */
int sfo_journal_file_open(const char *path, sfo_journal **ret_journal);

/*
 * The reader of sfo_journal_file_open(), on the @len bytes of @text (no NUL
 * needed at the end; @origin names it in messages): fills @holds ("host\nvf"
 * -> NIC, emptied first) and *@ret_entries (optional: the sequences that
 * never ended, oldest first), and sets *@ret_end (optional) to the length of
 * the whole lines, where a torn last line starts. For the fuzz target, too.
 */
int sfo_journal_file_parse(const char *text, size_t len, const char *origin, GHashTable *holds,
                           GPtrArray **ret_entries, size_t *ret_end);
