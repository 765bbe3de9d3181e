/*
 * sfo-journal-file.c: the journal as a JSON-lines file, one record a line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sfo-journal-file.h"

/* The current time as the journal writes it: "2026-01-31T12:00:00.123456Z" */
static char *
sfo_journal_timestamp(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();

    return g_date_time_format(now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

typedef struct {
    sfo_journal parent;
    char *path;
    int fd;
    GHashTable *holds; /* "host\nvf" -> NIC id */
} sfo_journal_file;

static char *
sfo_journal_hold_key(const char *host, const char *vf)
{
    return g_strconcat(host ? host : "", "\n", vf ? vf : "", NULL);
}

static const char *
sfo_journal_json_string(json_object *obj, const char *name)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* Appends @record (with "time") as one line and flushes it to disk */
static int
sfo_journal_file_append(sfo_journal_file *self, json_object *record)
{
    g_autofree char *time = sfo_journal_timestamp();
    g_autofree char *line = NULL;
    size_t len;
    size_t off = 0;

    json_object_object_add(record, "time", json_object_new_string(time));
    line = g_strconcat(json_object_to_json_string_ext(record, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE),
                       "\n", NULL);
    len = strlen(line);
    while (off < len) {
        ssize_t n = write(self->fd, line + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_UNWRITABLE, "cannot write journal %s: %s",
                             self->path, g_strerror(errno));
            return SFO_EIO;
        }
        off += (size_t)n;
    }
    if (fdatasync(self->fd) < 0) {
        sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_UNWRITABLE, "cannot flush journal %s: %s",
                         self->path, g_strerror(errno));
        return SFO_EIO;
    }
    return 0;
}

static json_object *
sfo_journal_record_new(const char *type, const char *id)
{
    json_object *record = json_object_new_object();

    json_object_object_add(record, "type", json_object_new_string(type));
    json_object_object_add(record, "sequence", json_object_new_string(id));
    return record;
}

static int
sfo_journal_file_begin(sfo_journal *journal, const sfo_plan *plan, const char *source_uri,
                       const char *destination_uri, char **ret_id)
{
    sfo_journal_file *self = (sfo_journal_file *)journal;
    g_autofree char *id = g_uuid_string_random();
    g_autoptr(json_object) record = sfo_journal_record_new("begin", id);
    int rc;

    if (source_uri)
        json_object_object_add(record, "source", json_object_new_string(source_uri));
    if (destination_uri)
        json_object_object_add(record, "destination", json_object_new_string(destination_uri));
    json_object_object_add(record, "plan", sfo_plan_to_json(plan));
    if ((rc = sfo_journal_file_append(self, record)) < 0)
        return rc;
    *ret_id = g_steal_pointer(&id);
    return 0;
}

static int
sfo_journal_file_record(sfo_journal *journal, const char *id, gboolean undo, int index,
                        sfo_journal_phase phase, const char *error_key, const char *error_message)
{
    sfo_journal_file *self = (sfo_journal_file *)journal;
    g_autoptr(json_object) record = sfo_journal_record_new("step", id);

    json_object_object_add(record, "undo", json_object_new_boolean(undo));
    json_object_object_add(record, "index", json_object_new_int(index));
    json_object_object_add(record, "phase",
                           json_object_new_string(sfo_journal_phase_to_string(phase)));
    if (error_key) {
        json_object *err = json_object_new_object();

        json_object_object_add(err, "key", json_object_new_string(error_key));
        json_object_object_add(err, "message",
                               json_object_new_string(error_message ? error_message : ""));
        json_object_object_add(record, "error", err);
    }
    return sfo_journal_file_append(self, record);
}

static int
sfo_journal_file_finish(sfo_journal *journal, const char *id, const char *status)
{
    sfo_journal_file *self = (sfo_journal_file *)journal;
    g_autoptr(json_object) record = sfo_journal_record_new("end", id);

    json_object_object_add(record, "status", json_object_new_string(status));
    return sfo_journal_file_append(self, record);
}

static int
sfo_journal_file_hold(sfo_journal_file *self, const char *type, const char *id, const char *host,
                      const char *vf, const char *nic)
{
    g_autoptr(json_object) record = sfo_journal_record_new(type, id);

    json_object_object_add(record, "host", json_object_new_string(host ? host : ""));
    json_object_object_add(record, "vf", json_object_new_string(vf ? vf : ""));
    json_object_object_add(record, "nic", json_object_new_string(nic ? nic : ""));
    return sfo_journal_file_append(self, record);
}

static int
sfo_journal_file_reserve_vf(sfo_journal *journal, const char *id, const char *host, const char *vf,
                            const char *nic, char **ret_holder)
{
    sfo_journal_file *self = (sfo_journal_file *)journal;
    g_autofree char *key = sfo_journal_hold_key(host, vf);
    const char *holder = g_hash_table_lookup(self->holds, key);
    int rc;

    if (holder && g_strcmp0(holder, nic) != 0) {
        *ret_holder = g_strdup(holder);
        return 0;
    }
    *ret_holder = NULL;
    if (holder)
        return 0; /* already ours */
    if ((rc = sfo_journal_file_hold(self, "reserve", id, host, vf, nic)) < 0)
        return rc;
    g_hash_table_insert(self->holds, g_steal_pointer(&key), g_strdup(nic));
    return 0;
}

static int
sfo_journal_file_release_vf(sfo_journal *journal, const char *id, const char *host, const char *vf,
                            const char *nic)
{
    sfo_journal_file *self = (sfo_journal_file *)journal;
    g_autofree char *key = sfo_journal_hold_key(host, vf);
    int rc;

    if (g_strcmp0(g_hash_table_lookup(self->holds, key), nic) != 0)
        return 0; /* not ours to drop */
    if ((rc = sfo_journal_file_hold(self, "release", id, host, vf, nic)) < 0)
        return rc;
    g_hash_table_remove(self->holds, key);
    return 0;
}

/* Applies one step record to the unfinished entry it belongs to */
static void
sfo_journal_entry_apply(sfo_journal_entry *entry, json_object *record)
{
    json_object *v = NULL;
    gboolean undo = FALSE;
    int index = -1;

    if (json_object_object_get_ex(record, "undo", &v))
        undo = json_object_get_boolean(v);
    if (json_object_object_get_ex(record, "index", &v))
        index = json_object_get_int(v);
    sfo_journal_entry_set_phase(
        entry, undo, index,
        sfo_journal_phase_from_string(sfo_journal_json_string(record, "phase")));
}

/* The entry a "begin" record opens */
static int
sfo_journal_file_entry(json_object *record, sfo_journal_entry **ret_entry)
{
    json_object *obj = NULL;
    sfo_plan *plan = NULL;
    int rc;

    if (!json_object_object_get_ex(record, "plan", &obj))
        return SFO_EINVALID;
    if ((rc = sfo_plan_from_json(obj, &plan)) < 0)
        return rc;
    *ret_entry = sfo_journal_entry_new(sfo_journal_json_string(record, "sequence"),
                                       sfo_journal_json_string(record, "source"),
                                       sfo_journal_json_string(record, "destination"), plan);
    return 0;
}

/*
 * Reads the whole file: the holds into self->holds, and (when @ret_entries)
 * the sequences that never ended.
 */
static int
sfo_journal_file_scan(sfo_journal_file *self, GPtrArray **ret_entries)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) entries =
        g_ptr_array_new_with_free_func((GDestroyNotify)sfo_journal_entry_free);
    g_autoptr(GHashTable) by_id = g_hash_table_new(g_str_hash, g_str_equal);
    guint nlines;
    guint i;

    if (!g_file_get_contents(self->path, &text, NULL, &err)) {
        sfo_error_report(SFO_EIO, SFO_KEY_FILE_UNREADABLE, "cannot read journal %s: %s", self->path,
                         err->message);
        return SFO_EIO;
    }
    g_hash_table_remove_all(self->holds);
    lines = g_strsplit(text, "\n", -1);
    nlines = g_strv_length(lines);
    for (i = 0; i < nlines; i++) {
        g_autoptr(json_object) record = NULL;
        const char *type;
        const char *id;
        sfo_journal_entry *entry;

        if (!*lines[i])
            continue;
        record = json_tokener_parse(lines[i]);
        type = record ? sfo_journal_json_string(record, "type") : NULL;
        id = record ? sfo_journal_json_string(record, "sequence") : NULL;
        if (!type || !id) {
            /* a crash while appending cuts the last line short (no newline follows it) */
            if (i + 1 == nlines)
                break;
            sfo_error_report(SFO_EINVALID, SFO_KEY_JOURNAL_CORRUPT,
                             "journal %s: line %u is not a journal record", self->path, i + 1);
            return SFO_EINVALID;
        }
        entry = g_hash_table_lookup(by_id, id);
        if (strcmp(type, "begin") == 0) {
            int rc = sfo_journal_file_entry(record, &entry);

            if (rc < 0) {
                sfo_error_report(SFO_EINVALID, SFO_KEY_JOURNAL_CORRUPT,
                                 "journal %s: line %u does not hold a plan", self->path, i + 1);
                return SFO_EINVALID;
            }
            g_ptr_array_add(entries, entry);
            g_hash_table_insert(by_id, entry->id, entry);
        } else if (strcmp(type, "step") == 0 && entry) {
            sfo_journal_entry_apply(entry, record);
        } else if (strcmp(type, "end") == 0 && entry) {
            g_hash_table_remove(by_id, id);
            g_ptr_array_remove(entries, entry);
        } else if (strcmp(type, "reserve") == 0) {
            g_hash_table_insert(self->holds,
                                sfo_journal_hold_key(sfo_journal_json_string(record, "host"),
                                                     sfo_journal_json_string(record, "vf")),
                                g_strdup(sfo_journal_json_string(record, "nic")));
        } else if (strcmp(type, "release") == 0) {
            g_autofree char *key = sfo_journal_hold_key(sfo_journal_json_string(record, "host"),
                                                        sfo_journal_json_string(record, "vf"));

            g_hash_table_remove(self->holds, key);
        }
    }
    if (ret_entries)
        *ret_entries = g_steal_pointer(&entries);
    return 0;
}

/* Cuts a last line a crash left without its newline, so the next record starts a line */
static int
sfo_journal_file_trim(sfo_journal_file *self)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    const char *nl;

    if (!g_file_get_contents(self->path, &text, &len, NULL) || len == 0 || text[len - 1] == '\n')
        return 0;
    nl = strrchr(text, '\n');
    if (ftruncate(self->fd, nl ? (off_t)(nl - text + 1) : 0) < 0) {
        sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_UNWRITABLE, "cannot repair journal %s: %s",
                         self->path, g_strerror(errno));
        return SFO_EIO;
    }
    return 0;
}

static int
sfo_journal_file_unfinished(sfo_journal *journal, GPtrArray **ret_entries)
{
    return sfo_journal_file_scan((sfo_journal_file *)journal, ret_entries);
}

static void
sfo_journal_file_free(sfo_journal *journal)
{
    sfo_journal_file *self = (sfo_journal_file *)journal;

    if (self->fd >= 0)
        close(self->fd); /* drops the lock */
    g_hash_table_unref(self->holds);
    g_free(self->path);
    g_free(self);
}

static const sfo_journal_ops sfo_journal_file_ops = {
    .begin = sfo_journal_file_begin,
    .record = sfo_journal_file_record,
    .finish = sfo_journal_file_finish,
    .reserve_vf = sfo_journal_file_reserve_vf,
    .release_vf = sfo_journal_file_release_vf,
    .unfinished = sfo_journal_file_unfinished,
    .free = sfo_journal_file_free,
};

int
sfo_journal_file_open(const char *path, sfo_journal **ret_journal)
{
    sfo_journal_file *self;
    g_autoptr(sfo_journal) journal = NULL;
    g_autofree char *dir = g_path_get_dirname(path);
    int rc;

    if (g_mkdir_with_parents(dir, 0700) < 0) {
        sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_UNWRITABLE, "cannot create directory %s: %s", dir,
                         g_strerror(errno));
        return SFO_EIO;
    }
    self = g_new0(sfo_journal_file, 1);
    self->parent.ops = &sfo_journal_file_ops;
    self->path = g_strdup(path);
    self->holds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    journal = &self->parent;
    self->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (self->fd < 0) {
        sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_UNWRITABLE, "cannot open journal %s: %s", path,
                         g_strerror(errno));
        return SFO_EIO;
    }
    if (flock(self->fd, LOCK_EX | LOCK_NB) < 0) {
        sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_LOCKED,
                         "journal %s is in use by another process: %s", path, g_strerror(errno));
        return SFO_EIO;
    }
    if ((rc = sfo_journal_file_scan(self, NULL)) < 0 || (rc = sfo_journal_file_trim(self)) < 0)
        return rc;
    *ret_journal = g_steal_pointer(&journal);
    return 0;
}
