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
 * bytes replaced, or one <mac/> element inserted. The offsets are in the
 * UTF-8 form of the text; input in another encoding gets its edits at the
 * bytes that encode the same characters, found by converting the text back
 * piece by piece (sfo_domxml_patch_encode()).
 *
 * Nothing is handed out unchecked: the result is parsed again and must show
 * the same devices with the same fields, but for the MACs that were fixed,
 * each now its persistent interface's (DOMXML_PATCH_UNVERIFIED otherwise).
 * That second view is what sfo_domxml_fix_and_check() checks the rules on.
 * Pure: text in, text out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include "model/sfo-domain.h"
#include "rules/sfo-rules.h"
#include "rules/sfo-violations.h"
#include "util/sfo-util.h"

#define SFO_KEY_TEAMING_MAC_COPIED "WARNING_TEAMING_MAC_COPIED"

/* One edit of the UTF-8 text: bytes [start, end) become @text. */
typedef struct {
    gsize start;
    gsize end;
    char *text;
} sfo_domxml_edit;

static void
sfo_domxml_edit_clear(gpointer data)
{
    sfo_domxml_edit *edit = data;

    g_free(edit->text);
}

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
sfo_domxml_patch_quote(const char *text, gsize tag_end)
{
    gsize i;

    for (i = tag_end; i > 0 && text[i] != '<'; i--) {
        if (text[i] == '\'' || text[i] == '"')
            return text[i];
    }
    return '\'';
}

/*
 * The text inserted at @at for a <mac/> element for @dev: a copy of the
 * whitespace that follows the start tag (a newline and the children's
 * indentation), so the result is laid out as the other children are, and
 * the element.
 */
static char *
sfo_domxml_patch_mac_element(const char *text, gsize len, gsize at, char quote, const char *mac)
{
    gsize ws = at;

    while (ws < len &&
           (text[ws] == ' ' || text[ws] == '\t' || text[ws] == '\n' || text[ws] == '\r'))
        ws++;
    if (ws == len || text[ws] != '<')
        ws = at;
    return g_strdup_printf("%.*s<mac address=%c%s%c/>", (int)(ws - at), text + at, quote, mac,
                           quote);
}

/*
 * Converts @n bytes of UTF-8 at @utf8 with @cd and checks that they are the
 * bytes of @xml (@len) at *@pos; advances *@pos past them.
 */
static gboolean
sfo_domxml_patch_same_bytes(GIConv cd, const char *utf8, gsize n, const char *xml, gsize len,
                            gsize *pos)
{
    g_autofree char *conv = NULL;
    gsize read = 0;
    gsize written = 0;

    if (n == 0)
        return TRUE;
    conv = g_convert_with_iconv(utf8, (gssize)n, cd, &read, &written, NULL);
    if (!conv || read != n || written > len - *pos || memcmp(conv, xml + *pos, written) != 0)
        return FALSE;
    *pos += written;
    return TRUE;
}

/*
 * Appends to @out @xml (@len bytes in @encoding) with @edits made, the edits
 * being at offsets of @utf8 (@utf8_len), the UTF-8 form of @xml. Each stretch
 * of @utf8 between edits, and each span an edit replaces, converted back to
 * @encoding, must be the next bytes of @xml: so each edit lands on the bytes
 * of the characters it replaces, and every other byte is @xml's own. A
 * conversion that does not give @xml back (a stateful encoding, a character
 * with two encodings) refuses with DOMXML_ENCODING_UNSUPPORTED.
 */
static int
sfo_domxml_patch_encode(const char *xml, gsize len, const char *utf8, gsize utf8_len, GArray *edits,
                        const char *encoding, GString *out)
{
    GIConv cd = g_iconv_open(encoding, "UTF-8");
    gsize from = 0;
    gsize pos = 0;
    guint i;
    int rc = SFO_EINVALID;

    if (cd == (GIConv)-1) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_ENCODING_UNSUPPORTED,
                         "domain XML in %s cannot be written back in that encoding", encoding);
        return SFO_EINVALID;
    }
    for (i = 0; i <= edits->len; i++) {
        const sfo_domxml_edit *edit =
            i < edits->len ? &g_array_index(edits, sfo_domxml_edit, i) : NULL;
        gsize start = edit ? edit->start : utf8_len;
        gsize kept = pos;
        g_autofree char *conv = NULL;

        if (!sfo_domxml_patch_same_bytes(cd, utf8 + from, start - from, xml, len, &pos))
            goto cleanup;
        g_string_append_len(out, xml + kept, (gssize)(pos - kept));
        if (!edit)
            break;
        if (!sfo_domxml_patch_same_bytes(cd, utf8 + start, edit->end - start, xml, len, &pos))
            goto cleanup;
        if (!(conv = g_convert_with_iconv(edit->text, -1, cd, NULL, NULL, NULL)))
            goto cleanup;
        g_string_append(out, conv);
        from = edit->end;
    }
    if (pos == len)
        rc = 0;

cleanup:
    g_iconv_close(cd);
    if (rc < 0)
        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_ENCODING_UNSUPPORTED,
                         "domain XML in %s cannot be patched byte for byte: converted to UTF-8 "
                         "and back it is not the same text",
                         encoding);
    return rc;
}

/*
 * Parses the patched @xml and checks it against @before, the view of the
 * input: the same devices, the same fields, but for the MACs @new_macs
 * names (one entry per device, NULL where none changed). Returns 0 and the
 * new view, or SFO_ERROR with DOMXML_PATCH_UNVERIFIED.
 */
static int
sfo_domxml_patch_verify(const sfo_domain *before, const char *xml, const char *const *new_macs,
                        sfo_domain **ret_after)
{
    g_autoptr(sfo_domain) after = NULL;

    if (sfo_domain_parse(xml, &after) < 0) {
        g_autofree char *why = g_strdup(sfo_error_last()->message);

        sfo_error_report(SFO_ERROR, SFO_KEY_DOMXML_PATCH_UNVERIFIED,
                         "the domain XML with its MACs fixed does not parse (%s); nothing was "
                         "changed",
                         why);
        return SFO_ERROR;
    }
    if (!sfo_domain_same_but_macs(before, after, new_macs)) {
        sfo_error_report(SFO_ERROR, SFO_KEY_DOMXML_PATCH_UNVERIFIED,
                         "the domain XML with its MACs fixed differs from the original in more "
                         "than those MACs; nothing was changed");
        return SFO_ERROR;
    }
    *ret_after = g_steal_pointer(&after);
    return 0;
}

/*
 * sfo_domxml_patch_teaming_macs() and, in @ret_domain, the view of the
 * result (of the input itself when nothing changed).
 */
static int
sfo_domxml_patch(const char *xml, char **ret_xml, sfo_violations **ret_fixes,
                 sfo_domain **ret_domain)
{
    g_autoptr(sfo_domain) domain = NULL;
    g_autoptr(sfo_domain) after = NULL;
    g_autoptr(sfo_violations) fixes = NULL;
    /* alias -> persistent device (borrowed); the first one wins, as in the rules */
    g_autoptr(GHashTable) persistents = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GArray) edits = g_array_new(FALSE, FALSE, sizeof(sfo_domxml_edit));
    g_autofree const char **new_macs = NULL;
    g_autoptr(GString) out = NULL;
    const char *text;
    gsize len;
    gsize copied = 0;
    guint i;
    int rc;

    if ((rc = sfo_domain_parse(xml, &domain)) < 0)
        return rc;
    g_array_set_clear_func(edits, sfo_domxml_edit_clear);
    text = sfo_domain_text(domain, xml, &len);
    for (i = 0; i < domain->devices->len; i++) {
        sfo_domain_device *dev = domain->devices->pdata[i];

        if (dev->teaming == SFO_DOMAIN_TEAMING_PERSISTENT && dev->alias &&
            !g_hash_table_contains(persistents, dev->alias))
            g_hash_table_insert(persistents, dev->alias, dev);
    }

    fixes = sfo_violations_new();
    new_macs = g_new0(const char *, domain->devices->len + 1);
    /* devices come in document order, so the edits do too */
    for (i = 0; i < domain->devices->len; i++) {
        const sfo_domain_device *dev = domain->devices->pdata[i];
        const sfo_domain_device *peer = sfo_domxml_patch_peer(dev, persistents);
        sfo_domxml_edit edit = { 0 };
        char buf[32];
        const char *label;

        if (!peer || g_strcmp0(dev->mac, peer->mac) == 0)
            continue;
        if (dev->mac_value) {
            edit.start = dev->mac_value;
            edit.end = dev->mac_value + dev->mac_value_len;
            edit.text = g_strdup(peer->mac);
        } else if (!dev->has_mac && dev->tag_end && text[dev->tag_end] == '>') {
            edit.start = edit.end = dev->tag_end + 1;
            edit.text = sfo_domxml_patch_mac_element(
                text, len, edit.start, sfo_domxml_patch_quote(text, dev->tag_end), peer->mac);
        } else {
            /* a <mac> without address=: not a MAC to replace; the rules report it */
            continue;
        }
        if (edit.start < copied || edit.end > len) {
            /* offsets out of order: never splice them; refused below */
            g_free(edit.text);
            sfo_error_report(SFO_ERROR, SFO_KEY_DOMXML_PATCH_UNVERIFIED,
                             "the MAC of interface %s cannot be located in the domain XML; "
                             "nothing was changed",
                             sfo_domain_device_label(dev, buf, sizeof(buf)));
            return SFO_ERROR;
        }
        copied = edit.end;
        g_array_append_val(edits, edit);
        new_macs[i] = peer->mac;
        label = sfo_domain_device_label(dev, buf, sizeof(buf));
        sfo_violations_add(fixes, SFO_KEY_TEAMING_MAC_COPIED, "interface", label, "Alias", label,
                           "Mac", dev->mac ? dev->mac : "(none)", "Persistent",
                           dev->teaming_persistent, "PersistentMac", peer->mac, NULL);
    }

    if (edits->len == 0) {
        *ret_xml = g_strdup(xml);
        *ret_fixes = g_steal_pointer(&fixes);
        *ret_domain = g_steal_pointer(&domain);
        return 0;
    }

    out = g_string_sized_new(strlen(xml) + 64 * edits->len);
    if (domain->encoding) {
        if ((rc = sfo_domxml_patch_encode(xml, strlen(xml), text, len, edits, domain->encoding,
                                          out)) < 0)
            return rc;
    } else {
        copied = 0;
        for (i = 0; i < edits->len; i++) {
            const sfo_domxml_edit *edit = &g_array_index(edits, sfo_domxml_edit, i);

            g_string_append_len(out, text + copied, (gssize)(edit->start - copied));
            g_string_append(out, edit->text);
            copied = edit->end;
        }
        g_string_append_len(out, text + copied, (gssize)(len - copied));
    }
    if ((rc = sfo_domxml_patch_verify(domain, out->str, new_macs, &after)) < 0)
        return rc;

    *ret_xml = g_string_free(g_steal_pointer(&out), FALSE);
    *ret_fixes = g_steal_pointer(&fixes);
    *ret_domain = g_steal_pointer(&after);
    return (int)edits->len;
}

int
sfo_domxml_patch_teaming_macs(const char *xml, unsigned int flags, char **ret_xml,
                              sfo_violations **ret_fixes)
{
    g_autoptr(sfo_domain) domain = NULL;

    sfo_return_val_if_fail(xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_fixes != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    return sfo_domxml_patch(xml, ret_xml, ret_fixes, &domain);
}

int
sfo_domxml_fix_and_check(const char *xml, unsigned int flags, char **ret_xml,
                         sfo_violations **ret_fixes, sfo_violations **ret_violations)
{
    g_autoptr(sfo_domain) domain = NULL;
    g_autofree char *fixed = NULL;
    g_autoptr(sfo_violations) fixes = NULL;
    sfo_violations *violations;
    int count;

    sfo_return_val_if_fail(xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_fixes != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_violations != NULL, SFO_EINVALID);
    sfo_check_flags(flags, 0);

    if ((count = sfo_domxml_patch(xml, &fixed, &fixes, &domain)) < 0)
        return count;
    violations = sfo_violations_new();
    sfo_rules_check_domain(domain, violations);

    *ret_xml = g_steal_pointer(&fixed);
    *ret_fixes = g_steal_pointer(&fixes);
    *ret_violations = violations;
    return count;
}
