/*
 * sfo-json-reader.h: JSON read by length, one value at a time
 *
 * A reader walks a JSON text from a file (in chunks) or from memory (a
 * pointer and a length: an embedded NUL is a syntax error, not an end). It
 * hands out one value at a time as a json-c object, or lets the caller step
 * through an object or an array itself, so that an inventory never needs
 * json-c's tree of the whole document: each element is built, read into the
 * model and released.
 *
 * json-c's tokener reads every token (strings with their escapes, numbers,
 * literals); the reader only places them: white space, { } [ ] : and ,.
 * What it adds over json_tokener_parse_ex() on the whole text:
 *  - object keys are compared by length: a key with an embedded NUL
 *    ("migratable\u0000x") is no field of ours and is dropped, never taken
 *    for the key before the NUL (json-c keeps keys as C strings);
 *  - an integer keeps the text it was written with, so a message quotes
 *    99999999999999999999 as written, not json-c's clamped value
 *    (json_object_to_json_string() of it returns that text);
 *  - syntax errors name origin:line:column (INVENTORY_SYNTAX_ERROR).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stddef.h>

#include <glib.h>
#include <json-c/json.h>

/* json-c's own limit on nesting */
#define SFO_JSON_MAX_DEPTH 32

typedef struct sfo_json_reader sfo_json_reader;

/* Reads @len bytes at @data (borrowed: it must outlive the reader). */
sfo_json_reader *sfo_json_reader_new_data(const char *data, size_t len, const char *origin);

/*
 * Opens @path for reading in chunks. Returns NULL with the last error set
 * (FILE_UNREADABLE) when it cannot be opened.
 */
sfo_json_reader *sfo_json_reader_new_file(const char *path);

void sfo_json_reader_free(sfo_json_reader *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_json_reader, sfo_json_reader_free)

/* The origin given, or the path; used in messages. */
const char *sfo_json_reader_origin(const sfo_json_reader *r);

/*
 * Skips white space and returns 1 with the next character (not consumed),
 * 0 at the end of the text, <0 on a read error.
 */
int sfo_json_reader_peek(sfo_json_reader *r, char *ret_c);

/*
 * Consumes the next character after white space when it is @c; otherwise
 * fails with INVENTORY_SYNTAX_ERROR and json-c's text for @err.
 */
int sfo_json_reader_expect(sfo_json_reader *r, char c, enum json_tokener_error err);

/*
 * Reads one whole value (object, array or scalar) into a new json-c object.
 * Returns 0 and the object (NULL for JSON null), <0 with the last error set.
 */
int sfo_json_reader_value(sfo_json_reader *r, json_object **ret_obj);

/*
 * Reads an object key and its ':'. Returns 0 and the key, a new string, or
 * NULL when the key holds a NUL (it names no field); <0 on error.
 */
int sfo_json_reader_key(sfo_json_reader *r, char **ret_key);

/*
 * Consumes @open ('{' or '['), then @close when it follows at once: returns 1
 * when members or elements follow, 0 when it was empty, <0 on error.
 */
int sfo_json_reader_open(sfo_json_reader *r, char open, char close);

/*
 * After an element of an object or an array: consumes ',' and returns 1 (one
 * more follows), or consumes @close and returns 0; otherwise fails with @err.
 */
int sfo_json_reader_next(sfo_json_reader *r, char close, enum json_tokener_error err);

/* Checks that nothing but white space is left (INVENTORY_SYNTAX_ERROR otherwise). */
int sfo_json_reader_end(sfo_json_reader *r);

/* Reports INVENTORY_SYNTAX_ERROR at the reader's position with json-c's text for @err. */
int sfo_json_reader_syntax_error(sfo_json_reader *r, enum json_tokener_error err);
