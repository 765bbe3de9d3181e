"""sriovfo_engine.model: the oVirt REST representation of the inventory's objects.

Outbound, an inventory dict (docs/inventory-format.md) becomes a *tree*: a dict whose values
are strings (leaf elements), dicts (nested elements; "id", "href" and "rel" are XML
attributes) and lists (repeated elements). to_xml() and to_json() write a tree in the
engine's XML and JSON (docs/rest.md): JSON keeps every leaf a string, as oVirt's engine does
(booleans "true"/"false"), objects unwrapped, collections keyed by the singular name.

Inbound, parse_body() reads an XML or JSON body into the same kind of tree (lxml and json do
the parsing), and to_inventory() checks it against a field table and returns the inventory
fields it sets; BadRequest carries what was wrong. Nothing here knows a rule: the store
decides whether the object is acceptable.
"""

import functools
import json
import uuid

from lxml import etree

API = "/ovirt-engine/api"
ATTRIBUTES = ("id", "href", "rel")

# collection path segment, XML root of one object, XML root of the collection
KINDS = {
    "data_centers": ("datacenters", "data_center", "data_centers"),
    "clusters": ("clusters", "cluster", "clusters"),
    "networks": ("networks", "network", "networks"),
    "vnic_profiles": ("vnicprofiles", "vnic_profile", "vnic_profiles"),
    "hosts": ("hosts", "host", "hosts"),
    "vms": ("vms", "vm", "vms"),
    "nics": ("nics", "nic", "nics"),
}


class BadRequest(Exception):
    """A body or parameter the engine cannot read: reason (oVirt's fault reason), detail,
    key (docs/error-keys.md)."""

    def __init__(self, detail, key="REST_BAD_REQUEST", reason="Bad Request"):
        super().__init__(detail)
        self.detail = detail
        self.key = key
        self.reason = reason


# the most characters of a value a fault quotes: it names the value, it does not echo a body
QUOTE_LIMIT = 80


def quote(value):
    """@value as JSON text for a fault's detail; past QUOTE_LIMIT characters, its beginning
    and its length (a 1 MB string sent as a name is not sent back)."""
    text = json.dumps(value)
    if len(text) <= QUOTE_LIMIT:
        return text
    return "%s... (%d characters)" % (text[:QUOTE_LIMIT], len(text))


def is_uuid(text):
    try:
        uuid.UUID(text)
    except (TypeError, ValueError, AttributeError):
        return False
    return len(text) == 36


# ---------------------------------------------------------------------------
# outbound
# ---------------------------------------------------------------------------

def _link(path, ident):
    return {"href": "%s/%s/%s" % (API, path, ident), "id": ident}


def _bool(value):
    return "true" if value else "false"


def href(kind, obj):
    if kind == "nics":
        return "%s/vms/%s/nics/%s" % (API, obj["vm"]["id"], obj["id"])
    return "%s/%s/%s" % (API, KINDS[kind][0], obj["id"])


def _data_center(o):
    return {"name": o["name"], "local": "false", "status": "up",
            "link": [{"href": href("data_centers", o) + "/clusters", "rel": "clusters"},
                     {"href": href("data_centers", o) + "/networks", "rel": "networks"}]}


def _cluster(o):
    t = {"name": o["name"], "data_center": _link("datacenters", o["data_center"]["id"]),
         "version": {"major": str(o["version"]["major"]), "minor": str(o["version"]["minor"])}}
    if o.get("bios_type"):
        t["bios_type"] = o["bios_type"]
    return t


def _network(o):
    t = {"name": o["name"], "data_center": _link("datacenters", o["data_center"]["id"]),
         "mtu": str(o.get("mtu", 0)), "required": "false", "stp": "false",
         "usages": {"usage": ["vm"]},
         "link": [{"href": href("networks", o) + "/vnicprofiles", "rel": "vnicprofiles"}]}
    if o.get("vlan"):
        t["vlan"] = {"id": str(o["vlan"]["id"])}
    if o.get("external_provider"):
        t["external_provider"] = _link("openstacknetworkproviders",
                                       o["external_provider"]["id"])
    return t


def _vnic_profile(o):
    mode = (o.get("pass_through") or {}).get("mode", "disabled")
    t = {"name": o["name"], "pass_through": {"mode": mode},
         "port_mirroring": _bool(o.get("port_mirroring"))}
    if mode == "enabled":
        t["migratable"] = _bool(o.get("migratable"))
    if o.get("failover"):
        t["failover"] = _link("vnicprofiles", o["failover"]["id"])
    t["network"] = _link("networks", o["network"]["id"])
    if o.get("qos"):
        t["qos"] = {"id": o["qos"]["id"]}
    if o.get("network_filter"):
        t["network_filter"] = _link("networkfilters", o["network_filter"]["id"])
    return t


def _host(o):
    return {"name": o["name"], "status": "up", "cluster": _link("clusters", o["cluster"]["id"])}


def _vm(o):
    t = {"name": o["name"], "status": o.get("status", "down"),
         "os": {"type": (o.get("os") or {}).get("type", "other")},
         "cluster": _link("clusters", o["cluster"]["id"]),
         "link": [{"href": href("vms", o) + "/nics", "rel": "nics"}]}
    if o.get("bios"):
        t["bios"] = {"type": o["bios"]["type"]}
    if o.get("host"):
        t["host"] = _link("hosts", o["host"]["id"])
    return t


def _nic(o):
    t = {"name": o["name"], "interface": o.get("interface", "virtio"), "linked": "true",
         "mac": {"address": o["mac"]["address"]},
         "plugged": _bool(o.get("plugged", True)), "synced": "true",
         "vm": _link("vms", o["vm"]["id"])}
    if o.get("vnic_profile"):
        t["vnic_profile"] = _link("vnicprofiles", o["vnic_profile"]["id"])
    return t


_OUT = {"data_centers": _data_center, "clusters": _cluster, "networks": _network,
        "vnic_profiles": _vnic_profile, "hosts": _host, "vms": _vm, "nics": _nic}


def tree(kind, obj):
    """The representation of inventory object @obj of collection @kind."""
    t = {"href": href(kind, obj), "id": obj["id"]}
    t.update(_OUT[kind](obj))
    return t


def _xml_fill(parent, name, value):
    if isinstance(value, list):
        for item in value:
            _xml_fill(parent, name, item)
        return
    el = etree.SubElement(parent, name)
    if isinstance(value, dict):
        _xml_children(el, value)
    else:
        el.text = value


def _xml_children(el, t):
    for name in ATTRIBUTES:
        if name in t:
            el.set(name, t[name])
    for name, value in t.items():
        if name not in ATTRIBUTES:
            _xml_fill(el, name, value)


def to_xml(root, t):
    """XML text (bytes) of tree @t under element @root."""
    el = etree.Element(root)
    _xml_children(el, t)
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", standalone=True,
                          pretty_print=True)


def to_xml_list(root, item, trees):
    el = etree.Element(root)
    for t in trees:
        _xml_children(etree.SubElement(el, item), t)
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", standalone=True,
                          pretty_print=True)


def to_json(t):
    return json.dumps(t, indent=2).encode() + b"\n"


def to_json_list(item, trees):
    return json.dumps({item: trees}, indent=2).encode() + b"\n"


def render_object(kind, obj, as_json):
    """The XML (or with @as_json the JSON) of inventory object @obj of collection @kind."""
    t = tree(kind, obj)
    return to_json(t) if as_json else to_xml(KINDS[kind][1], t)


def render_list(kind, objs, as_json):
    """The XML (or JSON) of collection @kind holding inventory objects @objs."""
    trees = [tree(kind, o) for o in objs]
    _, item, root = KINDS[kind]
    return to_json_list(item, trees) if as_json else to_xml_list(root, item, trees)


def _render_text(kind, text, as_json, many):
    data = json.loads(text)
    return render_list(kind, data, as_json) if many else render_object(kind, data, as_json)


# What a GET answers is a function of the store's answer alone (its JSON text), the kind and
# the format: each worker keeps the last renderings by those, so that a collection read again
# unchanged (a client polling it) costs the store's read and a comparison of the text, not the
# XML or JSON writers. The store is still read on every request: a change shows at once.
MEMO_ENTRIES = 64
MEMO_TEXT_LIMIT = 128 * 1024  # larger answers are rendered every time (memory stays bounded)
_render_memo = functools.lru_cache(maxsize=MEMO_ENTRIES)(_render_text)


def render_text(kind, text, as_json, many=False):
    """render_object() (or with @many render_list()) of the store's JSON text @text
    (Store.get_json(), Store.list_json()), memoised per process."""
    if len(text) > MEMO_TEXT_LIMIT:
        return _render_text(kind, text, as_json, many)
    return _render_memo(kind, text, as_json, many)


# ---------------------------------------------------------------------------
# inbound
# ---------------------------------------------------------------------------

# lxml's parser without what a body has no business using: no DTD loading, no entity
# expansion, no network, no huge trees. A new one per body, fed the whole body: fed, libxml2
# reads by length (etree.fromstring() stops at a NUL byte and ignores what follows it).
def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _xml_tree(el):
    t = {name: el.get(name) for name in ATTRIBUTES if el.get(name) is not None}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if len(child) or child.attrib:
            value = _xml_tree(child)
        else:
            value = (child.text or "").strip()
            if value == "":
                value = {}
        if child.tag in t:
            if not isinstance(t[child.tag], list):
                t[child.tag] = [t[child.tag]]
            t[child.tag].append(value)
        else:
            t[child.tag] = value
    return t


def parse_body(data, content_type, root):
    """The tree of request body @data (bytes), XML unless @content_type is JSON; an XML root
    must be @root. BadRequest when it cannot be read."""
    if not data or not data.strip():
        raise BadRequest("The request has no body; a <%s> is expected." % root,
                         "REST_EMPTY_BODY")
    if content_type and "json" in content_type.lower():
        try:
            t = json.loads(data)
        except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
            raise BadRequest("The request body is not valid JSON: %s" % e,
                             "REST_MALFORMED_BODY") from None
        if not isinstance(t, dict):
            raise BadRequest("The request body must be a JSON object.", "REST_MALFORMED_BODY")
        return t
    try:
        parser = _parser()
        parser.feed(data)
        el = parser.close()
    except etree.XMLSyntaxError as e:
        raise BadRequest("The request body is not well-formed XML: %s" % e,
                         "REST_MALFORMED_BODY") from None
    if el is None:  # a decoding error lxml's feed parser reports as no document
        raise BadRequest("The request body is not well-formed XML: no root element could be "
                         "read.", "REST_MALFORMED_BODY")
    if el.tag != root:
        raise BadRequest("The request body's root element is <%s>; <%s> is expected."
                         % (el.tag, root), "REST_MALFORMED_BODY")
    return _xml_tree(el)


# Field tables: "str", "bool", "mode" (pass_through.mode), "link" (id or empty: None),
# a nested table, or None (read-only: ignored on input).
VNIC_PROFILE_FIELDS = {
    "name": "str", "description": None, "comment": None,
    "network": "link", "pass_through": {"mode": "mode"}, "migratable": "bool",
    "port_mirroring": "bool", "failover": "link", "qos": "link", "network_filter": "link",
}
NIC_FIELDS = {
    "name": "str", "interface": "str", "mac": {"address": "str"}, "plugged": "bool",
    "vnic_profile": "link", "linked": None, "synced": None, "vm": None, "comment": None,
    "description": None,
}


# an action's body: the destination of a migration; what else the SDK may send is accepted
# and ignored (async: actions always answer when done; force, cluster: no scheduler here)
ACTION_FIELDS = {
    "host": "link", "async": None, "force": None, "cluster": None,
    "migrate_vms_in_affinity_closure": None, "reason": None,
}


def _wrong(path, what, value):
    return BadRequest("Invalid value %s for %s: %s expected." % (quote(value), path, what),
                      "REST_INVALID_VALUE")


def _text(value):
    """Whether @value is Unicode text: JSON can say "\\ud800", a lone surrogate, which no
    UTF-8 carries to the store (which refuses NUL and other control characters itself)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _convert(path, kind, value):
    if kind == "str":
        if not isinstance(value, str) or value == "" or not _text(value):
            raise _wrong(path, "a non-empty string of Unicode characters", value)
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _wrong(path, "true or false", value)
    if kind == "mode":
        if value not in ("enabled", "disabled"):
            raise _wrong(path, "enabled or disabled", value)
        return value
    if kind == "link":
        if value is None or value == {} or value == "":
            return None
        if not isinstance(value, dict) or not isinstance(value.get("id", ""), str):
            raise _wrong(path, "a link (an element with an id)", value)
        if "id" not in value:
            return None
        if not is_uuid(value["id"]):
            raise BadRequest("Invalid id %s for %s: a UUID expected." % (
                quote(value["id"]), path), "REST_INVALID_ID")
        return {"id": value["id"]}
    # a nested table
    if not isinstance(value, dict):
        raise _wrong(path, "an object", value)
    return to_inventory(value, kind, path + ".")


def to_inventory(t, fields, prefix=""):
    """The inventory fields that tree @t sets, checked against table @fields; a link sent
    empty (XML <failover/>, JSON null or {}) is None, which clears it."""
    out = {}
    for name, value in t.items():
        if name in ATTRIBUTES or name not in fields or fields[name] is None:
            continue
        if value is None and fields[name] != "link":
            continue
        out[name] = _convert(prefix + name, fields[name], value)
    return out


def require(fields, names, what, verb="add"):
    """Incomplete parameters (oVirt's wording) unless every dotted name in @names is set."""
    missing = []
    for name in names:
        node = fields
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            missing.append(name)
    if missing:
        raise BadRequest("%s [%s] required for %s" % (what, ", ".join(missing), verb),
                         "REST_INCOMPLETE_PARAMETERS", "Incomplete parameters")
