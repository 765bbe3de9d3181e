/*
 * fuzz-inventory.c: fuzz target of the inventory JSON loader
 *
 * Loads the input as an inventory; when it loads, runs every state rule,
 * formats it back to JSON and writes the libvirt XML of every VM and host.
 * Besides memory errors (sanitizers), it aborts when the formatted inventory
 * does not load again or does not format to the same text: format and load
 * must be inverse.
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
#include "model/sfo-model.h"

static void
sfo_fuzz_roundtrip(const char *json)
{
    sfo_inventory *again = NULL;
    char *json2 = NULL;

    if (sfo_inventory_load_string(json, 0, &again) < 0) {
        const sfo_error *err = sfo_error_last();

        fprintf(stderr, "formatted inventory does not load: %s\n%s\n",
                err ? err->message : "(no error)", json);
        abort();
    }
    if (sfo_inventory_format(again, 0, &json2) < 0)
        abort();
    if (strcmp(json, json2) != 0) {
        fprintf(stderr, "format is not stable:\n%s\n---\n%s\n", json, json2);
        abort();
    }
    sfo_free(json2);
    sfo_inventory_free(again);
}

static void
sfo_fuzz_xml(const sfo_inventory *inv)
{
    guint i;

    for (i = 0; i < inv->vms->len; i++) {
        const sfo_vm *vm = g_ptr_array_index(inv->vms, i);
        sfo_violations *violations = NULL;
        char *xml = NULL;

        if (sfo_domxml_format_vm(inv, vm->id, 0, &xml) == 0)
            sfo_free(xml);
        xml = NULL;
        if (sfo_domxml_format_vm(inv, vm->id, SFO_DOMXML_DOMAIN, &xml) == 0) {
            /* what we write must be well-formed */
            if (sfo_rules_check_domxml(xml, 0, &violations) < 0) {
                fprintf(stderr, "domxml output is not well-formed:\n%s\n", xml);
                abort();
            }
            sfo_violations_free(violations);
            sfo_free(xml);
        }
    }
    for (i = 0; i < inv->hosts->len; i++) {
        const sfo_host *host = g_ptr_array_index(inv->hosts, i);
        char *xml = NULL;

        if (sfo_domxml_format_host_networks(inv, host->id, 0, &xml) == 0)
            sfo_free(xml);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sfo_inventory *inv = NULL;
    sfo_violations *violations = NULL;
    char *json = NULL;
    size_t i;

    /* by length, as a file is read: a NUL in the input is part of it */
    if (sfo_inventory_load_data((const char *)data, size, "<fuzz>", &inv) < 0) {
        /* a failure must say why */
        if (!sfo_error_last())
            abort();
        return 0;
    }
    if (sfo_rules_check(inv, 0, &violations) < 0)
        abort();
    for (i = 0; i < sfo_violations_count(violations); i++) {
        if (!sfo_violations_key(violations, i) || !sfo_violations_message(violations, i))
            abort();
    }
    sfo_violations_free(violations);

    if (sfo_inventory_format(inv, 0, &json) < 0)
        abort();
    sfo_fuzz_roundtrip(json);
    sfo_free(json);

    sfo_fuzz_xml(inv);
    sfo_inventory_free(inv);
    return 0;
}
