/*
 * sfo-journal-file.c: the journal as a JSON-lines file, one record a line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* TRUE when a string anywhere in @obj holds a NUL (JSON's \u0000), which no record has */
static gboolean
sfo_journal_json_has_nul(json_object *obj)
{
    size_t i;

    switch (json_object_get_type(obj)) {
    case json_type_string:
        return memchr(json_object_get_string(obj), '\0', (size_t)json_object_get_string_len(obj)) !=
               NULL;
    case json_type_array:
        for (i = 0; i < json_object_array_length(obj); i++) {
            if (sfo_journal_json_has_nul(json_object_array_get_idx(obj, i)))
                return TRUE;
        }
        return FALSE;
    case json_type_object: {
        struct json_object_iterator it = json_object_iter_begin(obj);
        struct json_object_iterator last = json_object_iter_end(obj);

        for (; !json_object_iter_equal(&it, &last); json_object_iter_next(&it)) {
            if (sfo_journal_json_has_nul(json_object_iter_peek_value(&it)))
                return TRUE;
        }
        return FALSE;
    }
    case json_type_null:
    case json_type_boolean:
    case json_type_double:
    case json_type_int:
    default:
        return FALSE;
    }
}

/*
 * The record on the line @line of @len bytes (no newline), or NULL when it
 * is none: not one JSON object filling the line, a NUL byte in it (raw or
 * escaped), or no "type" and "sequence"
 */
static json_object *
sfo_journal_file_record_parse(const char *line, size_t len)
{
    json_tokener *tok;
    json_object *record;
    size_t end = 0;

    if (len > INT_MAX || memchr(line, '\0', len))
        return NULL;
    tok = json_tokener_new();
    record = json_tokener_parse_ex(tok, line, (int)len);
    if (record && json_tokener_get_error(tok) == json_tokener_success)
        end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    while (end < len && g_ascii_isspace(line[end]))
        end++;
    if (!record || end < len || !json_object_is_type(record, json_type_object) ||
        sfo_journal_json_has_nul(record) || !sfo_journal_json_string(record, "type") ||
        !sfo_journal_json_string(record, "sequence")) {
        json_object_put(record);
        return NULL;
    }
    return record;
}

/*
 * TRUE when @tail (the bytes after the last newline) is what a crash while
 * appending leaves: the start of a record (each is written whole, from its
 * '{'), or zeros where the file grew and the data never reached the disk
 */
static gboolean
sfo_journal_file_torn(const char *tail, size_t len)
{
    size_t i;

    if (tail[0] == '{')
        return memchr(tail, '\0', len) == NULL;
    for (i = 0; i < len; i++) {
        if (tail[i] != '\0')
            return FALSE;
    }
    return TRUE;
}

int
sfo_journal_file_parse(const char *text, size_t len, const char *origin, GHashTable *holds,
                       GPtrArray **ret_entries, size_t *ret_end)
{
    g_autoptr(GPtrArray) entries =
        g_ptr_array_new_with_free_func((GDestroyNotify)sfo_journal_entry_free);
    g_autoptr(GHashTable) by_id = g_hash_table_new(g_str_hash, g_str_equal);
    size_t pos = 0;
    guint lineno = 0;

    g_hash_table_remove_all(holds);
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        g_autoptr(json_object) record = NULL;
        const char *type;
        const char *id;
        sfo_journal_entry *entry;

        lineno++;
        if (!nl) {
            /* a crash while appending cuts the last line short: no newline follows it */
            if (sfo_journal_file_torn(line, n))
                break;
            sfo_error_report(SFO_EINVALID, SFO_KEY_JOURNAL_CORRUPT,
                             "journal %s: its end (line %u) is not the start of a journal record",
                             origin, lineno);
            return SFO_EINVALID;
        }
        pos += n + 1;
        if (n == 0)
            continue;
        if (!(record = sfo_journal_file_record_parse(line, n))) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_JOURNAL_CORRUPT,
                             "journal %s: line %u is not a journal record", origin, lineno);
            return SFO_EINVALID;
        }
        type = sfo_journal_json_string(record, "type");
        id = sfo_journal_json_string(record, "sequence");
        entry = g_hash_table_lookup(by_id, id);
        if (strcmp(type, "begin") == 0) {
            if (entry || sfo_journal_file_entry(record, &entry) < 0) {
                sfo_error_report(SFO_EINVALID, SFO_KEY_JOURNAL_CORRUPT,
                                 "journal %s: line %u does not begin a new sequence with a plan",
                                 origin, lineno);
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
            g_hash_table_insert(holds,
                                sfo_journal_hold_key(sfo_journal_json_string(record, "host"),
                                                     sfo_journal_json_string(record, "vf")),
                                g_strdup(sfo_journal_json_string(record, "nic")));
        } else if (strcmp(type, "release") == 0) {
            g_autofree char *key = sfo_journal_hold_key(sfo_journal_json_string(record, "host"),
                                                        sfo_journal_json_string(record, "vf"));

            g_hash_table_remove(holds, key);
        }
    }
    if (ret_entries)
        *ret_entries = g_steal_pointer(&entries);
    if (ret_end)
        *ret_end = pos;
    return 0;
}

/*
 * Reads the whole file, by its length: the holds into self->holds, and
 * (when @ret_entries) the sequences that never ended. With @repair, a last
 * line a crash left without its newline is cut off, so that the next record
 * starts a line.
 */
static int
sfo_journal_file_scan(sfo_journal_file *self, gboolean repair, GPtrArray **ret_entries)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;
    size_t end = 0;
    int rc;

    if (!g_file_get_contents(self->path, &text, &len, &err)) {
        sfo_error_report(SFO_EIO, SFO_KEY_FILE_UNREADABLE, "cannot read journal %s: %s", self->path,
                         err->message);
        return SFO_EIO;
    }
    if ((rc = sfo_journal_file_parse(text, len, self->path, self->holds, ret_entries, &end)) < 0)
        return rc;
    if (repair && end < len && ftruncate(self->fd, (off_t)end) < 0) {
        sfo_error_report(SFO_EIO, SFO_KEY_JOURNAL_UNWRITABLE, "cannot repair journal %s: %s",
                         self->path, g_strerror(errno));
        return SFO_EIO;
    }
    return 0;
}

static int
sfo_journal_file_unfinished(sfo_journal *journal, GPtrArray **ret_entries)
{
    return sfo_journal_file_scan((sfo_journal_file *)journal, FALSE, ret_entries);
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
    if ((rc = sfo_journal_file_scan(self, TRUE, NULL)) < 0)
        return rc;
    *ret_journal = g_steal_pointer(&journal);
    return 0;
}
