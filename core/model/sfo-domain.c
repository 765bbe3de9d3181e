/*
 * sfo-domain.c: reading the network devices of a libvirt domain XML
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "sfo-domain.h"
#include "util/sfo-util.h"

SFO_ENUM_IMPL(sfo_domain_teaming, SFO_DOMAIN_TEAMING_LAST, "", "persistent", "transient", "other");

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt)

void
sfo_domain_device_free(sfo_domain_device *dev)
{
    if (!dev)
        return;
    g_free(dev->element);
    g_free(dev->type);
    g_free(dev->model);
    g_free(dev->mac);
    g_free(dev->alias);
    g_free(dev->teaming_persistent);
    g_free(dev->address_type);
    g_free(dev->address_bus);
    g_free(dev->address_slot);
    g_free(dev->source_network);
    g_free(dev->source_bridge);
    g_free(dev);
}

void
sfo_domain_free(sfo_domain *domain)
{
    if (!domain)
        return;
    g_free(domain->name);
    g_free(domain->machine);
    if (domain->devices)
        g_ptr_array_unref(domain->devices);
    g_free(domain->encoding);
    g_free(domain->utf8);
    g_free(domain);
}

const char *
sfo_domain_text(const sfo_domain *domain, const char *xml, gsize *ret_len)
{
    if (domain->utf8) {
        *ret_len = domain->utf8_len;
        return domain->utf8;
    }
    *ret_len = strlen(xml);
    return xml;
}

static gboolean
sfo_domain_device_same(const sfo_domain_device *a, const sfo_domain_device *b, const char *new_mac)
{
    if (new_mac) {
        if (!b->has_mac || g_strcmp0(b->mac, new_mac) != 0)
            return FALSE;
    } else if (a->has_mac != b->has_mac || g_strcmp0(a->mac, b->mac) != 0) {
        return FALSE;
    }
    return strcmp(a->element, b->element) == 0 && g_strcmp0(a->type, b->type) == 0 &&
           g_strcmp0(a->model, b->model) == 0 && g_strcmp0(a->alias, b->alias) == 0 &&
           a->teaming == b->teaming &&
           g_strcmp0(a->teaming_persistent, b->teaming_persistent) == 0 &&
           g_strcmp0(a->address_type, b->address_type) == 0 &&
           g_strcmp0(a->address_bus, b->address_bus) == 0 &&
           g_strcmp0(a->address_slot, b->address_slot) == 0 &&
           g_strcmp0(a->source_network, b->source_network) == 0 &&
           g_strcmp0(a->source_bridge, b->source_bridge) == 0 && a->position == b->position;
}

gboolean
sfo_domain_same_but_macs(const sfo_domain *before, const sfo_domain *after,
                         const char *const *new_macs)
{
    guint i;

    if (before->is_domain != after->is_domain || before->complete != after->complete ||
        g_strcmp0(before->name, after->name) != 0 ||
        g_strcmp0(before->machine, after->machine) != 0 ||
        before->devices->len != after->devices->len)
        return FALSE;
    for (i = 0; i < before->devices->len; i++) {
        if (!sfo_domain_device_same(before->devices->pdata[i], after->devices->pdata[i],
                                    new_macs ? new_macs[i] : NULL))
            return FALSE;
    }
    return TRUE;
}

const char *
sfo_domain_device_label(const sfo_domain_device *dev, char *buf, size_t bufsize)
{
    if (dev->alias && *dev->alias)
        return dev->alias;
    g_snprintf(buf, bufsize, "#%u", dev->position);
    return buf;
}

gboolean
sfo_domain_machine_is_q35(const char *machine)
{
    return machine && strstr(machine, "q35") != NULL;
}

static gboolean
sfo_xml_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name);
}

/* First element child of @parent named @name, NULL when none. */
static xmlNode *
sfo_xml_child(const xmlNode *parent, const char *name)
{
    xmlNode *cur;

    for (cur = parent ? parent->children : NULL; cur; cur = cur->next) {
        if (sfo_xml_is(cur, name))
            return cur;
    }
    return NULL;
}

/* Attribute @attr as a g_malloc'ed string, NULL when absent. */
static char *
sfo_xml_prop(const xmlNode *node, const char *attr)
{
    xmlChar *value;
    char *ret;

    if (!node)
        return NULL;
    value = xmlGetNoNsProp(node, BAD_CAST attr);
    if (!value)
        return NULL;
    ret = g_strdup((const char *)value);
    xmlFree(value);
    return ret;
}

static char *
sfo_xml_child_prop(const xmlNode *parent, const char *child, const char *attr)
{
    return sfo_xml_prop(sfo_xml_child(parent, child), attr);
}

/*
 * Where the start tag of @node ends in @xml: recorded by
 * sfo_domain_on_start_element() in the node's _private, checked to be the
 * '>' or the '/' of "/>". 0 when unknown.
 */
static gsize
sfo_domain_tag_end(const char *xml, gsize len, const xmlNode *node)
{
    gsize off = GPOINTER_TO_SIZE(node->_private);

    if (off == 0 || off > len)
        return 0;
    off--;
    if (xml[off] == '>' || (xml[off] == '/' && xml[off + 1] == '>'))
        return off;
    return 0;
}

static gboolean
sfo_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Finds the value of attribute @name in the start tag of @xml that ends at
 * @tag_end. libxml2 has already found the tag well-formed, so it reads
 * '<' Name (S Name S? '=' S? Quote Value Quote)* S? and starts at the last
 * '<' before @tag_end (no attribute value contains a '<'). This walks that
 * one tag; it does not parse XML. Returns TRUE with the offset and length of
 * the value between its quotes.
 */
static gboolean
sfo_domain_attr_span(const char *xml, gsize tag_end, const char *name, gsize *ret_start,
                     gsize *ret_len)
{
    const char *end = xml + tag_end;
    const char *p = end;
    size_t namelen = strlen(name);

    while (p > xml && *p != '<')
        p--;
    if (*p != '<')
        return FALSE;
    for (p++; p < end && !sfo_xml_space(*p); p++)
        ; /* the element name */
    while (p < end) {
        const char *attr;
        const char *value;
        size_t attrlen;
        char quote;

        while (p < end && sfo_xml_space(*p))
            p++;
        if (p == end)
            break;
        attr = p;
        while (p < end && *p != '=' && !sfo_xml_space(*p))
            p++;
        attrlen = (size_t)(p - attr);
        while (p < end && sfo_xml_space(*p))
            p++;
        if (p == end || *p != '=')
            return FALSE;
        for (p++; p < end && sfo_xml_space(*p); p++)
            ;
        if (p == end || (*p != '"' && *p != '\''))
            return FALSE;
        quote = *p++;
        value = p;
        while (p < end && *p != quote)
            p++;
        if (p == end)
            return FALSE;
        if (attrlen == namelen && memcmp(attr, name, namelen) == 0) {
            *ret_start = (gsize)(value - xml);
            *ret_len = (gsize)(p - value);
            return TRUE;
        }
        p++;
    }
    return FALSE;
}

static sfo_domain_device *
sfo_domain_device_read(const char *xml, gsize len, xmlNode *node, unsigned int position)
{
    sfo_domain_device *dev = g_new0(sfo_domain_device, 1);
    xmlNode *teaming = sfo_xml_child(node, "teaming");
    xmlNode *address = sfo_xml_child(node, "address");
    xmlNode *source = sfo_xml_child(node, "source");
    g_autofree char *mac = sfo_xml_child_prop(node, "mac", "address");
    g_autofree char *teaming_type = NULL;
    xmlNode *macnode;

    dev->element = g_strdup((const char *)node->name);
    dev->type = sfo_xml_prop(node, "type");
    dev->model = sfo_xml_child_prop(node, "model", "type");
    if (mac) {
        dev->mac = sfo_mac_normalize(mac);
        if (!dev->mac)
            dev->mac = g_steal_pointer(&mac);
    }
    dev->alias = sfo_xml_child_prop(node, "alias", "name");
    if (teaming) {
        teaming_type = sfo_xml_prop(teaming, "type");
        if (!teaming_type)
            dev->teaming = SFO_DOMAIN_TEAMING_NONE;
        else if (strcmp(teaming_type, "persistent") == 0)
            dev->teaming = SFO_DOMAIN_TEAMING_PERSISTENT;
        else if (strcmp(teaming_type, "transient") == 0)
            dev->teaming = SFO_DOMAIN_TEAMING_TRANSIENT;
        else
            dev->teaming = SFO_DOMAIN_TEAMING_OTHER;
        dev->teaming_persistent = sfo_xml_prop(teaming, "persistent");
        if (dev->teaming_persistent && !*dev->teaming_persistent)
            g_clear_pointer(&dev->teaming_persistent, g_free);
    }
    if (address) {
        dev->address_type = sfo_xml_prop(address, "type");
        dev->address_bus = sfo_xml_prop(address, "bus");
        dev->address_slot = sfo_xml_prop(address, "slot");
    }
    if (source) {
        dev->source_network = sfo_xml_prop(source, "network");
        dev->source_bridge = sfo_xml_prop(source, "bridge");
    }
    dev->line = xmlGetLineNo(node);
    dev->position = position;
    dev->tag_end = sfo_domain_tag_end(xml, len, node);
    macnode = sfo_xml_child(node, "mac");
    dev->has_mac = macnode != NULL;
    if (macnode) {
        gsize mac_end = sfo_domain_tag_end(xml, len, macnode);

        if (mac_end &&
            !sfo_domain_attr_span(xml, mac_end, "address", &dev->mac_value, &dev->mac_value_len))
            dev->mac_value = dev->mac_value_len = 0;
    }
    return dev;
}

/* Interfaces, PCI hostdevs, and other hostdevs when they carry <teaming>. */
static gboolean
sfo_domain_node_wanted(xmlNode *node)
{
    g_autofree char *type = NULL;

    if (sfo_xml_is(node, "interface"))
        return TRUE;
    if (!sfo_xml_is(node, "hostdev"))
        return FALSE;
    type = sfo_xml_prop(node, "type");
    return g_strcmp0(type, "pci") == 0 || sfo_xml_child(node, "teaming") != NULL;
}

static void
sfo_domain_read_devices(sfo_domain *domain, const char *xml, gsize len, xmlNode *devices)
{
    xmlNode *cur;

    for (cur = devices ? devices->children : NULL; cur; cur = cur->next) {
        if (sfo_domain_node_wanted(cur))
            g_ptr_array_add(domain->devices,
                            sfo_domain_device_read(xml, len, cur, domain->devices->len + 1));
    }
}

/* The first error of a parse: later ones are consequences of it. */
typedef struct {
    gboolean seen;
    int line;
    int column;
    char *message;
    long too_deep; /* line of an element nested deeper than SFO_DOMAIN_MAX_DEPTH, else 0 */
} sfo_domain_parse_error;

/*
 * libxml2's own handler builds the element; then the parser stands on the
 * '>' (or "/>") ending its start tag, and xmlByteConsumed() is that byte's
 * offset in the input. It is kept, plus one, in the new node's _private
 * (application data libxml2 leaves alone) for sfo_domain_tag_end().
 */
static void
sfo_domain_on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                            const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                            int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxt *ctxt = ctx;
    xmlNode *parent = ctxt->node;
    long consumed;

    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
    if (!ctxt->node || ctxt->node == parent)
        return;
    if (ctxt->nodeNr > SFO_DOMAIN_MAX_DEPTH) {
        sfo_domain_parse_error *first = ctxt->_private;

        first->too_deep = xmlGetLineNo(ctxt->node);
        xmlStopParser(ctxt);
        return;
    }
    consumed = xmlByteConsumed(ctxt);
    if (consumed >= 0)
        ctxt->node->_private = GSIZE_TO_POINTER((gsize)consumed + 1);
}

static void
sfo_domain_on_error(void *data, xmlError *err)
{
    xmlParserCtxt *ctxt = data;
    sfo_domain_parse_error *first = ctxt->_private;

    if (first->seen || !err || err->level < XML_ERR_ERROR)
        return;
    first->seen = TRUE;
    first->line = err->line;
    first->column = err->int2;
    first->message = g_strchomp(g_strdup(err->message ? err->message : "error"));
}

static void
sfo_domain_quiet(void *data G_GNUC_UNUSED, xmlError *err G_GNUC_UNUSED)
{
}

/*
 * libxml2 reports the failures of its input decoders to no parser context,
 * hence on stderr: route them, for this thread and until
 * sfo_domain_quiet_end(), to a handler that drops them (the parse fails
 * with its own error, which the context's handler records).
 */
typedef struct {
    xmlStructuredErrorFunc func;
    void *data;
} sfo_domain_quiet_state;

static void
sfo_domain_quiet_begin(sfo_domain_quiet_state *saved)
{
    saved->func = xmlStructuredError;
    saved->data = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(NULL, sfo_domain_quiet);
}

static void
sfo_domain_quiet_end(const sfo_domain_quiet_state *saved)
{
    xmlSetStructuredErrorFunc(saved->data, saved->func);
}

/*
 * Stops the parse right after the XML declaration: libxml2 has then chosen
 * the decoder of the input, which @ctx's _private gets the name of (none
 * for UTF-8).
 */
static void
sfo_domain_sniff_start(void *ctx)
{
    xmlParserCtxt *ctxt = ctx;
    char **ret_name = ctxt->_private;

    if (ctxt->input && ctxt->input->buf && ctxt->input->buf->encoder &&
        ctxt->input->buf->encoder->name)
        *ret_name = g_strdup(ctxt->input->buf->encoder->name);
    xmlStopParser(ctxt);
}

/*
 * The encoding libxml2 would decode @xml from, as its XML declaration (or
 * its first bytes) say; NULL for UTF-8, which it reads undecoded. Only the
 * declaration is read.
 */
static char *
sfo_domain_sniff_encoding(const char *xml, gsize len)
{
    g_autoptr(xmlParserCtxt) ctxt = xmlNewParserCtxt();
    sfo_domain_quiet_state saved;
    char *name = NULL;
    xmlDoc *doc;

    if (!ctxt)
        return NULL;
    ctxt->_private = &name;
    ctxt->sax->startDocument = sfo_domain_sniff_start;
    ctxt->sax->serror = sfo_domain_quiet;
    sfo_domain_quiet_begin(&saved);
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    sfo_domain_quiet_end(&saved);
    xmlFreeDoc(doc);
    return name;
}

/*
 * Refuses a start tag with more than SFO_DOMAIN_MAX_ATTRIBUTES attributes
 * before libxml2 reads it: libxml2 compares every attribute of a tag with
 * every other one. No parsing here: an attribute value cannot hold a
 * literal '<', so all attributes of an element lie between its '<' and the
 * next '<' or the first '>' outside quotes, and each one (namespace
 * declarations too) has one '=' outside quotes there. For a well-formed tag
 * the count is exact; inside a comment or CDATA it can only count too many.
 * @text is UTF-8 (or ASCII-compatible), so every byte < 0x80 is that character.
 */
static int
sfo_domain_check_attributes(const char *text, gsize len)
{
    const char *end = text + len;
    const char *p;
    long line = 1;

    for (p = text; p < end; p++) {
        const char *q;
        long tag_line = line;
        unsigned int count = 0;
        char quote = 0;

        if (*p == '\n')
            line++;
        if (*p != '<' || p + 1 == end || p[1] == '!' || p[1] == '?' || p[1] == '/')
            continue;
        for (q = p + 1; q < end && *q != '<'; q++) {
            if (*q == '\n')
                line++;
            if (quote) {
                if (*q == quote)
                    quote = 0;
            } else if (*q == '"' || *q == '\'') {
                quote = *q;
            } else if (*q == '=') {
                count++;
            } else if (*q == '>') {
                break;
            }
        }
        if (count > SFO_DOMAIN_MAX_ATTRIBUTES) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_TOO_MANY_ATTRIBUTES,
                             "domain XML has an element with more than %d attributes at line %ld",
                             SFO_DOMAIN_MAX_ATTRIBUTES, tag_line);
            return SFO_EINVALID;
        }
        p = q - 1; /* the loop goes on at q, not counted yet */
    }
    return 0;
}

int
sfo_domain_parse(const char *xml, sfo_domain **ret_domain)
{
    g_autoptr(xmlParserCtxt) ctxt = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(sfo_domain) domain = NULL;
    g_autofree char *encoding = NULL;
    g_autofree char *utf8 = NULL;
    sfo_domain_parse_error first = { 0 };
    sfo_domain_quiet_state saved;
    const char *text;
    xmlNode *root;
    gsize len;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    sfo_return_val_if_fail(xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(ret_domain != NULL, SFO_EINVALID);
    len = strlen(xml);
    if (len > SFO_DOMAIN_MAX_BYTES) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_TOO_LARGE,
                         "domain XML has %" G_GSIZE_FORMAT " bytes; at most %d are accepted", len,
                         SFO_DOMAIN_MAX_BYTES);
        return SFO_EINVALID;
    }

    /*
     * libxml2 reports the offset of what it parses (xmlByteConsumed()) exactly
     * only for input it does not decode: convert anything else to UTF-8 first,
     * and parse that, ignoring the encoding its declaration names.
     */
    text = xml;
    encoding = sfo_domain_sniff_encoding(xml, len);
    if (encoding) {
        g_autoptr(GError) err = NULL;
        gsize written = 0;

        utf8 = g_convert(xml, (gssize)len, "UTF-8", encoding, NULL, &written, &err);
        if (!utf8) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_ENCODING_UNSUPPORTED,
                             "domain XML declares encoding %s, but cannot be read as such: %s",
                             encoding, err->message);
            return SFO_EINVALID;
        }
        if (written > SFO_DOMAIN_MAX_BYTES) {
            sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_TOO_LARGE,
                             "domain XML has %" G_GSIZE_FORMAT
                             " bytes in UTF-8; at most %d are accepted",
                             written, SFO_DOMAIN_MAX_BYTES);
            return SFO_EINVALID;
        }
        text = utf8;
        len = written;
        options |= XML_PARSE_IGNORE_ENC;
    }
    if (sfo_domain_check_attributes(text, len) < 0)
        return SFO_EINVALID;

    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        sfo_error_report(SFO_ERROR, SFO_KEY_DOMXML_SYNTAX_ERROR,
                         "cannot create an XML parser context");
        return SFO_ERROR;
    }
    ctxt->_private = &first;
    ctxt->sax->serror = sfo_domain_on_error;
    ctxt->sax->startElementNs = sfo_domain_on_start_element;
    /* No network, no entity substitution, no DTD loading, no stderr noise. */
    sfo_domain_quiet_begin(&saved);
    doc = xmlCtxtReadMemory(ctxt, text, (int)len, "domain.xml", NULL, options);
    sfo_domain_quiet_end(&saved);
    if (first.too_deep) {
        g_free(first.message);
        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_TOO_DEEP,
                         "domain XML nests elements more than %d deep at line %ld",
                         SFO_DOMAIN_MAX_DEPTH, first.too_deep);
        return SFO_EINVALID;
    }
    if (!doc || !ctxt->wellFormed) {
        g_autofree char *what = first.message;

        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_SYNTAX_ERROR,
                         "domain XML is not well-formed at line %d, column %d: %s", first.line,
                         first.column, what ? what : "no document");
        return SFO_EINVALID;
    }
    g_free(first.message);
    if (doc->intSubset || doc->extSubset) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_SYNTAX_ERROR,
                         "domain XML has a DOCTYPE at line 1, column 1; libvirt XML has none");
        return SFO_EINVALID;
    }

    root = xmlDocGetRootElement(doc);
    domain = g_new0(sfo_domain, 1);
    domain->devices = g_ptr_array_new_with_free_func((GDestroyNotify)sfo_domain_device_free);
    domain->encoding = g_steal_pointer(&encoding);
    domain->utf8 = g_steal_pointer(&utf8);
    domain->utf8_len = domain->utf8 ? len : 0;

    if (sfo_xml_is(root, "domain")) {
        xmlNode *name = sfo_xml_child(root, "name");

        domain->is_domain = TRUE;
        domain->complete = TRUE;
        if (name) {
            xmlChar *content = xmlNodeGetContent(name);

            domain->name = g_strdup((const char *)content);
            xmlFree(content);
        }
        domain->machine = sfo_xml_child_prop(sfo_xml_child(root, "os"), "type", "machine");
        sfo_domain_read_devices(domain, text, len, sfo_xml_child(root, "devices"));
    } else if (sfo_xml_is(root, "devices")) {
        domain->complete = TRUE;
        sfo_domain_read_devices(domain, text, len, root);
    } else if (sfo_xml_is(root, "hotplug")) {
        sfo_domain_read_devices(domain, text, len, sfo_xml_child(root, "devices"));
    } else if (sfo_domain_node_wanted(root)) {
        g_ptr_array_add(domain->devices, sfo_domain_device_read(text, len, root, 1));
    } else {
        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_SYNTAX_ERROR,
                         "unexpected root <%s> at line %ld, column 1 of the domain XML",
                         root ? (const char *)root->name : "", root ? xmlGetLineNo(root) : 0L);
        return SFO_EINVALID;
    }

    *ret_domain = g_steal_pointer(&domain);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* sfo_domain_has_device(): one SAX pass, no tree                           */
/* ------------------------------------------------------------------------ */

typedef struct {
    xmlParserCtxt *ctxt;
    const char *alias;
    char *mac; /* normalised, NULL: any */
    int depth; /* of the element being read: 1 the root */
    gboolean in_devices;
    gboolean in_device;
    gboolean alias_seen; /* the current device has @alias */
    char *device_mac;    /* the current device's <mac address> */
    int found;
} sfo_domain_search;

/* The value of attribute @name among SAX2's (localname, prefix, URI, value, end) tuples */
static char *
sfo_domain_sax_attr(int nb_attributes, const xmlChar **attributes, const char *name)
{
    int i;

    for (i = 0; i < nb_attributes; i++) {
        const xmlChar **a = attributes + i * 5;

        if (!a[1] && xmlStrEqual(a[0], BAD_CAST name))
            return g_strndup((const char *)a[3], a[4] - a[3]);
    }
    return NULL;
}

static void
sfo_domain_search_start(void *data, const xmlChar *localname, const xmlChar *prefix,
                        const xmlChar *uri G_GNUC_UNUSED, int nb_namespaces G_GNUC_UNUSED,
                        const xmlChar **namespaces G_GNUC_UNUSED, int nb_attributes,
                        int nb_defaulted G_GNUC_UNUSED, const xmlChar **attributes)
{
    sfo_domain_search *search = data;
    const char *name = (const char *)localname;

    search->depth++;
    if (prefix)
        return;
    if (search->depth == 2 && strcmp(name, "devices") == 0) {
        search->in_devices = TRUE;
    } else if (search->depth == 3 && search->in_devices &&
               (strcmp(name, "interface") == 0 || strcmp(name, "hostdev") == 0)) {
        search->in_device = TRUE;
        search->alias_seen = FALSE;
        g_clear_pointer(&search->device_mac, g_free);
    } else if (search->depth == 4 && search->in_device && strcmp(name, "alias") == 0) {
        g_autofree char *alias = sfo_domain_sax_attr(nb_attributes, attributes, "name");

        search->alias_seen = g_strcmp0(alias, search->alias) == 0;
    } else if (search->depth == 4 && search->in_device && strcmp(name, "mac") == 0) {
        g_autofree char *mac = sfo_domain_sax_attr(nb_attributes, attributes, "address");

        g_free(search->device_mac);
        search->device_mac = mac ? sfo_mac_normalize(mac) : NULL;
    }
}

static void
sfo_domain_search_end(void *data, const xmlChar *localname G_GNUC_UNUSED,
                      const xmlChar *prefix G_GNUC_UNUSED, const xmlChar *uri G_GNUC_UNUSED)
{
    sfo_domain_search *search = data;

    if (search->depth == 3 && search->in_device) {
        search->in_device = FALSE;
        if (search->alias_seen) {
            /* aliases are unique in a domain: this device decides */
            search->found = !search->mac || g_strcmp0(search->device_mac, search->mac) == 0;
            xmlStopParser(search->ctxt);
        }
    } else if (search->depth == 2) {
        search->in_devices = FALSE;
    }
    search->depth--;
}

static void
sfo_domain_search_error(void *data G_GNUC_UNUSED, xmlError *err G_GNUC_UNUSED)
{
}

int
sfo_domain_has_device(const char *xml, const char *alias, const char *mac)
{
    xmlSAXHandler sax = { 0 };
    sfo_domain_search search = { 0 };
    gsize len;
    int wellformed;
    int stopped;

    sfo_return_val_if_fail(xml != NULL, SFO_EINVALID);
    sfo_return_val_if_fail(alias != NULL, SFO_EINVALID);
    len = strlen(xml);
    sfo_return_val_if_fail(len <= G_MAXINT, SFO_EINVALID);

    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = sfo_domain_search_start;
    sax.endElementNs = sfo_domain_search_end;
    sax.serror = sfo_domain_search_error;
    search.alias = alias;
    search.mac = mac ? sfo_mac_normalize(mac) : NULL;
    if (mac && !search.mac)
        search.mac = g_strdup(mac);
    search.ctxt = xmlCreatePushParserCtxt(&sax, &search, NULL, 0, "domain.xml");
    if (!search.ctxt) {
        g_free(search.mac);
        sfo_error_report(SFO_ERROR, SFO_KEY_DOMXML_SYNTAX_ERROR,
                         "cannot create an XML parser context");
        return SFO_ERROR;
    }
    xmlCtxtUseOptions(search.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlParseChunk(search.ctxt, xml, (int)len, 1);
    stopped = search.ctxt->disableSAX != 0 && search.ctxt->errNo == XML_ERR_USER_STOP;
    wellformed = search.ctxt->wellFormed || stopped;
    xmlFreeParserCtxt(search.ctxt);
    g_free(search.device_mac);
    g_free(search.mac);
    if (!wellformed) {
        sfo_error_report(SFO_EINVALID, SFO_KEY_DOMXML_SYNTAX_ERROR,
                         "domain XML is not well-formed");
        return SFO_EINVALID;
    }
    return search.found;
}
