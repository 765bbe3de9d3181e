/*
 * test-domxml.c: libvirt XML writer, domain XML reader and rule 16
 *
 * Golden files: tests/data/domxml/NAME.json -> NAME.xml (and NAME-domain.xml
 * for the SFO_DOMXML_DOMAIN form), tests/data/netxml/NAME.json -> NAME.xml.
 * Every expected XML is validated against libvirt's RNG schemas
 * ($LIBVIRT_SCHEMA_DIR) and defined through real libvirt: domains through
 * the embedded qemu driver (qemu:///embed, in-process, no daemon; skipped
 * when $QEMU_SYSTEM_X86_64 is empty), networks through test:///default.
 * tests/data/domxml-check/NAME.xml are inputs of sfo_rules_check_domxml();
 * the table below lists the keys each must produce, and which bad domains
 * libvirt's qemu driver accepts although the rules reject them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "sfo-test.h"

#include "domxml/sfo-domxml.h"
#include "model/sfo-domain.h"
#include "rules/sfo-violations.h"

#define SFO_SUITE_DOMXML "domxml"
#define SFO_SUITE_NETXML "netxml"
#define SFO_SUITE_CHECK "domxml-check"

/* ------------------------------------------------------------------------ */
/* shared state: schemas and libvirt connections, opened once per binary     */
/* ------------------------------------------------------------------------ */

static struct {
    xmlRelaxNG *domain_rng;
    xmlRelaxNG *network_rng;
    virConnectPtr qemu; /* qemu:///embed?root=…; NULL when QEMU is not available */
    virConnectPtr test; /* test:///default */
    char *root;         /* the embedded driver's root directory */
    char *qemu_error;   /* why qemu could not be opened */
} sfo_env;

static void
sfo_test_libvirt_quiet(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
    /* errors are read with virGetLastErrorMessage() where they matter */
}

static xmlRelaxNG *
sfo_test_load_schema(const char *name)
{
    const char *dir = g_getenv("LIBVIRT_SCHEMA_DIR");
    g_autofree char *path = NULL;
    xmlRelaxNGParserCtxt *pctxt;
    xmlRelaxNG *schema;

    if (!dir || !*dir)
        dir = "/usr/share/libvirt/schemas";
    path = g_build_filename(dir, name, NULL);
    pctxt = xmlRelaxNGNewParserCtxt(path);
    schema = pctxt ? xmlRelaxNGParse(pctxt) : NULL;
    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!schema)
        fprintf(stderr, "# cannot load libvirt schema %s\n", path);
    return schema;
}

static const char sfo_test_qemu_conf[] =
    "# written by test-domxml: in-process driver, no daemon, no cgroups\n"
    "stdio_handler = \"file\"\n"
    "cgroup_controllers = [ ]\n"
    "user = \"root\"\n"
    "group = \"root\"\n"
    "remember_owner = 0\n"
    "namespaces = [ ]\n";

static void
sfo_test_open_qemu(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *etc = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *uri = NULL;

    sfo_env.root = g_dir_make_tmp("sfo-domxml-XXXXXX", &err);
    if (!sfo_env.root) {
        sfo_env.qemu_error = g_strdup(err->message);
        return;
    }
    etc = g_build_filename(sfo_env.root, "etc", NULL);
    conf = g_build_filename(etc, "qemu.conf", NULL);
    if (g_mkdir_with_parents(etc, 0700) < 0 ||
        !g_file_set_contents(conf, sfo_test_qemu_conf, -1, &err)) {
        sfo_env.qemu_error = g_strdup_printf("cannot write %s", conf);
        return;
    }
    uri = g_strdup_printf("qemu:///embed?root=%s", sfo_env.root);
    sfo_env.qemu = virConnectOpen(uri);
    if (!sfo_env.qemu)
        sfo_env.qemu_error = g_strdup_printf("%s: %s", uri, virGetLastErrorMessage());
}

static int
sfo_test_group_setup(void **state G_GNUC_UNUSED)
{
    const char *qemu = g_getenv("QEMU_SYSTEM_X86_64");

    virSetErrorFunc(NULL, sfo_test_libvirt_quiet);
    /* the embedded driver needs an event loop implementation registered */
    if (virEventRegisterDefaultImpl() < 0)
        return -1;
    sfo_env.domain_rng = sfo_test_load_schema("domain.rng");
    sfo_env.network_rng = sfo_test_load_schema("network.rng");
    if (!sfo_env.domain_rng || !sfo_env.network_rng)
        return -1;
    sfo_env.test = virConnectOpen("test:///default");
    if (!sfo_env.test)
        return -1;
    if (qemu && *qemu)
        sfo_test_open_qemu();
    return 0;
}

static int
sfo_test_group_teardown(void **state G_GNUC_UNUSED)
{
    if (sfo_env.qemu)
        virConnectClose(sfo_env.qemu);
    if (sfo_env.test)
        virConnectClose(sfo_env.test);
    if (sfo_env.root)
        sfo_test_rmtree(sfo_env.root);
    xmlRelaxNGFree(sfo_env.domain_rng);
    xmlRelaxNGFree(sfo_env.network_rng);
    g_free(sfo_env.root);
    g_free(sfo_env.qemu_error);
    memset(&sfo_env, 0, sizeof(sfo_env));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static xmlDoc *
sfo_test_parse_xml(const char *xml)
{
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "test.xml", NULL, XML_PARSE_NONET);

    if (!doc)
        fail_msg("not well-formed XML:\n%s", xml);
    return doc;
}

static void
sfo_test_assert_valid(xmlRelaxNG *schema, xmlDoc *doc, const char *what)
{
    xmlRelaxNGValidCtxt *vctxt = xmlRelaxNGNewValidCtxt(schema);
    int rc = xmlRelaxNGValidateDoc(vctxt, doc);

    xmlRelaxNGFreeValidCtxt(vctxt);
    if (rc != 0)
        fail_msg("%s does not validate against libvirt's schema (rc %d)", what, rc);
}

/*
 * Wraps a <devices> element with interfaces in a minimal Q35 domain named
 * @name, with enough pcie-root-ports; returns the document.
 */
static xmlDoc *
sfo_test_wrap_devices(const char *devices_xml, const char *name)
{
    g_autoptr(xmlDoc) devices = sfo_test_parse_xml(devices_xml);
    g_autoptr(GString) xml = g_string_new(NULL);
    xmlDoc *doc;
    xmlNode *target;
    xmlNode *cur;
    int i;
    int count = 0;

    for (cur = xmlDocGetRootElement(devices)->children; cur; cur = cur->next)
        count += cur->type == XML_ELEMENT_NODE;
    g_string_append_printf(xml,
                           "<domain type='qemu'><name>%s</name>"
                           "<memory unit='MiB'>512</memory>"
                           "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                           "<devices><controller type='pci' index='0' model='pcie-root'/>",
                           name);
    for (i = 0; i <= count; i++)
        g_string_append(xml, "<controller type='pci' model='pcie-root-port'/>");
    g_string_append(xml, "</devices></domain>");
    doc = sfo_test_parse_xml(xml->str);
    target = xmlDocGetRootElement(doc)->last;
    for (cur = xmlDocGetRootElement(devices)->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            xmlAddChild(target, xmlDocCopyNode(cur, doc, 1));
    }
    return doc;
}

static char *
sfo_test_doc_to_string(xmlDoc *doc)
{
    xmlChar *mem = NULL;
    int len = 0;
    char *ret;

    xmlDocDumpMemory(doc, &mem, &len);
    ret = g_strndup((const char *)mem, len);
    xmlFree(mem);
    return ret;
}

/* Defines @xml through the embedded qemu driver; returns the error or NULL. */
static char *
sfo_test_qemu_define(const char *xml)
{
    virDomainPtr dom = virDomainDefineXMLFlags(sfo_env.qemu, xml, VIR_DOMAIN_DEFINE_VALIDATE);

    if (!dom)
        return g_strdup(virGetLastErrorMessage());
    assert_int_equal(virDomainUndefine(dom), 0);
    virDomainFree(dom);
    return NULL;
}

/*
 * TRUE when the embedded qemu driver is open. FALSE when no QEMU binary is
 * configured: the caller skips (after freeing what it holds, since skip()
 * long-jumps past g_autofree). Fails when there is a QEMU but the driver
 * cannot start (e.g. as root without the libvirt-qemu user that
 * libvirt-daemon-system creates).
 */
static gboolean
sfo_test_have_qemu(void)
{
    const char *qemu = g_getenv("QEMU_SYSTEM_X86_64");

    if (sfo_env.qemu)
        return TRUE;
    if (!qemu || !*qemu) {
        fprintf(stderr, "# skipping libvirt define: QEMU_SYSTEM_X86_64 is empty\n");
        return FALSE;
    }
    fail_msg("cannot open libvirt's embedded qemu driver: %s", sfo_env.qemu_error);
    return FALSE;
}

/* Defines @xml through the embedded qemu driver; FALSE: skip the test. */
static gboolean
sfo_test_assert_qemu_accepts(const char *xml, const char *what)
{
    g_autofree char *error = NULL;

    if (!sfo_test_have_qemu())
        return FALSE;
    error = sfo_test_qemu_define(xml);
    if (error)
        fail_msg("libvirt's qemu driver refuses %s: %s", what, error);
    return TRUE;
}

/* ------------------------------------------------------------------------ */
/* golden cases of the writer                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;  /* tests/data/domxml/NAME.json -> NAME.xml */
    const char *vm_id; /* NULL: "vm1" */
    gboolean domain;   /* also NAME-domain.xml with SFO_DOMXML_DOMAIN */
    const char *key;   /* the one rule violation the output must have, NULL: none */
} sfo_golden_case;

static const sfo_golden_case sfo_golden_cases[] = {
    { "pair-vlan-mtu", NULL, TRUE, NULL },
    { "two-pairs", NULL, FALSE, NULL },
    { "unplugged", NULL, FALSE, NULL },
    { "libvirt-networks", NULL, FALSE, NULL },
    { "macvtap", NULL, FALSE, NULL },
    { "no-failover", NULL, FALSE, NULL },
    { "mixed", NULL, TRUE, NULL },
    { "i440fx", NULL, TRUE, "ACTION_TYPE_FAILED_FAILOVER_REQUIRES_PCIE_MACHINE" },
};

/* The writer's output also passes the domain XML rules (or fails as expected). */
static void
sfo_test_assert_rules(const char *xml, const char *key)
{
    g_autoptr(sfo_violations) v = NULL;

    assert_int_equal(sfo_rules_check_domxml(xml, 0, &v), 0);
    if (key) {
        assert_int_equal(sfo_violations_count(v), 1);
        assert_string_equal(sfo_violations_key(v, 0), key);
    } else if (sfo_violations_count(v) > 0) {
        fail_msg("generated XML violates %s: %s", sfo_violations_key(v, 0),
                 sfo_violations_message(v, 0));
    }
}

/* FALSE: the libvirt part has to be skipped */
static gboolean
sfo_test_golden(const sfo_golden_case *c)
{
    g_autofree char *json = g_strconcat(c->name, ".json", NULL);
    g_autofree char *golden = g_strconcat(c->name, ".xml", NULL);
    g_autofree char *golden_domain = g_strconcat(c->name, "-domain.xml", NULL);
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory(SFO_SUITE_DOMXML, json);
    const char *vm_id = c->vm_id ? c->vm_id : "vm1";
    g_autofree char *xml = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *wrapped = NULL;
    g_autofree char *domxml = NULL;
    g_autofree char *expected_domain = NULL;
    g_autofree char *defname = g_strconcat("sfo-", c->name, NULL);
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) ddoc = NULL;

    assert_int_equal(sfo_domxml_format_vm(inv, vm_id, 0, &xml), 0);
    sfo_test_compare_golden(SFO_SUITE_DOMXML, golden, xml);
    expected = sfo_test_read_data(SFO_SUITE_DOMXML, golden);
    /* <devices> only: no machine, so no PCIe rule; every pair must be right */
    sfo_test_assert_rules(expected, NULL);
    doc = sfo_test_wrap_devices(expected, defname);
    sfo_test_assert_valid(sfo_env.domain_rng, doc, golden);
    wrapped = sfo_test_doc_to_string(doc);

    if (c->domain) {
        assert_int_equal(sfo_domxml_format_vm(inv, vm_id, SFO_DOMXML_DOMAIN, &domxml), 0);
        sfo_test_compare_golden(SFO_SUITE_DOMXML, golden_domain, domxml);
        expected_domain = sfo_test_read_data(SFO_SUITE_DOMXML, golden_domain);
        sfo_test_assert_rules(expected_domain, c->key);
        ddoc = sfo_test_parse_xml(expected_domain);
        sfo_test_assert_valid(sfo_env.domain_rng, ddoc, golden_domain);
    }

    if (!sfo_test_assert_qemu_accepts(wrapped, golden))
        return FALSE;
    return !expected_domain || sfo_test_assert_qemu_accepts(expected_domain, golden_domain);
}

static void
test_domxml_golden(void **state)
{
    if (!sfo_test_golden(*state))
        skip();
}

/* ------------------------------------------------------------------------ */
/* host networks                                                             */
/* ------------------------------------------------------------------------ */

static void
test_domxml__netxml_host_networks(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory(SFO_SUITE_NETXML, "host-networks.json");
    g_autofree char *xml = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *cur;
    int count = 0;

    assert_int_equal(sfo_domxml_format_host_networks(inv, "h1", 0, &xml), 0);
    sfo_test_compare_golden(SFO_SUITE_NETXML, "host-networks.xml", xml);
    expected = sfo_test_read_data(SFO_SUITE_NETXML, "host-networks.xml");
    doc = sfo_test_parse_xml(expected);
    assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, "networks");

    for (cur = xmlDocGetRootElement(doc)->children; cur; cur = cur->next) {
        g_autoptr(xmlDoc) one = NULL;
        g_autofree char *text = NULL;
        virNetworkPtr net;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        count++;
        one = xmlNewDoc(BAD_CAST "1.0");
        xmlDocSetRootElement(one, xmlDocCopyNode(cur, one, 1));
        sfo_test_assert_valid(sfo_env.network_rng, one, "a <network> of host-networks.xml");
        text = sfo_test_doc_to_string(one);
        net = virNetworkDefineXML(sfo_env.test, text);
        if (!net)
            fail_msg("test:///default refuses network %d: %s", count, virGetLastErrorMessage());
        assert_int_equal(virNetworkUndefine(net), 0);
        virNetworkFree(net);
    }
    /* hostdev pool, macvtap and libvirt bridge; the plain Linux bridge needs none */
    assert_int_equal(count, 3);
}

static void
test_domxml__netxml_without_pf(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory(SFO_SUITE_NETXML, "no-pf.json");
    char *xml = NULL;

    assert_int_equal(sfo_domxml_format_host_networks(inv, "h1", 0, &xml), SFO_EINVALID);
    assert_null(xml);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_HOST_NETWORK_WITHOUT_PF);
    assert_non_null(strstr(sfo_error_last()->message, "'transient-net'"));
    assert_non_null(strstr(sfo_error_last()->message, "'host1'"));
}

static void
test_domxml__not_found(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory(SFO_SUITE_DOMXML, "mixed.json");
    char *xml = NULL;

    assert_int_equal(sfo_domxml_format_vm(inv, "nosuch", 0, &xml), SFO_ENOTFOUND);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_VM_NOT_FOUND);
    assert_non_null(strstr(sfo_error_last()->message, "'nosuch'"));
    assert_int_equal(sfo_domxml_format_host_networks(inv, "nosuch", 0, &xml), SFO_ENOTFOUND);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_HOST_NOT_FOUND);
    assert_int_equal(sfo_domxml_format_vm(inv, "vm1", 1u << 7, &xml), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_INVALID_ARGUMENT);
    assert_int_equal(sfo_domxml_format_host_networks(inv, "h1", SFO_DOMXML_DOMAIN, &xml),
                     SFO_EINVALID);
    assert_null(xml);
}

/* A VF NIC the engine has not placed yet: no <source>, the host fills it in. */
static void
test_domxml__vf_without_address(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_inventory) inv = sfo_test_load_inventory(SFO_SUITE_DOMXML, "two-pairs.json");
    sfo_nic *nic = sfo_inventory_find_nic(inv, "nic-b");
    g_autofree char *xml = NULL;

    g_clear_pointer(&nic->vf_address, g_free);
    assert_int_equal(sfo_domxml_format_vm(inv, "vm1", 0, &xml), 0);
    /* nic-b (lower MAC) comes first and has no address; nic-a keeps its own */
    assert_null(strstr(xml, "slot=\"0x02\" function=\"0x2\""));
    assert_non_null(strstr(xml, "slot=\"0x02\" function=\"0x1\""));
    assert_true(strstr(xml, "ua-nic-b") < strstr(xml, "ua-nic-a"));

    nic->vf_address = g_strdup("not-a-pci-address");
    g_clear_pointer(&xml, g_free);
    assert_int_equal(sfo_domxml_format_vm(inv, "vm1", 0, &xml), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_INVENTORY_INVALID_VALUE);
}

/* ------------------------------------------------------------------------ */
/* the domain XML reader                                                     */
/* ------------------------------------------------------------------------ */

static void
test_domxml__read_domain(void **state G_GNUC_UNUSED)
{
    g_autofree char *xml = sfo_test_read_data(SFO_SUITE_CHECK, "clean.xml");
    g_autoptr(sfo_domain) domain = NULL;
    const sfo_domain_device *vf;
    const sfo_domain_device *standby;

    assert_int_equal(sfo_domain_parse(xml, &domain), 0);
    assert_true(domain->is_domain);
    assert_true(domain->complete);
    assert_string_equal(domain->name, "clean");
    assert_string_equal(domain->machine, "q35");
    assert_int_equal(domain->devices->len, 2);
    vf = domain->devices->pdata[0];
    standby = domain->devices->pdata[1];
    assert_string_equal(vf->element, "interface");
    assert_string_equal(vf->type, "hostdev");
    assert_int_equal(vf->teaming, SFO_DOMAIN_TEAMING_TRANSIENT);
    assert_string_equal(vf->teaming_persistent, "ua-fo-prof");
    assert_string_equal(vf->alias, "ua-nic1");
    assert_int_equal(vf->line, 8);
    assert_int_equal(vf->position, 1);
    assert_null(vf->address_type); /* <source><address> is the host's, not the guest's */
    assert_string_equal(standby->type, "bridge");
    assert_string_equal(standby->model, "virtio");
    assert_string_equal(standby->mac, "56:6f:1a:2b:00:01"); /* normalised */
    assert_string_equal(standby->source_bridge, "br-fo");
    assert_int_equal(standby->teaming, SFO_DOMAIN_TEAMING_PERSISTENT);
    assert_null(standby->teaming_persistent);
}

/*
 * sfo_domain_has_device(): the alias decides which device, the MAC whether
 * it is ours; an alias outside <devices>' interfaces and hostdevs does not
 * count, whatever its namespace.
 */
static void
test_domxml__has_device(void **state G_GNUC_UNUSED)
{
    static const char xml[] =
        "<domain type='kvm'><name>d</name>"
        "<metadata><x:m xmlns:x='urn:x'><alias name='ua-meta'/></x:m></metadata>"
        "<devices>"
        "<controller type='pci'><alias name='ua-ctl'/></controller>"
        "<interface type='user'><alias name='ua-nic'/><mac address='52:54:00:00:00:01'/>"
        "<model type='virtio'/></interface>"
        "<hostdev mode='subsystem' type='pci'><mac address='52:54:00:00:00:02'/>"
        "<alias name='ua-vf'/></hostdev>"
        "</devices></domain>";

    assert_int_equal(sfo_domain_has_device(xml, "ua-nic", "52:54:00:00:00:01"), 1);
    assert_int_equal(sfo_domain_has_device(xml, "ua-nic", "52:54:00:00:00:0A"), 0);
    assert_int_equal(sfo_domain_has_device(xml, "ua-nic", NULL), 1);
    assert_int_equal(sfo_domain_has_device(xml, "ua-vf", "52:54:00:00:00:02"), 1);
    assert_int_equal(sfo_domain_has_device(xml, "ua-vf", "52:54:00:00:00:01"), 0);
    assert_int_equal(sfo_domain_has_device(xml, "ua-ctl", NULL), 0);
    assert_int_equal(sfo_domain_has_device(xml, "ua-meta", NULL), 0);
    assert_int_equal(sfo_domain_has_device(xml, "ua-none", NULL), 0);
    /* MACs compare normalised */
    assert_int_equal(sfo_domain_has_device(xml, "ua-nic", "52-54-00-00-00-01"), 1);
    assert_int_equal(sfo_domain_has_device("<domain><devices><interface>", "ua-nic", NULL),
                     SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_DOMXML_SYNTAX_ERROR);
}

static void
test_domxml__read_snippets(void **state G_GNUC_UNUSED)
{
    g_autoptr(sfo_domain) one = NULL;
    g_autoptr(sfo_domain) hotplug = NULL;
    g_autoptr(sfo_domain) guest = NULL;
    g_autofree char *xml = sfo_test_read_data(SFO_SUITE_CHECK, "transient-usb-hostdev.xml");
    const sfo_domain_device *dev;

    assert_int_equal(sfo_domain_parse("<interface type='network'><source network='n'/>"
                                      "<teaming type='bogus'/></interface>",
                                      &one),
                     0);
    assert_false(one->is_domain);
    assert_false(one->complete);
    assert_int_equal(one->devices->len, 1);
    dev = one->devices->pdata[0];
    assert_string_equal(dev->source_network, "n");
    assert_int_equal(dev->teaming, SFO_DOMAIN_TEAMING_OTHER);

    assert_int_equal(sfo_domain_parse(xml, &hotplug), 0);
    assert_int_equal(hotplug->devices->len, 2);
    assert_false(hotplug->complete);
    dev = hotplug->devices->pdata[0];
    assert_string_equal(dev->element, "hostdev");
    assert_string_equal(dev->type, "usb");
    assert_int_equal(dev->line, 3);

    /* a USB hostdev without teaming is not a network device; guest address read */
    assert_int_equal(sfo_domain_parse("<devices><hostdev mode='subsystem' type='usb'/>"
                                      "<interface type='bridge'><address type='pci' "
                                      "bus='0x01' slot='0x00'/></interface></devices>",
                                      &guest),
                     0);
    assert_int_equal(guest->devices->len, 1);
    assert_true(guest->complete);
    dev = guest->devices->pdata[0];
    assert_string_equal(dev->address_type, "pci");
    assert_string_equal(dev->address_bus, "0x01");
    assert_string_equal(dev->address_slot, "0x00");
    assert_int_equal(dev->position, 1);
}

/* ------------------------------------------------------------------------ */
/* rule 16: sfo_rules_check_domxml()                                         */
/* ------------------------------------------------------------------------ */

#define SFO_MAX_KEYS 4

typedef struct {
    const char *name;               /* tests/data/domxml-check/NAME.xml */
    int rc;                         /* 0, or SFO_EINVALID */
    gboolean libvirt_accepts;       /* a full domain the qemu driver defines */
    const char *keys[SFO_MAX_KEYS]; /* expected violations, in order */
    const char *subject;            /* subject id of the first violation */
} sfo_check_case;

#define K(x) "ACTION_TYPE_FAILED_" #x

static const sfo_check_case sfo_check_cases[] = {
    { "clean", 0, TRUE, { NULL }, NULL },
    { "clean-interface", 0, FALSE, { NULL }, NULL },
    { "plain-hostdev-pair", 0, TRUE, { NULL }, NULL },
    { "mac-mismatch", 0, TRUE, { K(TEAMING_MAC_MISMATCH) }, "ua-nic1" },
    { "alias-invalid", 0, TRUE, { K(TEAMING_ALIAS_INVALID), K(TEAMING_ALIAS_INVALID) }, "#1" },
    { "persistent-not-found", 0, TRUE, { K(TEAMING_PERSISTENT_NOT_FOUND) }, "ua-nic1" },
    { "persistent-shared", 0, TRUE, { K(TEAMING_PERSISTENT_SHARED) }, "ua-fo-prof" },
    { "machine-i440fx", 0, TRUE, { K(FAILOVER_REQUIRES_PCIE_MACHINE) }, "machine-i440fx" },
    { "persistent-not-virtio", 0, FALSE, { K(TEAMING_PERSISTENT_NOT_VIRTIO) }, "ua-fo-prof" },
    { "persistent-hostdev", 0, FALSE, { K(TEAMING_PERSISTENT_NOT_VIRTIO) }, "ua-fo-prof" },
    /* a snippet: the persistent side may be in the running domain already */
    { "transient-not-hostdev", 0, FALSE, { K(TEAMING_TRANSIENT_NOT_HOSTDEV) }, "ua-nic1" },
    { "snippet-transient", 0, FALSE, { NULL }, NULL },
    /* libvirt gives an interface without <mac> a random one */
    { "missing-mac", 0, FALSE, { K(TEAMING_MAC_MISMATCH) }, "ua-nic1" },
    { "transient-usb-hostdev", 0, FALSE, { K(TEAMING_TRANSIENT_NOT_HOSTDEV) }, "#1" },
    { "malformed", SFO_EINVALID, FALSE, { NULL }, NULL },
    { "doctype", SFO_EINVALID, FALSE, { NULL }, NULL },
    { "wrong-root", SFO_EINVALID, FALSE, { NULL }, NULL },
};

/* FALSE: the libvirt part has to be skipped */
static gboolean
sfo_test_check(const sfo_check_case *c)
{
    g_autofree char *file = g_strconcat(c->name, ".xml", NULL);
    g_autofree char *xml = sfo_test_read_data(SFO_SUITE_CHECK, file);
    g_autoptr(sfo_violations) v = NULL;
    size_t n = 0;
    size_t i;

    assert_int_equal(sfo_rules_check_domxml(xml, 0, &v), c->rc);
    if (c->rc < 0) {
        assert_null(v);
        assert_string_equal(sfo_error_last()->key, SFO_KEY_DOMXML_SYNTAX_ERROR);
        assert_non_null(strstr(sfo_error_last()->message, "line "));
        assert_non_null(strstr(sfo_error_last()->message, "column "));
        return TRUE;
    }
    while (n < SFO_MAX_KEYS && c->keys[n])
        n++;
    for (i = 0; sfo_violations_count(v) != n && i < sfo_violations_count(v); i++)
        fprintf(stderr, "# %s: %s %s: %s\n", c->name, sfo_violations_key(v, i),
                sfo_violations_subject_id(v, i), sfo_violations_message(v, i));
    assert_int_equal(sfo_violations_count(v), n);
    for (i = 0; i < n; i++) {
        assert_string_equal(sfo_violations_key(v, i), c->keys[i]);
        /* every message is rendered: no ${variable} left */
        assert_null(strstr(sfo_violations_message(v, i), "${"));
    }
    if (c->subject)
        assert_string_equal(sfo_violations_subject_id(v, 0), c->subject);

    if (c->libvirt_accepts) {
        /* the value of the rules: libvirt itself lets these through */
        g_autoptr(xmlDoc) doc = sfo_test_parse_xml(xml);

        sfo_test_assert_valid(sfo_env.domain_rng, doc, file);
        return sfo_test_assert_qemu_accepts(xml, file);
    }
    return TRUE;
}

static void
test_domxml_check(void **state)
{
    if (!sfo_test_check(*state))
        skip();
}

static void
test_domxml__check_malformed_position(void **state G_GNUC_UNUSED)
{
    g_autofree char *xml = sfo_test_read_data(SFO_SUITE_CHECK, "malformed.xml");
    sfo_violations *v = NULL;

    assert_int_equal(sfo_rules_check_domxml(xml, 0, &v), SFO_EINVALID);
    /* "Opening and ending tag mismatch: mac line 5 and interface" at 6:17 */
    assert_non_null(strstr(sfo_error_last()->message, "line 6, column 17"));
    assert_null(strchr(sfo_error_last()->message, '\n'));
    assert_int_equal(sfo_rules_check_domxml(xml, 1, &v), SFO_EINVALID);
    assert_string_equal(sfo_error_last()->key, SFO_KEY_INVALID_ARGUMENT);
    assert_int_equal(sfo_rules_check_domxml(NULL, 0, &v), SFO_EINVALID);
}

/* The messages carry the values a reader needs. */
static void
test_domxml__check_messages(void **state G_GNUC_UNUSED)
{
    g_autofree char *xml = sfo_test_read_data(SFO_SUITE_CHECK, "mac-mismatch.xml");
    g_autofree char *shared = sfo_test_read_data(SFO_SUITE_CHECK, "persistent-shared.xml");
    g_autofree char *pc = sfo_test_read_data(SFO_SUITE_CHECK, "machine-i440fx.xml");
    g_autoptr(sfo_violations) v = NULL;
    g_autoptr(sfo_violations) s = NULL;
    g_autoptr(sfo_violations) m = NULL;

    assert_int_equal(sfo_rules_check_domxml(xml, 0, &v), 0);
    assert_string_equal(sfo_violations_message(v, 0),
                        "Transient teaming interface ua-nic1 has MAC 56:6f:1a:2b:00:01, but its "
                        "persistent interface ua-fo-prof has MAC 56:6f:1a:2b:00:99; the guest "
                        "pairs them by MAC.");
    assert_string_equal(sfo_violations_subject_type(v, 0), "interface");
    assert_int_equal(sfo_rules_check_domxml(shared, 0, &s), 0);
    assert_non_null(strstr(sfo_violations_message(s, 0), "ua-nic1, ua-nic2"));
    assert_int_equal(sfo_rules_check_domxml(pc, 0, &m), 0);
    assert_non_null(strstr(sfo_violations_message(m, 0), "pc-i440fx-7.2"));
    assert_string_equal(sfo_violations_subject_type(m, 0), "vm");
}

/* ------------------------------------------------------------------------ */

#define SFO_NAME_MAX 96

int
main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_domxml__netxml_host_networks),
        cmocka_unit_test(test_domxml__netxml_without_pf),
        cmocka_unit_test(test_domxml__not_found),
        cmocka_unit_test(test_domxml__vf_without_address),
        cmocka_unit_test(test_domxml__read_domain),
        cmocka_unit_test(test_domxml__read_snippets),
        cmocka_unit_test(test_domxml__has_device),
        cmocka_unit_test(test_domxml__check_malformed_position),
        cmocka_unit_test(test_domxml__check_messages),
    };
    size_t ngolden = G_N_ELEMENTS(sfo_golden_cases);
    size_t ncheck = G_N_ELEMENTS(sfo_check_cases);
    size_t n = ngolden + ncheck + G_N_ELEMENTS(fixed);
    g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    size_t i;
    size_t k = 0;
    int rc;

    /* table cases get their own names: test_domxml__golden_<case>, __check_<case> */
    for (i = 0; i < ngolden; i++, k++) {
        char *name = g_strdup_printf("test_domxml__golden_%s", sfo_golden_cases[i].name);

        g_strdelimit(name, "-", '_');
        g_ptr_array_add(names, name);
        tests[k].name = name;
        tests[k].test_func = test_domxml_golden;
        tests[k].initial_state = (void *)&sfo_golden_cases[i];
    }
    for (i = 0; i < ncheck; i++, k++) {
        char *name = g_strdup_printf("test_domxml__check_%s", sfo_check_cases[i].name);

        g_strdelimit(name, "-", '_');
        g_ptr_array_add(names, name);
        tests[k].name = name;
        tests[k].test_func = test_domxml_check;
        tests[k].initial_state = (void *)&sfo_check_cases[i];
    }
    for (i = 0; i < G_N_ELEMENTS(fixed); i++, k++)
        tests[k] = fixed[i];

    rc = _cmocka_run_group_tests("test-domxml", tests, n, sfo_test_group_setup,
                                 sfo_test_group_teardown);
    xmlCleanupParser();
    return rc;
}
