/*
 * sfo-enum.h: enum <-> string tables from one macro pair (libvirt virenum.h)
 *
 * SFO_ENUM_DECL(sfo_foo) declares sfo_foo_to_string() and
 * sfo_foo_from_string(); SFO_ENUM_IMPL(sfo_foo, SFO_FOO_LAST, "a", "b", ...)
 * defines them and fails to compile when the table and the enum disagree.
 * from_string returns the value, or -1 for an unknown or NULL string.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

const char *sfo_enum_to_string(const char *const *table, int ntable, int value);
int sfo_enum_from_string(const char *const *table, int ntable, const char *str);

#define SFO_ENUM_DECL(name) \
    const char *name##_to_string(int value); \
    int name##_from_string(const char *str)

#define SFO_ENUM_IMPL(name, last, ...) \
    static const char *const name##_table[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##_table) == (last)); \
    const char *name##_to_string(int value) \
    { \
        return sfo_enum_to_string(name##_table, G_N_ELEMENTS(name##_table), value); \
    } \
    int name##_from_string(const char *str) \
    { \
        return sfo_enum_from_string(name##_table, G_N_ELEMENTS(name##_table), str); \
    }
