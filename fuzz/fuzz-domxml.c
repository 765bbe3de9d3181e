/*
 * fuzz-domxml.c: fuzz target of the libvirt domain XML checker
 *
 * Feeds the input to sfo_rules_check_domxml() and, when it parses, formats
 * the violations as JSON. A failure must leave an error behind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <sriovfo/sriovfo.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_malloc(size + 1);
    sfo_violations *violations = NULL;
    char *json = NULL;
    size_t i;

    memcpy(text, data, size);
    text[size] = '\0';

    if (sfo_rules_check_domxml(text, 0, &violations) < 0) {
        if (!sfo_error_last())
            abort();
        return 0;
    }
    for (i = 0; i < sfo_violations_count(violations); i++) {
        if (!sfo_violations_key(violations, i) || !sfo_violations_message(violations, i))
            abort();
    }
    if (sfo_violations_format_json(violations, 0, &json) < 0)
        abort();
    sfo_free(json);
    sfo_violations_free(violations);
    return 0;
}
