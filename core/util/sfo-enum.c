/*
 * sfo-enum.c: enum <-> string lookups behind SFO_ENUM_IMPL
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include "sfo-enum.h"

const char *
sfo_enum_to_string(const char *const *table, int ntable, int value)
{
    if (value < 0 || value >= ntable)
        return NULL;
    return table[value];
}

int
sfo_enum_from_string(const char *const *table, int ntable, const char *str)
{
    int i;

    if (!str)
        return -1;
    for (i = 0; i < ntable; i++) {
        if (g_str_equal(table[i], str))
            return i;
    }
    return -1;
}
