/*
 * test-domxml-patch.c: sfo_domxml_patch_teaming_macs(), byte-exact edits
 *
 * Golden files: tests/data/domxml-patch/NAME.xml -> NAME.out.xml when the
 * case changes something, else the output must be the input itself. Each
 * case also lists its edits as (old, new) strings, each old one occurring
 * exactly once in the input: applying them by plain string replacement must
 * give the output byte for byte, so the golden file cannot hide a change
 * anywhere else. Every output is patched again (nothing left to do) and
 * checked with sfo_rules_check_domxml() (no MAC mismatch left where a fix
 * was made).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>

#include "sfo-test.h"

#include "model/sfo-domain.h"
#include "rules/sfo-violations.h"

#define SFO_SUITE_PATCH "domxml-patch"
#define SFO_KEY_MAC_COPIED "WARNING_TEAMING_MAC_COPIED"
#define SFO_KEY_MAC_MISMATCH "ACTION_TYPE_FAILED_TEAMING_MAC_MISMATCH"
#define SFO_MAX_EDITS 4

typedef struct {
    const char *old_text;
    const char *new_text;
} sfo_edit;

typedef struct {
    const char *name;                 /* tests/data/domxml-patch/NAME.xml */
    const char *fixed[SFO_MAX_EDITS]; /* the subject ids of the fixes, in order */
    sfo_edit edits[SFO_MAX_EDITS];    /* what the output differs in */
} sfo_patch_case;

static const sfo_patch_case sfo_patch_cases[] = {
    { "vdsm",
      { "ua-nic1" },
      { { "<mac address=\"56:6F:1A:2B:00:01\" />", "<mac address=\"56:6f:1a:2b:00:99\" />" } } },
    { "odd-formatting",
      { "ua-vf" },
      { { "address = '56-6F-1a-2B-00-01'", "address = '56:6f:1a:2b:00:02'" } } },
    { "missing-mac",
      { "ua-nic1" },
      { { "<interface type='hostdev' managed='no'>\n      <driver",
          "<interface type='hostdev' managed='no'>\n      <mac address='56:6f:1a:2b:00:99'/>\n"
          "      <driver" } } },
    { "two-pairs",
      { "ua-vf-a", "ua-vf-b" },
      { { "'56:6f:1a:2b:01:01'", "'56:6f:1a:2b:0a:0a'" },
        { "'56:6f:1a:2b:01:02'", "'56:6f:1a:2b:0b:0b'" } } },
    { "nothing-to-fix", { NULL }, { { NULL, NULL } } },
    { "snippet", { NULL }, { { NULL, NULL } } },
};

static size_t
sfo_count_occurrences(const char *haystack, const char *needle)
{
    size_t n = 0;
    const char *p = haystack;

    while ((p = strstr(p, needle))) {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* @text with @old (which occurs once) replaced by @new */
static char *
sfo_replace_once(const char *text, const char *old, const char *new)
{
    const char *at = strstr(text, old);
    GString *out = g_string_new(NULL);

    assert_non_null(at);
    g_string_append_len(out, text, at - text);
    g_string_append(out, new);
    g_string_append(out, at + strlen(old));
    return g_string_free(out, FALSE);
}

static size_t
sfo_count_key(const sfo_violations *v, const char *key)
{
    size_t i;
    size_t n = 0;

    for (i = 0; i < sfo_violations_count(v); i++)
        n += strcmp(sfo_violations_key(v, i), key) == 0;
    return n;
}

static void
test_domxml_patch_case(void **state)
{
    const sfo_patch_case *c = *state;
    g_autofree char *file = g_strconcat(c->name, ".xml", NULL);
    g_autofree char *golden = g_strconcat(c->name, ".out.xml", NULL);
    g_autofree char *input = sfo_test_read_data(SFO_SUITE_PATCH, file);
    g_autofree char *expected = g_strdup(input);
    g_autofree char *output = NULL;
    g_autofree char *again = NULL;
    g_autoptr(sfo_violations) fixes = NULL;
    g_autoptr(sfo_violations) refixes = NULL;
    g_autoptr(sfo_violations) before = NULL;
    g_autoptr(sfo_violations) after = NULL;
    size_t nfixed = 0;
    size_t i;

    while (nfixed < SFO_MAX_EDITS && c->fixed[nfixed])
        nfixed++;
    assert_int_equal(sfo_domxml_patch_teaming_macs(input, 0, &output, &fixes), (int)nfixed);
    assert_int_equal(sfo_violations_count(fixes), nfixed);
    for (i = 0; i < nfixed; i++) {
        assert_string_equal(sfo_violations_key(fixes, i), SFO_KEY_MAC_COPIED);
        assert_int_equal(sfo_violations_severity(fixes, i), SFO_SEVERITY_WARNING);
        assert_string_equal(sfo_violations_subject_type(fixes, i), "interface");
        assert_string_equal(sfo_violations_subject_id(fixes, i), c->fixed[i]);
        assert_non_null(strstr(sfo_violations_message(fixes, i), c->fixed[i]));
        assert_null(strchr(sfo_violations_message(fixes, i), '\n'));
    }

    /* the output is the input with exactly the listed edits */
    for (i = 0; i < SFO_MAX_EDITS && c->edits[i].old_text; i++) {
        g_autofree char *prev = g_steal_pointer(&expected);

        assert_int_equal(sfo_count_occurrences(input, c->edits[i].old_text), 1);
        expected = sfo_replace_once(prev, c->edits[i].old_text, c->edits[i].new_text);
    }
    assert_string_equal(output, expected);
    if (nfixed > 0)
        sfo_test_compare_golden(SFO_SUITE_PATCH, golden, output);
    else
        assert_string_equal(output, input);

    /* nothing left to fix, and the MAC mismatches are gone */
    assert_int_equal(sfo_domxml_patch_teaming_macs(output, 0, &again, &refixes), 0);
    assert_string_equal(again, output);
    assert_int_equal(sfo_violations_count(refixes), 0);
    assert_int_equal(sfo_rules_check_domxml(input, 0, &before), 0);
    assert_int_equal(sfo_rules_check_domxml(output, 0, &after), 0);
    assert_int_equal(sfo_count_key(after, SFO_KEY_MAC_MISMATCH),
                     sfo_count_key(before, SFO_KEY_MAC_MISMATCH) - nfixed);
    assert_int_equal(sfo_violations_count(after), sfo_violations_count(before) - nfixed);
}

static void
test_domxml_patch__offsets_point_at_the_mac(void **state)
{
    g_autofree char *input = sfo_test_read_data(SFO_SUITE_PATCH, "odd-formatting.xml");
    g_autoptr(sfo_domain) domain = NULL;
    g_autofree char *head = NULL;
    const sfo_domain_device *vf;
    const sfo_domain_device *fo;

    assert_int_equal(sfo_domain_parse(input, &domain), 0);
    assert_int_equal(domain->devices->len, 2);
    vf = domain->devices->pdata[0];
    fo = domain->devices->pdata[1];
    /* after a BOM, CRLFs, '>' in another attribute and spaces around '=' */
    assert_true(vf->has_mac);
    assert_int_equal(vf->mac_value_len, strlen("56-6F-1a-2B-00-01"));
    assert_memory_equal(input + vf->mac_value, "56-6F-1a-2B-00-01", vf->mac_value_len);
    assert_int_equal(input[vf->tag_end], '>');
    head = g_strndup(input, vf->tag_end + 1);
    assert_true(g_str_has_suffix(head, "<interface type=\"network\">"));
    assert_memory_equal(input + fo->mac_value, "56:6f:1a:2b:00:02", fo->mac_value_len);
}

/*
 * A domain of @npairs VF/virtio pairs, generated, in @encoding (NULL: UTF-8
 * without a declaration): the VF of pair i has MAC "56:6f:1a:2b:ff:XX" when
 * @vf_mac is "drifted", its standby's "56:6f:1a:XX:XX:01" when "fixed", and
 * no <mac> when "missing". Every fifth pair is written on one line, and the
 * name and a description hold characters outside ASCII ("Zoë", "µ"), so the
 * text is laid out unevenly and differs between encodings.
 */
static char *
sfo_gen_domain(const char *encoding, guint npairs, const char *vf_mac)
{
    GString *xml = g_string_new(NULL);
    g_autofree char *utf8 = NULL;
    char *out;
    guint i;

    if (encoding)
        g_string_append_printf(xml, "<?xml version='1.0' encoding='%s'?>\n", encoding);
    g_string_append(xml, "<domain type='kvm'>\n  <name>Zo\xc3\xab-\xc2\xb5vm</name>\n"
                         "  <description>caf\xc3\xa9 cr\xc3\xa8"
                         "me br\xc3\xbbl\xc3\xa9"
                         "e"
                         "</description>\n  <os>\n    <type arch='x86_64' machine='q35'>hvm"
                         "</type>\n  </os>\n  <devices>\n");
    for (i = 0; i < npairs; i++) {
        const char *nl = i % 5 == 4 ? "" : "\n      ";
        g_autofree char *standby =
            g_strdup_printf("56:6f:1a:%02x:%02x:01", (i >> 8) & 0xff, i & 0xff);

        g_string_append_printf(xml, "    <interface type='hostdev' managed='no'>%s", nl);
        if (strcmp(vf_mac, "drifted") == 0)
            g_string_append_printf(xml, "<mac address='56:6f:1a:2b:ff:%02x'/>%s", i & 0xff, nl);
        else if (strcmp(vf_mac, "fixed") == 0)
            g_string_append_printf(xml, "<mac address='%s'/>%s", standby, nl);
        g_string_append_printf(xml,
                               "<source>%s  <address type='pci' domain='0x0000' bus='0x%02x' "
                               "slot='0x%02x' function='0x%x'/>%s</source>%s"
                               "<teaming type='transient' persistent='ua-fo-%u'/>%s"
                               "<alias name='ua-vf-%u'/>\n    </interface>\n",
                               nl, 0x3b + i / 256, (i / 8) % 32, i % 8, nl, nl, i, nl, i);
        g_string_append_printf(xml,
                               "    <interface type='bridge'>%s<mac address='%s'/>%s"
                               "<source bridge='br-fo'/>%s<model type='virtio'/>%s"
                               "<teaming type='persistent'/>%s<alias name='ua-fo-%u'/>\n"
                               "    </interface>\n",
                               nl, standby, nl, nl, nl, nl, i);
    }
    g_string_append(xml, "  </devices>\n</domain>\n");
    utf8 = g_string_free(xml, FALSE);
    if (!encoding)
        return g_steal_pointer(&utf8);
    out = g_convert(utf8, -1, encoding, "UTF-8", NULL, NULL, NULL);
    assert_non_null(out);
    return out;
}

/*
 * Large domains in single-byte encodings: libxml2 gave one and the same
 * offset for every element before the last ~32 KB of such a document, and
 * the patch wrote 744 KB with </domain> 23 times, or fixed only the last
 * pairs. The result must be the fixed domain, byte for byte, in its own
 * encoding, whatever the encoding, the size and the kind of fix.
 */
static void
test_domxml_patch__large_in_every_encoding(void **state)
{
    static const char *const encodings[] = {
        NULL, "UTF-8", "ISO-8859-1", "ISO-8859-15", "windows-1252", "GB18030",
    };
    static const guint sizes[] = { 120, 600 };
    static const char *const kinds[] = { "drifted", "missing" };
    size_t e, n, k;

    for (e = 0; e < G_N_ELEMENTS(encodings); e++) {
        for (n = 0; n < G_N_ELEMENTS(sizes); n++) {
            g_autofree char *fixed = sfo_gen_domain(encodings[e], sizes[n], "fixed");

            for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
                g_autofree char *input = sfo_gen_domain(encodings[e], sizes[n], kinds[k]);
                g_autofree char *output = NULL;
                g_autofree char *again = NULL;
                g_autoptr(sfo_violations) fixes = NULL;
                g_autoptr(sfo_violations) refixes = NULL;
                g_autoptr(sfo_violations) after = NULL;

                print_message("# %s, %u pairs, %s: %zu bytes\n",
                              encodings[e] ? encodings[e] : "(none)", sizes[n], kinds[k],
                              strlen(input));
                assert_true(strlen(input) > 32 * 1024);
                assert_int_equal(sfo_domxml_patch_teaming_macs(input, 0, &output, &fixes),
                                 (int)sizes[n]);
                assert_int_equal(sfo_violations_count(fixes), sizes[n]);
                assert_string_equal(output, fixed);
                assert_int_equal(sfo_domxml_patch_teaming_macs(output, 0, &again, &refixes), 0);
                assert_string_equal(again, output);
                assert_int_equal(sfo_rules_check_domxml(output, 0, &after), 0);
                assert_int_equal(sfo_violations_count(after), 0);
            }
        }
    }
}

/* <devices><interface type='hostdev' a0='' a1='' …/></devices>, @nattrs attributes */
static char *
sfo_gen_attributes(guint nattrs)
{
    GString *xml = g_string_new("<devices>\n<interface type='hostdev'");
    guint i;

    for (i = 1; i < nattrs; i++)
        g_string_append_printf(xml, " a%u=''", i);
    g_string_append(xml, "><teaming type='transient' persistent='ua-fo'/></interface>\n"
                         "<!-- a == b, c = d, ===== -->\n</devices>\n");
    return g_string_free(xml, FALSE);
}

/* <devices> with <interface> nested @depth elements deep in all */
static char *
sfo_gen_depth(guint depth)
{
    GString *xml = g_string_new("<devices><interface type='bridge'>");
    guint i;

    for (i = 2; i < depth; i++)
        g_string_append(xml, "<x>");
    for (i = 2; i < depth; i++)
        g_string_append(xml, "</x>");
    g_string_append(xml, "</interface></devices>");
    return g_string_free(xml, FALSE);
}

/* Both entry points refuse @xml with @key, or (@key NULL) accept it. */
static void
sfo_assert_bounded(const char *xml, const char *key)
{
    g_autoptr(sfo_violations) violations = NULL;
    g_autoptr(sfo_violations) fixes = NULL;
    g_autofree char *output = NULL;

    if (!key) {
        assert_int_equal(sfo_rules_check_domxml(xml, 0, &violations), 0);
        assert_true(sfo_domxml_patch_teaming_macs(xml, 0, &output, &fixes) >= 0);
        return;
    }
    assert_int_equal(sfo_rules_check_domxml(xml, 0, &violations), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, key);
    assert_int_equal(sfo_domxml_patch_teaming_macs(xml, 0, &output, &fixes), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, key);
    assert_null(output);
}

/*
 * One element with 100k attributes took the hook 25 s (libxml2 compares
 * every attribute of a tag with every other one, and the text was parsed
 * twice). The bounds refuse it before libxml2 reads it.
 */
static void
test_domxml_patch__bounds(void **state)
{
    g_autofree char *at_most = sfo_gen_attributes(SFO_DOMAIN_MAX_ATTRIBUTES);
    g_autofree char *one_more = sfo_gen_attributes(SFO_DOMAIN_MAX_ATTRIBUTES + 1);
    g_autofree char *huge = sfo_gen_attributes(100000);
    g_autofree char *deep = sfo_gen_depth(SFO_DOMAIN_MAX_DEPTH);
    g_autofree char *deeper = sfo_gen_depth(SFO_DOMAIN_MAX_DEPTH + 1);
    g_autofree char *large = g_strnfill(SFO_DOMAIN_MAX_BYTES + 1, ' ');
    gint64 start;

    sfo_assert_bounded(at_most, NULL);
    sfo_assert_bounded(one_more, "DOMXML_TOO_MANY_ATTRIBUTES");
    assert_non_null(strstr(sfo_error_last()->message, "at line 2"));
    start = g_get_monotonic_time();
    sfo_assert_bounded(huge, "DOMXML_TOO_MANY_ATTRIBUTES");
    assert_true(g_get_monotonic_time() - start < G_USEC_PER_SEC);

    sfo_assert_bounded(deep, NULL);
    sfo_assert_bounded(deeper, "DOMXML_TOO_DEEP");
    assert_non_null(strstr(sfo_error_last()->message, "more than 64 deep at line 1"));

    memcpy(large, "<devices>", strlen("<devices>"));
    sfo_assert_bounded(large, "DOMXML_TOO_LARGE");
}

/* An encoding iconv cannot read the text in, and one that does not give it back. */
static void
test_domxml_patch__encodings_refused(void **state)
{
    g_autofree char *latin1 = sfo_gen_domain("ISO-8859-1", 2, "drifted");
    g_autofree char *stateful = NULL;
    g_autofree char *output = NULL;
    g_autoptr(sfo_violations) fixes = NULL;
    char *p;

    /* declared ISO-2022-JP, but é as in Latin-1: not a character of that encoding */
    p = strstr(latin1, "ISO-8859-1");
    assert_non_null(p);
    stateful =
        g_strconcat("<?xml version='1.0' encoding='ISO-2022-JP'?>", strstr(latin1, "?>") + 2, NULL);
    assert_int_equal(sfo_domxml_patch_teaming_macs(stateful, 0, &output, &fixes), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "DOMXML_ENCODING_UNSUPPORTED");
    assert_non_null(strstr(sfo_error_last()->message, "ISO-2022-JP"));
    assert_null(output);
}

/*
 * UTF-7 readers take '<' as it is, its writers encode it ("+ADw-"): the
 * text reads, but converted back it is not the same bytes, so no edit can
 * be placed byte for byte; checking it works.
 */
static void
test_domxml_patch__encoding_not_byte_exact(void **state)
{
    static const char utf7[] =
        "<?xml version='1.0' encoding='UTF-7'?>\n<devices>\n"
        "<interface type='hostdev'><mac address='56:6f:1a:2b:00:01'/>"
        "<teaming type='transient' persistent='ua-fo'/><alias name='ua-vf'/></interface>\n"
        "<interface type='bridge'><mac address='56:6f:1a:2b:00:02'/><model type='virtio'/>"
        "<teaming type='persistent'/><alias name='ua-fo'/></interface>\n</devices>\n";
    g_autofree char *output = NULL;
    g_autoptr(sfo_violations) fixes = NULL;
    g_autoptr(sfo_violations) violations = NULL;

    assert_int_equal(sfo_rules_check_domxml(utf7, 0, &violations), 0);
    assert_int_equal(sfo_violations_count(violations), 1);
    assert_int_equal(sfo_domxml_patch_teaming_macs(utf7, 0, &output, &fixes), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "DOMXML_ENCODING_UNSUPPORTED");
    assert_non_null(strstr(sfo_error_last()->message, "byte for byte"));
    assert_null(output);
}

/* What the patch's result is checked with: everything but the MACs it set. */
static void
test_domxml_patch__same_but_macs(void **state)
{
    g_autofree char *input = sfo_test_read_data(SFO_SUITE_PATCH, "two-pairs.xml");
    g_autofree char *output = sfo_test_read_data(SFO_SUITE_PATCH, "two-pairs.out.xml");
    g_autofree char *renamed = NULL;
    g_autoptr(sfo_domain) before = NULL;
    g_autoptr(sfo_domain) after = NULL;
    g_autoptr(sfo_domain) other = NULL;
    g_autofree const char **macs = NULL;
    guint i;

    assert_int_equal(sfo_domain_parse(input, &before), 0);
    assert_int_equal(sfo_domain_parse(output, &after), 0);
    macs = g_new0(const char *, before->devices->len);
    assert_false(sfo_domain_same_but_macs(before, after, macs));
    for (i = 0; i < before->devices->len; i++) {
        const sfo_domain_device *a = before->devices->pdata[i];
        const sfo_domain_device *b = after->devices->pdata[i];

        if (g_strcmp0(a->mac, b->mac) != 0)
            macs[i] = b->mac;
    }
    assert_true(sfo_domain_same_but_macs(before, after, macs));
    assert_true(sfo_domain_same_but_macs(before, before, NULL));
    /* one alias more changed than the MACs */
    renamed = sfo_replace_once(output, "'ua-vf-b'", "'ua-vf-c'");
    assert_int_equal(sfo_domain_parse(renamed, &other), 0);
    assert_false(sfo_domain_same_but_macs(before, other, macs));
}

static void
test_domxml_patch__malformed(void **state)
{
    g_autofree char *input = g_strdup("<devices><interface type='hostdev'><teaming");
    char *output = NULL;
    sfo_violations *fixes = NULL;

    assert_int_equal(sfo_domxml_patch_teaming_macs(input, 0, &output, &fixes), SFO_EINVALID);
    assert_null(output);
    assert_null(fixes);
    assert_string_equal(sfo_error_last()->key, "DOMXML_SYNTAX_ERROR");
    assert_non_null(strstr(sfo_error_last()->message, "line 1"));
}

static void
test_domxml_patch__arguments(void **state)
{
    char *output = NULL;
    sfo_violations *fixes = NULL;

    assert_int_equal(sfo_domxml_patch_teaming_macs(NULL, 0, &output, &fixes), SFO_EINVALID);
    assert_int_equal(sfo_domxml_patch_teaming_macs("<devices/>", 0, NULL, &fixes), SFO_EINVALID);
    assert_int_equal(sfo_domxml_patch_teaming_macs("<devices/>", 0, &output, NULL), SFO_EINVALID);
    assert_int_equal(sfo_domxml_patch_teaming_macs("<devices/>", 1, &output, &fixes), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, "INVALID_ARGUMENT");
    assert_null(output);
    assert_null(fixes);
}

int
main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_domxml_patch__offsets_point_at_the_mac),
        cmocka_unit_test(test_domxml_patch__large_in_every_encoding),
        cmocka_unit_test(test_domxml_patch__bounds),
        cmocka_unit_test(test_domxml_patch__encodings_refused),
        cmocka_unit_test(test_domxml_patch__encoding_not_byte_exact),
        cmocka_unit_test(test_domxml_patch__same_but_macs),
        cmocka_unit_test(test_domxml_patch__malformed),
        cmocka_unit_test(test_domxml_patch__arguments),
    };
    size_t ncases = G_N_ELEMENTS(sfo_patch_cases);
    size_t n = ncases + G_N_ELEMENTS(fixed);
    g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    size_t i;
    int rc;

    for (i = 0; i < ncases; i++) {
        char *name = g_strdup_printf("test_domxml_patch__%s", sfo_patch_cases[i].name);

        g_strdelimit(name, "-", '_');
        g_ptr_array_add(names, name);
        tests[i].name = name;
        tests[i].test_func = test_domxml_patch_case;
        tests[i].initial_state = (void *)&sfo_patch_cases[i];
    }
    for (i = 0; i < G_N_ELEMENTS(fixed); i++)
        tests[ncases + i] = fixed[i];

    rc = _cmocka_run_group_tests("test-domxml-patch", tests, n, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
