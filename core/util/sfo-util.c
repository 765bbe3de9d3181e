/*
 * sfo-util.c: MAC, PCI address and alias checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "sfo-util.h"

char *
sfo_mac_normalize(const char *mac)
{
    /* "xx:xx:xx:xx:xx:xx": an exact allocation, one per NIC of an inventory */
    char out[6 * 3];
    int octet;
    const char *p = mac;

    if (!mac)
        return NULL;
    for (octet = 0; octet < 6; octet++) {
        if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1]))
            return NULL;
        out[3 * octet] = g_ascii_tolower(p[0]);
        out[3 * octet + 1] = g_ascii_tolower(p[1]);
        p += 2;
        if (octet < 5) {
            if (*p != ':' && *p != '-')
                return NULL;
            out[3 * octet + 2] = ':';
            p++;
        }
    }
    if (*p != '\0')
        return NULL;
    return g_strndup(out, sizeof(out) - 1);
}

static gboolean
sfo_parse_hex(const char **p, unsigned int maxdigits, unsigned int *ret)
{
    unsigned int val = 0;
    unsigned int n = 0;

    while (n < maxdigits && g_ascii_isxdigit(**p)) {
        val = val * 16 + g_ascii_xdigit_value(**p);
        (*p)++;
        n++;
    }
    if (n == 0)
        return FALSE;
    *ret = val;
    return TRUE;
}

gboolean
sfo_pci_address_parse(const char *str, sfo_pci_address *ret_addr)
{
    sfo_pci_address addr = { 0 };
    const char *p = str;
    int colons = 0;
    const char *q;

    if (!str)
        return FALSE;
    for (q = str; *q; q++)
        colons += *q == ':';
    if (colons == 2) {
        if (!sfo_parse_hex(&p, 4, &addr.domain) || *p++ != ':')
            return FALSE;
    } else if (colons != 1) {
        return FALSE;
    }
    if (!sfo_parse_hex(&p, 2, &addr.bus) || *p++ != ':' || !sfo_parse_hex(&p, 2, &addr.slot) ||
        *p++ != '.' || !sfo_parse_hex(&p, 1, &addr.function) || *p != '\0')
        return FALSE;
    if (addr.slot > 0x1f || addr.function > 7)
        return FALSE;
    if (ret_addr)
        *ret_addr = addr;
    return TRUE;
}

static gboolean
sfo_is_alias_chars(const char *s)
{
    if (!s || !*s)
        return FALSE;
    for (; *s; s++) {
        if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-')
            return FALSE;
    }
    return TRUE;
}

gboolean
sfo_alias_is_user(const char *alias)
{
    return alias && g_str_has_prefix(alias, "ua-") && sfo_is_alias_chars(alias + 3);
}

gboolean
sfo_id_is_valid(const char *id)
{
    return sfo_is_alias_chars(id);
}
