/*
 * fuzz-domxml-patch.c: fuzz target of the MAC patch of a domain XML
 *
 * Patches the input with sfo_domxml_patch_teaming_macs(). When it patches,
 * the result must parse, patching it again must change nothing, and there
 * must be one fix per interface changed; sfo_domxml_fix_and_check() must
 * give the same text. A failure must leave an error behind.
 *
 * Then the input is tried large and in another encoding: when it is UTF-8
 * without an XML declaration, it gets one naming encoding E (chosen by the
 * input's length among sfo_fuzz_encodings, which has every kind libxml2
 * reads: its own decoders, single-byte, EBCDIC, multi-byte, stateful, wide)
 * and a 64 KiB comment after its root (libxml2's offsets used to go wrong
 * before the last ~32 KB of a text it decodes), and is converted to E.
 * Patching that must give the same text as patching the same UTF-8 text,
 * converted to E; or be refused as an encoding that cannot be read or
 * patched byte for byte.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <sriovfo/sriovfo.h>

#include "fuzz.h"

#define SFO_FUZZ_PAD (64 * 1024)

static const char *const sfo_fuzz_encodings[] = {
    /* libxml2's own decoders */
    "UTF-8",
    "ISO-8859-1",
    "US-ASCII",
    "ASCII",
    "UTF-16LE",
    "UTF-16BE",
    "UTF-16",
    "HTML",
    /* single-byte, through iconv */
    "ISO-8859-2",
    "ISO-8859-5",
    "ISO-8859-7",
    "ISO-8859-9",
    "ISO-8859-15",
    "ISO-8859-16",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "KOI8-R",
    "CP437",
    "MACINTOSH",
    /* EBCDIC: not ASCII-compatible */
    "IBM037",
    "IBM500",
    "IBM1047",
    /* multi-byte, ASCII-compatible */
    "SHIFT_JIS",
    "EUC-JP",
    "EUC-KR",
    "GBK",
    "GB18030",
    "BIG5",
    /* stateful */
    "ISO-2022-JP",
    "ISO-2022-KR",
    "UTF-7",
    /* wide */
    "UCS-2",
    "UCS-4",
    "UTF-32",
};

static int
sfo_fuzz_patch(const char *xml, char **ret_xml)
{
    sfo_violations *fixes = NULL;
    sfo_violations *violations = NULL;
    char *output = NULL;
    char *again = NULL;
    char *checked = NULL;
    int count;
    int recount;

    count = sfo_domxml_patch_teaming_macs(xml, 0, &output, &fixes);
    if (count < 0) {
        if (!sfo_error_last())
            abort();
        if (sfo_domxml_fix_and_check(xml, 0, &checked, &fixes, &violations) >= 0) {
            fprintf(stderr, "fix_and_check accepts what the patch refuses\n");
            abort();
        }
        return count;
    }
    if (sfo_violations_count(fixes) != (size_t)count)
        abort();
    sfo_violations_free(fixes);
    fixes = NULL;

    /* the result parses, and a second patch has nothing left to do */
    recount = sfo_domxml_patch_teaming_macs(output, 0, &again, &fixes);
    if (recount != 0 || strcmp(again, output) != 0) {
        fprintf(stderr, "second patch: %d (%s)\n", recount,
                recount < 0 ? sfo_error_last()->message : "changed the text");
        abort();
    }
    sfo_violations_free(fixes);
    fixes = NULL;
    if (sfo_rules_check_domxml(output, 0, &violations) < 0)
        abort();
    sfo_violations_free(violations);
    violations = NULL;

    /* the hook's one call says the same */
    if (sfo_domxml_fix_and_check(xml, 0, &checked, &fixes, &violations) != count ||
        strcmp(checked, output) != 0)
        abort();
    sfo_violations_free(fixes);
    sfo_violations_free(violations);
    sfo_free(checked);
    sfo_free(again);
    *ret_xml = output;
    return count;
}

/*
 * "<?xml …encoding='@encoding'?>", @body, then the padding: a comment after
 * the root, so every element of @body is over 64 KiB before the end.
 */
static char *
sfo_fuzz_padded(const char *encoding, const char *body)
{
    g_autofree char *pad = g_strnfill(SFO_FUZZ_PAD, 'x');

    return g_strdup_printf("<?xml version='1.0' encoding='%s'?>\n%s\n<!--%s-->\n", encoding, body,
                           pad);
}

static void
sfo_fuzz_encoded(const char *body, size_t selector)
{
    const char *encoding = sfo_fuzz_encodings[selector % G_N_ELEMENTS(sfo_fuzz_encodings)];
    g_autofree char *utf8 = sfo_fuzz_padded("UTF-8", body);
    g_autofree char *declared = sfo_fuzz_padded(encoding, body);
    g_autofree char *encoded = NULL;
    g_autofree char *expected = NULL;
    char *out_utf8 = NULL;
    char *out_encoded = NULL;
    gsize encoded_len = 0;
    gsize expected_len = 0;
    int rc_utf8;
    int rc_encoded;

    encoded = g_convert(declared, -1, encoding, "UTF-8", NULL, &encoded_len, NULL);
    if (!encoded || memchr(encoded, '\0', encoded_len))
        return; /* not a text of E, or one the NUL-terminated API cannot take (wide) */
    rc_utf8 = sfo_fuzz_patch(utf8, &out_utf8);
    rc_encoded = sfo_fuzz_patch(encoded, &out_encoded);
    if (rc_encoded < 0) {
        const char *key = sfo_error_last()->key;

        /* an encoding that cannot be patched byte for byte; or one libxml2 reads otherwise */
        if (rc_utf8 >= 0 && strcmp(key, "DOMXML_ENCODING_UNSUPPORTED") != 0 &&
            strcmp(key, "DOMXML_SYNTAX_ERROR") != 0) {
            fprintf(stderr, "%s: %s; in UTF-8 it patches\n", encoding, sfo_error_last()->message);
            abort();
        }
        sfo_free(out_utf8);
        return;
    }
    if (rc_utf8 < 0) {
        fprintf(stderr, "%s patches, the same text in UTF-8 does not\n", encoding);
        abort();
    }
    if (rc_utf8 != rc_encoded)
        abort();
    /* the UTF-8 result, declared and converted as the input was, is the result */
    {
        const char *decl_end = strstr(out_utf8, "?>");
        g_autofree char *redeclared = NULL;

        if (!decl_end)
            abort();
        redeclared = g_strdup_printf("<?xml version='1.0' encoding='%s'%s", encoding, decl_end);
        expected = g_convert(redeclared, -1, encoding, "UTF-8", NULL, &expected_len, NULL);
    }
    if (!expected || strcmp(expected, out_encoded) != 0) {
        fprintf(stderr, "%s: the result differs from the UTF-8 one\n", encoding);
        abort();
    }
    sfo_free(out_utf8);
    sfo_free(out_encoded);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_malloc(size + 1);
    char *output = NULL;

    memcpy(text, data, size);
    text[size] = '\0';

    if (sfo_fuzz_patch(text, &output) >= 0)
        sfo_free(output);
    /* large, and in another encoding: UTF-8 text without a declaration of its own */
    if (strlen(text) == size && g_utf8_validate(text, (gssize)size, NULL) &&
        !g_str_has_prefix(text, "<?xml") && !g_str_has_prefix(text, "\xef\xbb\xbf"))
        sfo_fuzz_encoded(text, size);
    return 0;
}
