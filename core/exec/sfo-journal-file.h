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
 * ignored; any other line that is not a record is JOURNAL_CORRUPT.
 */
int sfo_journal_file_open(const char *path, sfo_journal **ret_journal);
