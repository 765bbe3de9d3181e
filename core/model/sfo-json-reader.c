/*
 * sfo-json-reader.c: JSON read by length, one value at a time (json-c)
 *
 * sfo-json-reader.h says what it is for. The text arrives in chunks (a file
 * is read 64 KiB at a time, a text in memory is one chunk); json-c's tokener
 * keeps its own state across chunks, so a token may straddle two of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sfo-json-reader.h"
#include "util/sfo-autoptr.h"
#include "util/sfo-error.h"

#define SFO_JSON_CHUNK (64 * 1024)

struct sfo_json_reader {
    char *origin;
    int fd;          /* -1: the text is in memory, all of it in @buf */
    char *chunk;     /* the file's chunk buffer, NULL for a text in memory */
    const char *buf; /* the current chunk */
    size_t len;      /* its length */
    size_t pos;      /* its next unread byte */
    gboolean eof;
    int line; /* of buf[pos], from 1 */
    int column;
    json_tokener *tok;
    GString *token; /* the text of the scalar being read */
};

static sfo_json_reader *
sfo_json_reader_new(const char *origin)
{
    sfo_json_reader *r = g_new0(sfo_json_reader, 1);

    r->origin = g_strdup(origin);
    r->fd = -1;
    r->line = 1;
    r->column = 1;
    r->tok = json_tokener_new_ex(SFO_JSON_MAX_DEPTH);
    r->token = g_string_new(NULL);
    return r;
}

sfo_json_reader *
sfo_json_reader_new_data(const char *data, size_t len, const char *origin)
{
    sfo_json_reader *r = sfo_json_reader_new(origin);

    r->buf = data;
    r->len = len;
    return r;
}

sfo_json_reader *
sfo_json_reader_new_file(const char *path)
{
    int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
    sfo_json_reader *r;

    if (fd < 0) {
        int saved = errno;

        sfo_error_report(SFO_EIO, SFO_KEY_FILE_UNREADABLE, "cannot read inventory %s: %s", path,
                         g_strerror(saved));
        return NULL;
    }
    r = sfo_json_reader_new(path);
    r->fd = fd;
    r->chunk = g_malloc(SFO_JSON_CHUNK);
    r->buf = r->chunk;
    return r;
}

void
sfo_json_reader_free(sfo_json_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        g_close(r->fd, NULL);
    json_tokener_free(r->tok);
    g_string_free(r->token, TRUE);
    g_free(r->chunk);
    g_free(r->origin);
    g_free(r);
}

const char *
sfo_json_reader_origin(const sfo_json_reader *r)
{
    return r->origin;
}

/* Returns 1 when a byte is there to read, 0 at the end, <0 on a read error. */
static int
sfo_json_reader_fill(sfo_json_reader *r)
{
    ssize_t n;

    if (r->pos < r->len)
        return 1;
    if (r->fd < 0 || r->eof) {
        r->eof = TRUE;
        return 0;
    }
    do {
        n = read(r->fd, r->chunk, SFO_JSON_CHUNK);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        int saved = errno;

        sfo_error_report(SFO_EIO, SFO_KEY_FILE_UNREADABLE, "cannot read inventory %s: %s",
                         r->origin, g_strerror(saved));
        return SFO_EIO;
    }
    r->len = (size_t)n;
    r->pos = 0;
    r->eof = n == 0;
    return n > 0;
}

/* Consumes @n bytes of the current chunk, counting lines and columns. */
static void
sfo_json_reader_advance(sfo_json_reader *r, size_t n)
{
    const char *p = r->buf + r->pos;
    const char *end = p + n;
    const char *nl;

    while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
        r->line++;
        r->column = 1;
        p = nl + 1;
    }
    r->column += (int)(end - p);
    r->pos += n;
}

int
sfo_json_reader_syntax_error(sfo_json_reader *r, enum json_tokener_error err)
{
    sfo_error_report(SFO_EINVALID, SFO_KEY_INVENTORY_SYNTAX_ERROR, "%s:%d:%d: invalid JSON: %s",
                     r->origin, r->line, r->column, json_tokener_error_desc(err));
    return SFO_EINVALID;
}

int
sfo_json_reader_peek(sfo_json_reader *r, char *ret_c)
{
    int rc;

    while ((rc = sfo_json_reader_fill(r)) > 0) {
        char c = r->buf[r->pos];

        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            *ret_c = c;
            return 1;
        }
        sfo_json_reader_advance(r, 1);
    }
    return rc;
}

/* As sfo_json_reader_peek(), where the end of the text is a syntax error */
static int
sfo_json_reader_peek_more(sfo_json_reader *r, char *ret_c)
{
    int rc = sfo_json_reader_peek(r, ret_c);

    return rc == 0 ? sfo_json_reader_syntax_error(r, json_tokener_error_parse_eof) : rc;
}

/* Consumes @a (returns 1) or @b (returns 0) after white space; anything else is @err. */
static int
sfo_json_reader_take(sfo_json_reader *r, char a, char b, enum json_tokener_error err)
{
    char c = 0;
    int rc;

    if ((rc = sfo_json_reader_peek_more(r, &c)) < 0)
        return rc;
    if (c != a && c != b)
        return sfo_json_reader_syntax_error(r, err);
    sfo_json_reader_advance(r, 1);
    return c == a;
}

int
sfo_json_reader_expect(sfo_json_reader *r, char c, enum json_tokener_error err)
{
    int rc = sfo_json_reader_take(r, c, c, err);

    return rc < 0 ? rc : 0;
}

int
sfo_json_reader_next(sfo_json_reader *r, char close, enum json_tokener_error err)
{
    return sfo_json_reader_take(r, ',', close, err);
}

int
sfo_json_reader_open(sfo_json_reader *r, char open, char close)
{
    char c = 0;
    int rc;

    if ((rc = sfo_json_reader_expect(r, open, json_tokener_error_parse_unexpected)) < 0 ||
        (rc = sfo_json_reader_peek(r, &c)) < 0)
        return rc;
    if (rc > 0 && c == close) {
        sfo_json_reader_advance(r, 1);
        return 0;
    }
    return 1;
}

int
sfo_json_reader_end(sfo_json_reader *r)
{
    char c = 0;
    int rc;

    if ((rc = sfo_json_reader_peek(r, &c)) <= 0)
        return rc;
    return sfo_json_reader_syntax_error(r, json_tokener_error_parse_unexpected);
}

/*
 * A string, number or literal, by json-c's tokener, chunk after chunk until
 * it ends; an integer keeps its text (see the header).
 */
static int
sfo_json_reader_scalar(sfo_json_reader *r, json_object **ret_obj)
{
    json_object *obj = NULL;
    enum json_tokener_error err;
    int rc;

    json_tokener_reset(r->tok);
    g_string_truncate(r->token, 0);
    for (;;) {
        size_t end;

        if ((rc = sfo_json_reader_fill(r)) < 0)
            return rc;
        if (rc == 0) {
            /* a NUL ends a number or literal at the end of the text */
            obj = json_tokener_parse_ex(r->tok, "", 1);
            err = json_tokener_get_error(r->tok);
            if (err == json_tokener_continue)
                err = json_tokener_error_parse_eof;
            break;
        }
        /* json-c takes an int length: a text in memory goes in chunks too */
        obj = json_tokener_parse_ex(r->tok, r->buf + r->pos,
                                    (int)MIN(r->len - r->pos, SFO_JSON_CHUNK));
        err = json_tokener_get_error(r->tok);
        end = json_tokener_get_parse_end(r->tok);
        g_string_append_len(r->token, r->buf + r->pos, (gssize)end);
        sfo_json_reader_advance(r, end);
        if (err != json_tokener_continue)
            break;
    }
    if (err != json_tokener_success) {
        json_object_put(obj);
        return sfo_json_reader_syntax_error(r, err);
    }
    if (json_object_is_type(obj, json_type_int)) {
        /* json-c clamps what does not fit in 64 bits: keep the text as written */
        g_strchomp(r->token->str);
        json_object_set_serializer(obj, json_object_userdata_to_json_string, strdup(r->token->str),
                                   json_object_free_userdata);
    }
    *ret_obj = obj;
    return 0;
}

static int sfo_json_reader_value_at(sfo_json_reader *r, int depth, json_object **ret_obj);

int
sfo_json_reader_key(sfo_json_reader *r, char **ret_key)
{
    g_autoptr(json_object) key = NULL;
    char c = 0;
    int rc;

    if ((rc = sfo_json_reader_peek_more(r, &c)) < 0)
        return rc;
    if (c != '"')
        return sfo_json_reader_syntax_error(r, json_tokener_error_parse_object_key_name);
    if ((rc = sfo_json_reader_scalar(r, &key)) < 0)
        return rc;
    if (sfo_json_reader_expect(r, ':', json_tokener_error_parse_object_key_sep) < 0)
        return SFO_EINVALID;
    if (strlen(json_object_get_string(key)) != (size_t)json_object_get_string_len(key))
        *ret_key = NULL;
    else
        *ret_key = g_strdup(json_object_get_string(key));
    return 0;
}

/* An object or an array (@open), built member by member */
static int
sfo_json_reader_container(sfo_json_reader *r, int depth, char open, json_object **ret_obj)
{
    gboolean is_object = open == '{';
    char close = is_object ? '}' : ']';
    g_autoptr(json_object) obj = is_object ? json_object_new_object() : json_object_new_array();
    int more = sfo_json_reader_open(r, open, close);

    while (more > 0) {
        g_autofree char *key = NULL;
        json_object *val = NULL;

        if ((is_object && sfo_json_reader_key(r, &key) < 0) ||
            sfo_json_reader_value_at(r, depth + 1, &val) < 0)
            return SFO_EINVALID;
        if (!is_object)
            json_object_array_add(obj, val);
        else if (key)
            json_object_object_add(obj, key, val);
        else
            json_object_put(val); /* a key with a NUL names no field */
        more = sfo_json_reader_next(r, close,
                                    is_object ? json_tokener_error_parse_object_value_sep
                                              : json_tokener_error_parse_array);
    }
    if (more < 0)
        return more;
    *ret_obj = g_steal_pointer(&obj);
    return 0;
}

static int
sfo_json_reader_value_at(sfo_json_reader *r, int depth, json_object **ret_obj)
{
    char c = 0;
    int rc;

    if ((rc = sfo_json_reader_peek_more(r, &c)) < 0)
        return rc;
    if ((c == '{' || c == '[') && depth >= SFO_JSON_MAX_DEPTH)
        return sfo_json_reader_syntax_error(r, json_tokener_error_depth);
    if (c == '{' || c == '[')
        return sfo_json_reader_container(r, depth, c, ret_obj);
    return sfo_json_reader_scalar(r, ret_obj);
}

int
sfo_json_reader_value(sfo_json_reader *r, json_object **ret_obj)
{
    return sfo_json_reader_value_at(r, 0, ret_obj);
}
