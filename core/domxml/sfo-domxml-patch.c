/*
 * sfo-domxml-patch.c: fixing the MACs of <teaming> pairs in a domain XML in place
 *
 * The guest's net_failover driver pairs a VF with its virtio standby by MAC,
 * and libvirt does not check that the two are equal. A VDSM hook may fix
 * that, but must hand the XML back with nothing else changed: VDSM and
 * libvirt keep the text, and re-serialising it (minidom, libxml2) rewrites
 * quotes, whitespace, the declaration and character references all over.
 *
 * So the text is parsed once (sfo_domain_parse(), which also records where
 * each device's start tag ends and where its <mac address=…> value is), the
 * fixes are decided on that view, and the result is the input with only those
 * bytes replaced, or one <mac/> element inserted. Pure: text in, text out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "model/sfo-domain.h"
#include "rules/sfo-violations.h"
#include "util/sfo-util.h"

#define SFO_KEY_TEAMING_MAC_COPIED "WARNING_TEAMING_MAC_COPIED"

/* The persistent interface @dev names, when it is in the text with a valid MAC. */
static const sfo_domain_device *
sfo_domxml_patch_peer(const sfo_domain_device *dev, GHashTable *persistents)
{
    const sfo_domain_device *peer;
    g_autofree char *mac = NULL;

    if (dev->teaming != SFO_DOMAIN_TEAMING_TRANSIENT || strcmp(dev->element, "interface") != 0 ||
        !dev->teaming_persistent)
        return NULL;
    peer = g_hash_table_lookup(persistents, dev->teaming_persistent);
    if (!peer || !peer->mac)
        return NULL;
    /* the model keeps a MAC normalised, or the raw text when it is not one */
    mac = sfo_mac_normalize(peer->mac);
    if (!mac || strcmp(mac, peer->mac) != 0)
        return NULL;
    return peer;
}

/* The quote the start tag ending at @tag_end uses (its last attribute's), else '. */
static char
sfo_domxml_patch_quote(const char *xml, gsize tag_end)
{
    gsize i;

    for (i = tag_end; i > 0 && xml[i] != '<'; i--) {
        if (xml[i] == '\'' || xml[i] == '"')
            return xml[i];
    }
    return '\'';
}

/*
 * Appends to @out what goes in front of the text from @at: a <mac/> element
 * for @dev, preceded by a copy of the whitespace that follows the start tag
 * (a newline and the children's indentation), so the result is laid out as
 * the other children are.
 */
static void
sfo_domxml_patch_insert_mac(GString *out, const char *xml, gsize at, char quote, const char *mac)
{
    gsize ws = at;

    while (xml[ws] == ' ' || xml[ws] == '\t' || xml[ws] == '\n' || xml[ws] == '\r')
        ws++;
    if (xml[ws] == '<')
        g_string_append_len(out, xml + at, (gssize)(ws - at));
    g_string_append_printf(out, "<mac address=%c%s%c/>", quote, mac, quote);
}

int
sfo_domxml_patch_teaming_macs(const char *xml, unsigned int flags, char **ret_xml,
                              sfo_violations **ret_fixes)
{
    g_autoptr(sfo_domain) domain = NULL;
    g_autoptr(sfo_violations) fixes = NULL;
    /* alias -> persistent device (borrowed); the first one wins, as in the rules */
    g_autoptr(GHashTable) persistents = g_hash_table_new(g_str_hash, g_str_equal);
    GString *out;
    gsize copied = 0;
    int count = 0;
    guint i;
    int rc;

    sfo_return_val_if_fail(xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_fixes != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if ((rc = sfo_domain_parse(xml, &domain)) < 0)
        return rc;
    for (i = 0; i < domain->devices->len; i++) {
        sfo_domain_device *dev = domain->devices->pdata[i];

        if (dev->teaming == SFO_DOMAIN_TEAMING_PERSISTENT && dev->alias &&
            !g_hash_table_contains(persistents, dev->alias))
            g_hash_table_insert(persistents, dev->alias, dev);
    }

    fixes = sfo_violations_new();
    out = g_string_sized_new(strlen(xml) + 64);
    /* devices come in document order, so the edits do too */
    for (i = 0; i < domain->devices->len; i++) {
        const sfo_domain_device *dev = domain->devices->pdata[i];
        const sfo_domain_device *peer = sfo_domxml_patch_peer(dev, persistents);
        char buf[32];
        const char *label;

        if (!peer || g_strcmp0(dev->mac, peer->mac) == 0)
            continue;
        if (dev->mac_value) {
            g_string_append_len(out, xml + copied, (gssize)(dev->mac_value - copied));
            g_string_append(out, peer->mac);
            copied = dev->mac_value + dev->mac_value_len;
        } else if (!dev->has_mac && dev->tag_end && xml[dev->tag_end] == '>') {
            gsize at = dev->tag_end + 1;

            g_string_append_len(out, xml + copied, (gssize)(at - copied));
            sfo_domxml_patch_insert_mac(out, xml, at, sfo_domxml_patch_quote(xml, dev->tag_end),
                                        peer->mac);
            copied = at;
        } else {
            /* a <mac> without address=: not a MAC to replace; the rules report it */
            continue;
        }
        label = sfo_domain_device_label(dev, buf, sizeof(buf));
        sfo_violations_add(fixes, SFO_KEY_TEAMING_MAC_COPIED, "interface", label, "Alias", label,
                           "Mac", dev->mac ? dev->mac : "(none)", "Persistent",
                           dev->teaming_persistent, "PersistentMac", peer->mac, NULL);
        count++;
    }
    g_string_append(out, xml + copied);

    *ret_xml = g_string_free(out, FALSE);
    *ret_fixes = g_steal_pointer(&fixes);
    return count;
}
