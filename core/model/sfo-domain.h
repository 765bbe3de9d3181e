/*
 * sfo-domain.h: reading the network devices of a libvirt domain XML
 *
 * The VDSM hooks and sfo_rules_check_domxml() only need a small view of a
 * domain: its network devices (every <interface>, every PCI <hostdev> and
 * any other <hostdev> that carries <teaming>) and the machine type. This
 * module reads that view with libxml2; it never resolves entities and never
 * touches the network.
 *
 * Accepted input: a full <domain>, a <devices> element, a <hotplug> element
 * wrapping <devices> (oVirt's hot-plug body), or a single <interface> or
 * <hostdev> (a hook snippet).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "util/sfo-autoptr.h"
#include "util/sfo-enum.h"
#include "util/sfo-error.h"

typedef enum {
    SFO_DOMAIN_TEAMING_NONE = 0, /* no <teaming> element (or one without type) */
    SFO_DOMAIN_TEAMING_PERSISTENT,
    SFO_DOMAIN_TEAMING_TRANSIENT,
    SFO_DOMAIN_TEAMING_OTHER, /* a type libvirt does not know, e.g. 'none' */
    SFO_DOMAIN_TEAMING_LAST
} sfo_domain_teaming;
SFO_ENUM_DECL(sfo_domain_teaming); /* "", "persistent", "transient", "other" */

typedef struct {
    char *element; /* "interface" or "hostdev" */
    char *type;    /* type attribute, NULL when absent */
    char *model;   /* <model type=…>, NULL when absent */
    char *mac;     /* <mac address=…>, normalised; the raw text if not a MAC */
    char *alias;   /* <alias name=…>, NULL when absent */
    sfo_domain_teaming teaming;
    char *teaming_persistent; /* <teaming persistent=…>, NULL when absent or empty */
    char *address_type;       /* guest <address type=…> (direct child), NULL when absent */
    char *address_bus;        /* its bus and slot attributes as written */
    char *address_slot;
    char *source_network;  /* <source network=…> */
    char *source_bridge;   /* <source bridge=…> */
    long line;             /* line of the element in the input (xmlGetLineNo) */
    unsigned int position; /* 1-based position among the devices read */
    /*
     * Byte offsets into the parsed text, for edits that keep every other byte
     * (sfo_domxml_patch_teaming_macs()); 0 when unknown.
     */
    gsize tag_end;       /* the '>' (or the '/' of "/>") ending the device's start tag */
    gboolean has_mac;    /* the device has a <mac> element (with or without address) */
    gsize mac_value;     /* first byte of the <mac address=…> value, inside the quotes */
    gsize mac_value_len; /* its length in bytes, as written (before entity expansion) */
} sfo_domain_device;

/*
 * What sfo_domain_parse() accepts (docs/error-keys.md): libvirt writes a
 * domain of a few hundred devices in well under a megabyte, with a dozen
 * attributes at most on an element and no element deeper than ten. The
 * bounds keep libxml2's cost linear: it compares each attribute of a start
 * tag with every other one, so one element with 100k attributes took
 * seconds.
 */
#define SFO_DOMAIN_MAX_BYTES (4 * 1024 * 1024) /* DOMXML_TOO_LARGE */
#define SFO_DOMAIN_MAX_ATTRIBUTES 256          /* per element: DOMXML_TOO_MANY_ATTRIBUTES */
#define SFO_DOMAIN_MAX_DEPTH 64                /* elements nested: DOMXML_TOO_DEEP */

typedef struct {
    gboolean is_domain; /* the input was a full <domain> */
    gboolean complete;  /* a <domain> or <devices>: every device is here (not a snippet) */
    char *name;         /* <domain><name>, NULL when absent */
    char *machine;      /* <os><type machine=…>, NULL when absent */
    GPtrArray *devices; /* sfo_domain_device *, in document order */
    /*
     * The text the devices' offsets point into: the input itself when it is
     * UTF-8 (encoding NULL, utf8 NULL); else the input converted to UTF-8
     * (utf8, owned) from @encoding, the one its XML declaration names.
     */
    char *encoding;
    char *utf8;
    gsize utf8_len;
} sfo_domain;

/*
 * Parses @xml (NUL-terminated), also recording where each device's start
 * tag ends and its <mac address=…> value is (the offsets above), in @xml
 * when it is UTF-8, else in its UTF-8 form (domain->utf8): libxml2 reports
 * byte offsets reliably only for input it does not decode.
 * Returns 0 and the domain view, or SFO_EINVALID with
 * DOMXML_TOO_LARGE, DOMXML_TOO_MANY_ATTRIBUTES or DOMXML_TOO_DEEP past the
 * bounds above (checked before the full parse where libxml2's cost depends
 * on them); DOMXML_ENCODING_UNSUPPORTED when the encoding @xml declares
 * cannot convert it to UTF-8; DOMXML_SYNTAX_ERROR naming line and column
 * when @xml is not well-formed, has a DOCTYPE, or has an unexpected root.
 */
int sfo_domain_parse(const char *xml, sfo_domain **ret_domain);

/*
 * The text @domain's offsets point into, and its length: domain->utf8, or
 * @xml, the text it was parsed from.
 */
const char *sfo_domain_text(const sfo_domain *domain, const char *xml, gsize *ret_len);

/*
 * Whether @after is @before but for the MACs @new_macs names: the same
 * devices in the same order with the same fields, except that device i
 * (0-based) has MAC @new_macs[i] where that is not NULL. @new_macs has one
 * entry per device of @before, or is NULL. Offsets are not compared.
 */
gboolean sfo_domain_same_but_macs(const sfo_domain *before, const sfo_domain *after,
                                  const char *const *new_macs);

/*
 * Whether the <domain> XML @xml has, among its <devices>, an <interface> or
 * <hostdev> with alias @alias and, unless @mac is NULL, that MAC (compared
 * normalised). One pass with libxml2's SAX interface, no tree, that stops at
 * the device with the alias: exec asks this before and after each change,
 * of a domain that libvirt has just formatted. Returns 1 or 0, or
 * SFO_EINVALID with DOMXML_SYNTAX_ERROR when @xml is not well-formed.
 */
int sfo_domain_has_device(const char *xml, const char *alias, const char *mac);

/*
 * The subject id of @dev in violations and messages: its alias, else "#N"
 * with its position. Borrowed from @dev or written into @buf.
 */
const char *sfo_domain_device_label(const sfo_domain_device *dev, char *buf, size_t bufsize);

/* TRUE when @machine is a Q35 machine type ("q35", "pc-q35-7.2", ...) */
gboolean sfo_domain_machine_is_q35(const char *machine);

void sfo_domain_device_free(sfo_domain_device *dev);
void sfo_domain_free(sfo_domain *domain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sfo_domain, sfo_domain_free)
