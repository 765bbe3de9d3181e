/*
 * sfo-util.h: small value checks shared by every layer (MAC, PCI, aliases)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/*
 * Parses "52:54:00:AB:cd:EF" (six hex octets, ':' or '-' separated) and
 * returns it lower case with ':' separators, or NULL when @mac is not one.
 */
char *sfo_mac_normalize(const char *mac);

typedef struct {
    unsigned int domain;
    unsigned int bus;
    unsigned int slot;
    unsigned int function;
} sfo_pci_address;

/* Parses "0000:3b:02.3" (domain optional: "3b:02.3"). */
gboolean sfo_pci_address_parse(const char *str, sfo_pci_address *ret_addr);

/*
 * A libvirt user alias: "ua-" followed by one or more of [A-Za-z0-9_-].
 * libvirt silently drops any other alias from an inactive definition.
 */
gboolean sfo_alias_is_user(const char *alias);

/* An object id usable inside a user alias: one or more of [A-Za-z0-9_-]. */
gboolean sfo_id_is_valid(const char *id);
