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
