"""sriovfo_engine.app: the Falcon application (docs/rest.md).

Every resource is a thin mapping: parse the request (model), call the store (sriovfo.Store,
one per worker thread), write the answer (model). The store holds every rule; this module
only maps its errors to oVirt's faults (status, reason "Operation Failed", the rendered
messages as detail, and the stable key in the header X-Sriovfo-Error-Key and the fault's
<key> element), and checks who may call what.
"""

import concurrent.futures
import json
import logging
import os
import re
import threading
import time
import types
import urllib.parse

import falcon
import sriovfo
import sriovfo.store

from . import __version__, i18n, model, runner, ui

API = model.API
XML = "application/xml"
JSON = "application/json"
BODY_LIMIT = 64 * 1024
KEY_HEADER = "X-Sriovfo-Error-Key"

log = logging.getLogger("sriovfo-engine")

# Rule keys whose refusal is a conflict with the stored state (409) or names an entity that
# does not exist (404); every other rule violation is a bad request (400). Status is the
# most severe of a refusal's errors: 404, then 409, then 400.
CONFLICT_KEYS = frozenset((
    "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE",
    "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_USE",
    "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_ONE_USE",
    "ACTION_TYPE_FAILED_VNIC_PROFILE_IN_MANY_USES",
    "ACTION_TYPE_FAILED_REMOVE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED",
    "ACTION_TYPE_FAILED_UPDATE_OF_FAILOVER_PROFILE_IS_NOT_SUPPORTED",
    "ACTION_TYPE_FAILED_VM_INTERFACE_TYPE_NOT_MATCH_PROFILE",
    "ACTION_TYPE_FAILED_FAILOVER_VNIC_PROFILE_ALREADY_USED_BY_VM_INTERFACE",
    "NETWORK_MAC_ADDRESS_IN_USE",
    "INVENTORY_DUPLICATE_ID",
    "HOST_VF_RESERVED",
    # actions (docs/rest.md "Actions"): the VM is busy, the VF is taken, the VM or a host is
    # not where the action needs it
    "ACTION_TYPE_FAILED_OBJECT_LOCKED",
    "CANNOT_PLUG_PASSTHROUGH_VNIC_NO_SUITABLE_VF",
    "ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST",
    "ACTION_TYPE_FAILED_VM_IS_NOT_RUNNING",
    "HOST_URI_MISSING",
))
NOT_FOUND_KEYS = frozenset((
    "ACTION_TYPE_FAILED_NETWORK_NOT_EXIST",
    "ACTION_TYPE_FAILED_VNIC_PROFILE_NOT_EXISTS",
    "ACTION_TYPE_FAILED_VM_NOT_FOUND",
    "ACTION_TYPE_FAILED_HOST_NOT_EXIST",
    "VM_INTERFACE_NOT_EXIST",
    "INVENTORY_UNKNOWN_REFERENCE",
    "VM_NOT_FOUND",
    "NIC_NOT_FOUND",
    "HOST_NOT_FOUND",
))


class Fault(Exception):
    """An answer other than 2xx: HTTP status, oVirt fault reason and detail, stable key."""

    def __init__(self, status, reason, detail, key, headers=None):
        super().__init__(detail)
        self.status = status
        self.reason = reason
        self.detail = detail
        self.key = key
        self.headers = headers or {}

    action = False


def wants_json(req):
    accept = req.get_header("Accept") or ""
    return "json" in accept and req.client_prefers((XML, JSON)) == JSON


def send_fault(req, resp, fault):
    resp.status = fault.status
    resp.set_header(KEY_HEADER, fault.key)
    for name, value in fault.headers.items():
        resp.set_header(name, value)
    if fault.action:
        # an action that ran and failed: <action><status>failed</status><fault>...
        t = {"status": "failed",
             "fault": {"reason": fault.reason, "detail": fault.detail, "key": fault.key}}
        if wants_json(req):
            resp.content_type, resp.data = JSON, model.to_json(t)
        else:
            resp.content_type, resp.data = XML, model.to_xml("action", t)
        return
    if wants_json(req):
        resp.content_type = JSON
        resp.data = model.to_json({"reason": fault.reason, "detail": fault.detail,
                                   "key": fault.key})
    else:
        resp.content_type = XML
        resp.data = model.to_xml("fault", {"reason": fault.reason, "detail": fault.detail,
                                           "key": fault.key})


def _status(code):
    return getattr(falcon, "HTTP_%d" % code)


def fault_of(req, exc):
    """The Fault for a store or parse error @exc, messages in the request's language."""
    if isinstance(exc, Fault):
        return exc
    if isinstance(exc, model.BadRequest):
        return Fault(falcon.HTTP_400, exc.reason, exc.detail, exc.key)
    auth_failed = getattr(sriovfo, "AuthFailed", None)
    if auth_failed is not None and isinstance(exc, auth_failed):
        return Fault(falcon.HTTP_401, "Unauthorized", exc.message, exc.key,
                     {"WWW-Authenticate": 'Bearer realm="RESTAPI"'})
    if isinstance(exc, sriovfo.RuleViolation):
        errors = []
        if hasattr(exc.violations, "to_json"):
            errors = [v for v in json.loads(exc.violations.to_json())["violations"]
                      if v["severity"] == "error"]
        return refusal(req, errors, exc.key, exc.message)
    if isinstance(exc, sriovfo.NotFound):
        return Fault(falcon.HTTP_404, "Not Found", exc.message, exc.key)
    if isinstance(exc, sriovfo.InvalidInput):
        if exc.key in NOT_FOUND_KEYS:
            return Fault(falcon.HTTP_404, "Operation Failed", "[%s]" % exc.message, exc.key)
        if exc.key in CONFLICT_KEYS:
            return Fault(falcon.HTTP_409, "Operation Failed", "[%s]" % exc.message, exc.key)
        return Fault(falcon.HTTP_400, "Operation Failed", "[%s]" % exc.message, exc.key)
    if isinstance(exc, sriovfo.DatabaseError):
        return Fault(falcon.HTTP_503, "Service Unavailable", exc.message, exc.key,
                     {"Retry-After": "1"})
    return None


def refusal(req, errors, key=None, message=None):
    """The Fault of a refusal: @errors are the library's JSON violations of severity error
    (key, message, args), rendered in the request's language; @key and @message stand in
    when there is none. Status from the most severe key: 404, then 409, then 400."""
    locale = i18n.negotiate(req.get_header("Accept-Language"))
    messages = [i18n.render(types.SimpleNamespace(key=v["key"], message=v["message"]),
                            v.get("args") or {}, locale) for v in errors]
    keys = [v["key"] for v in errors] or [key]
    if any(k in NOT_FOUND_KEYS for k in keys):
        status = falcon.HTTP_404
    elif any(k in CONFLICT_KEYS for k in keys):
        status = falcon.HTTP_409
    else:
        status = falcon.HTTP_400
    return Fault(status, "Operation Failed", "[%s]" % ", ".join(messages or [message]),
                 keys[0])


class Stores:
    """One sriovfo.Store per worker process and thread, opened on first use (after
    gunicorn's fork), reopened after a database failure."""

    def __init__(self, dsn):
        self.dsn = dsn
        self.local = threading.local()

    def get(self):
        store = getattr(self.local, "store", None)
        if store is None or self.local.pid != os.getpid():
            store = sriovfo.store.Store(self.dsn)
            self.local.store, self.local.pid = store, os.getpid()
        return store

    def drop(self):
        store = getattr(self.local, "store", None)
        self.local.store = None
        if store is not None and self.local.pid == os.getpid():
            store.close()


# ---------------------------------------------------------------------------
# middleware: paths, body limit, authentication
# ---------------------------------------------------------------------------

_SLASHES = re.compile(r"/{2,}")


class Engine:
    """Request middleware: normalises the path (// and a trailing /, which an SDK url with a
    trailing slash yields), refuses oversized bodies, authenticates API calls."""

    def __init__(self, stores):
        self.stores = stores

    def process_request(self, req, resp):
        path = _SLASHES.sub("/", req.path)
        if len(path) > 1:
            path = path.rstrip("/")
        req.path = path
        if (req.content_length or 0) > BODY_LIMIT:
            raise Fault(falcon.HTTP_400, "Bad Request",
                        "The request body is larger than %d bytes." % BODY_LIMIT,
                        "REST_BODY_TOO_LARGE")
        if path == API or path.startswith(API + "/"):
            self.authenticate(req)

    def process_response(self, req, resp, resource, req_succeeded):
        """An action that ran says which sequence it was and where its time went: the plan's
        run in the library, and the part of it spent in libvirt's calls."""
        doc = getattr(req.context, "exec_result", None)
        if not doc:
            return
        libvirt = sum(float(st.get("libvirt_ms", 0)) + float(st.get("probe_ms", 0))
                      for st in doc.get("steps", []) + doc.get("undone", []))
        if doc.get("sequence"):
            resp.set_header("X-Sriovfo-Sequence", doc["sequence"])
        resp.set_header("X-Sriovfo-Exec-Ms", "%.3f" % float(doc.get("duration_ms", 0)))
        resp.set_header("X-Sriovfo-Libvirt-Ms", "%.3f" % libvirt)

    def authenticate(self, req):
        scheme, _, token = (req.get_header("Authorization") or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Fault(falcon.HTTP_401, "Unauthorized",
                        "Authentication required: send a bearer token from "
                        "/ovirt-engine/sso/oauth/token.", "AUTH_REQUIRED",
                        {"WWW-Authenticate": 'Bearer realm="RESTAPI"'})
        req.context.user = self.stores.get().verify_token(token)
        if req.method not in ("GET", "HEAD") and req.context.user["role"] != "admin":
            raise Fault(falcon.HTTP_403, "Forbidden",
                        "User %s may only read (role %s)." % (
                            req.context.user["user"], req.context.user["role"]),
                        "AUTH_FORBIDDEN")


def read_raw(req):
    """The request's body (bytes), at most BODY_LIMIT of them."""
    data = req.bounded_stream.read(BODY_LIMIT + 1)
    if len(data) > BODY_LIMIT:
        raise Fault(falcon.HTTP_400, "Bad Request",
                    "The request body is larger than %d bytes." % BODY_LIMIT,
                    "REST_BODY_TOO_LARGE")
    return data


def read_body(req, root):
    return model.parse_body(read_raw(req), req.content_type, root)


def send_object(req, resp, kind, obj, status=falcon.HTTP_200):
    """Answers with object @obj of collection @kind: a dict, or the store's JSON text
    (Store.get_json(): its rendering is memoised)."""
    as_json = wants_json(req)
    resp.status = status
    resp.content_type = JSON if as_json else XML
    if isinstance(obj, str):
        resp.data = model.render_text(kind, obj, as_json)
    else:
        resp.data = model.render_object(kind, obj, as_json)


def send_list(req, resp, kind, text):
    """Answers with collection @kind, the store's JSON text @text (Store.list_json())."""
    as_json = wants_json(req)
    resp.content_type = JSON if as_json else XML
    resp.data = model.render_text(kind, text, as_json, many=True)


def send_action(req, resp):
    """oVirt's answer to a removal: 200 with <action><status>complete</status></action>."""
    resp.status = falcon.HTTP_200
    if wants_json(req):
        resp.content_type, resp.data = JSON, model.to_json({"status": "complete"})
    else:
        resp.content_type, resp.data = XML, model.to_xml("action", {"status": "complete"})


_SEARCH_NAME = re.compile(r'\s*name\s*=\s*(?:"([^"]*)"|(\S+))\s*')


def list_params(req):
    """(name, limit) from oVirt's search (only "name=VALUE") and max parameters."""
    name = limit = None
    search = req.get_param("search")
    if search:
        m = _SEARCH_NAME.fullmatch(search)
        if not m:
            raise model.BadRequest("Unsupported search %s: only name=VALUE is supported."
                                   % model.quote(search), "REST_UNSUPPORTED_SEARCH")
        name = m.group(1) if m.group(1) is not None else m.group(2)
    text = req.get_param("max")
    if text is not None:
        try:
            limit = int(text)
        except ValueError:
            raise model.BadRequest("Invalid value %s for max: an integer expected."
                                   % model.quote(text), "REST_INVALID_VALUE") from None
        if limit < 0:
            limit = None
    return name, limit


def check_id(ident):
    if not model.is_uuid(ident):
        raise model.BadRequest("Invalid id %s: a UUID expected." % model.quote(ident),
                               "REST_INVALID_ID")
    return ident


# ---------------------------------------------------------------------------
# resources
# ---------------------------------------------------------------------------

class Resource:
    def __init__(self, stores):
        self.stores = stores

    @property
    def store(self):
        return self.stores.get()


class Root(Resource):
    def on_get(self, req, resp):
        links = [{"href": "%s/%s" % (API, path), "rel": path}
                 for path in ("clusters", "datacenters", "hosts", "networks", "vms",
                              "vnicprofiles")]
        major, minor = 4, 6
        t = {"link": links,
             "product_info": {
                 "instance_id": "00000000-0000-0000-0000-000000000000",
                 "name": "sriov-failover engine", "vendor": "sriov-failover",
                 "version": {"build": "0", "full_version": __version__,
                             "major": str(major), "minor": str(minor), "revision": "0"}},
             "time": time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime()),
             "authenticated_user": {"user_name": req.context.user["user"]}}
        resp.status = falcon.HTTP_200
        if wants_json(req):
            t["time"] = str(int(time.time() * 1000))  # JSON dates: epoch milliseconds
            resp.content_type, resp.data = JSON, model.to_json(t)
        else:
            resp.content_type, resp.data = XML, model.to_xml("api", t)


class Collection(Resource):
    """GET of a read-only collection (list) and of one of its objects (get)."""

    def __init__(self, stores, kind):
        super().__init__(stores)
        self.kind = kind

    def on_get(self, req, resp):
        name, limit = list_params(req)
        send_list(req, resp, self.kind,
                  self.store.list_json(self.kind, name=name, limit=limit))

    def on_get_item(self, req, resp, ident):
        send_object(req, resp, self.kind, self.store.get_json(self.kind, check_id(ident)))


class VnicProfiles(Collection):
    def __init__(self, stores):
        super().__init__(stores, "vnic_profiles")

    def on_get_network(self, req, resp, ident):
        network = ident
        self.store.get("networks", check_id(network))
        name, limit = list_params(req)
        send_list(req, resp, self.kind,
                  self.store.list_json(self.kind, name=name, parent=network, limit=limit))

    def on_post(self, req, resp, ident=None):
        network = ident
        fields = model.to_inventory(read_body(req, "vnic_profile"), model.VNIC_PROFILE_FIELDS)
        if network is not None:
            self.store.get("networks", check_id(network))
            fields.setdefault("network", {"id": network})
        model.require(fields, ("name", "network.id"), "VnicProfile")
        for link in ("failover", "qos", "network_filter"):
            if link in fields and fields[link] is None:
                del fields[link]
        profile_id, _ = self.store.add_vnic_profile(fields)
        resp.set_header("Location", "%s/vnicprofiles/%s" % (API, profile_id))
        send_object(req, resp, self.kind, self.store.get_json(self.kind, profile_id),
                    falcon.HTTP_201)

    on_post_network = on_post

    def on_put_item(self, req, resp, ident):
        fields = model.to_inventory(read_body(req, "vnic_profile"), model.VNIC_PROFILE_FIELDS)
        fields["id"] = check_id(ident)
        self.store.update_vnic_profile(fields, merge=True)
        send_object(req, resp, self.kind, self.store.get_json(self.kind, ident))

    def on_delete_item(self, req, resp, ident):
        self.store.remove_vnic_profile(check_id(ident))
        send_action(req, resp)


class Nics(Resource):
    kind = "nics"

    def __init__(self, stores, actions=None):
        super().__init__(stores)
        self.actions = actions

    def _nic(self, vm, ident):
        nic = self.store.get("nics", check_id(ident))
        if nic["vm"]["id"] != vm:
            raise sriovfo.NotFound("NIC %s is not a NIC of VM %s" % (ident, vm),
                                   "NIC_NOT_FOUND")
        return nic

    def on_get(self, req, resp, ident):
        vm = ident
        self.store.get("vms", check_id(vm))
        _, limit = list_params(req)
        send_list(req, resp, self.kind, self.store.list_json("nics", parent=vm, limit=limit))

    def on_post(self, req, resp, ident):
        vm = ident
        fields = model.to_inventory(read_body(req, "nic"), model.NIC_FIELDS)
        self.store.get("vms", check_id(vm))
        model.require(fields, ("name",), "Nic")
        fields["vm"] = {"id": vm}
        if fields.get("vnic_profile", 0) is None:
            del fields["vnic_profile"]
        nic_id, _ = self.store.add_nic(fields)
        resp.set_header("Location", "%s/vms/%s/nics/%s" % (API, vm, nic_id))
        send_object(req, resp, self.kind, self.store.get_json("nics", nic_id), falcon.HTTP_201)

    def on_get_item(self, req, resp, ident, nic):
        vm, ident = ident, nic
        send_object(req, resp, self.kind, self._nic(check_id(vm), ident))

    def on_put_item(self, req, resp, ident, nic):
        vm, ident = ident, nic
        fields = model.to_inventory(read_body(req, "nic"), model.NIC_FIELDS)
        current = self._nic(check_id(vm), ident)
        # <plugged> runs the action (activate, deactivate) once the other fields are stored
        plugged = fields.pop("plugged", None)
        if fields:
            fields["id"] = ident
            self.store.update_nic(fields, merge=True)
        if plugged is not None and plugged != current.get("plugged", True):
            run_nic_action(self.actions, req, self.store.get("nics", ident), plugged)
        send_object(req, resp, self.kind, self.store.get_json("nics", ident))

    def on_delete_item(self, req, resp, ident, nic):
        vm, ident = ident, nic
        self._nic(check_id(vm), ident)
        self.store.remove_nic(ident)
        send_action(req, resp)


# ---------------------------------------------------------------------------
# actions: activate, deactivate, migrate (docs/rest.md "Actions")
# ---------------------------------------------------------------------------

class ActionOptions:
    """How the engine runs plans: emulated VFs (a lab without SR-IOV), the unplug timeout,
    the migration URI, and how many actions a worker runs at once (its threads but one, so
    that a read always finds a thread)."""

    def __init__(self, emulated=False, unplug_timeout=None, migration_uri=None, slots=7):
        self.emulated = emulated
        self.unplug_timeout = unplug_timeout
        self.migration_uri = migration_uri
        self.slots = max(0, slots)  # 0: none (sync workers, --threads 1)


# what each action is called in a fault (oVirt's verbs)
_VERBS = {"plug": "activate", "unplug": "deactivate", "migrate": "migrate"}


def _failure_detail(doc, verb, subject):
    """The detail of an action that ran and failed: the step, the key, what became of it."""
    failed = next((st for st in doc.get("steps", []) if st.get("outcome") == "failed"), None)
    error = (failed or {}).get("error") or doc.get("error") or {}
    if failed is not None:
        where = "step %d (%s%s)" % (failed["index"], failed["op"],
                                    " " + failed["device"] if failed.get("device") else "")
    else:
        where = "a step"
    text = "Cannot %s %s: %s failed: %s: %s" % (verb, subject, where, error.get("key", "?"),
                                                error.get("message", ""))
    status = doc.get("status")
    if status == "undone" and verb == "activate":
        return text + "; undone: the NIC is unplugged, as before"
    if status == "undone":
        return text + "; undone: the VF is back on the source"
    if status == "incomplete":
        return text + ("; incomplete: the action took effect, a later step failed; the sequence "
                       "stays open for reconcile")
    return text + "; the undo failed too: the sequence stays open for reconcile"


class Actions(Resource):
    """POST /vms/{id}/nics/{nic}/activate|deactivate and /vms/{id}/migrate: the store plans,
    runs and records the action (Store.apply); this resource maps the outcome to oVirt's
    answer."""

    def __init__(self, stores, options):
        super().__init__(stores)
        self.options = options
        self.slots = threading.BoundedSemaphore(max(1, options.slots))
        self.pool = runner.Pool(stores.dsn, options.slots)

    @staticmethod
    def _body(req):
        """The <action> body (the SDK sends <action/>); an empty body is an empty action."""
        data = read_raw(req)
        if not data.strip():
            return {}
        return model.to_inventory(model.parse_body(data, req.content_type, "action"),
                                  model.ACTION_FIELDS)

    def on_post_activate(self, req, resp, ident, nic):
        self._nic_action(req, resp, ident, nic, "plug")

    def on_post_deactivate(self, req, resp, ident, nic):
        self._nic_action(req, resp, ident, nic, "unplug")

    def _nic_action(self, req, resp, vm, nic, action):
        self._body(req)
        nic_obj = Nics(self.stores)._nic(check_id(vm), check_id(nic))
        run_nic_action(self, req, nic_obj, action == "plug")
        send_action_result(req, resp, {})

    def on_post_migrate(self, req, resp, ident):
        fields = self._body(req)
        vm = self.store.get("vms", check_id(ident))
        model.require(fields, ("host.id",), "Action", "migrate")
        host = fields["host"]["id"]
        self.store.get("hosts", host)
        self.run(req, "migrate", vm["id"], vm["name"], host)
        send_action_result(req, resp, {"host": {"id": host,
                                                "href": "%s/hosts/%s" % (API, host)}})

    def run(self, req, action, subject, name, host=None):
        """Runs @action on @subject (the NIC for plug and unplug, else the VM) through the
        store; returns on completion, raises the Fault of a refusal or a failure."""
        if not self.options.slots:
            raise Fault(falcon.HTTP_409, "Operation Failed",
                        "This engine runs no actions: it serves with sync workers "
                        "(sriovfo-engine --threads 1).", "ENGINE_RUNS_NO_ACTIONS")
        if not self.slots.acquire(blocking=False):
            raise Fault(falcon.HTTP_503, "Service Unavailable",
                        "This engine worker already runs %d actions; retry."
                        % self.options.slots, "ENGINE_BUSY", {"Retry-After": "1"})
        started = time.monotonic()
        options = {"emulated": self.options.emulated,
                   "unplug_timeout": self.options.unplug_timeout,
                   "migration_uri": self.options.migration_uri}
        try:
            answer = self.pool.apply(action, subject, host, options)
        except concurrent.futures.process.BrokenProcessPool:
            log.error("%s %s: the process running it died; its sequence stays open until a "
                      "reconcile (at the next start, or `sriovfo reconcile --store`)",
                      action, subject)
            raise action_failed(req, "Cannot %s %s: the process running it died; the sequence "
                                "is finished or undone by the next reconcile"
                                % (_VERBS[action], name), "ENGINE_ACTION_LOST") from None
        finally:
            self.slots.release()
        if "raised" in answer:
            kind, key, message, errors = answer["raised"]
            if kind == "RuleViolation":
                raise refusal(req, errors, key, message)
            if kind == "IOFailure":
                # a host's libvirt that cannot be reached: nothing ran
                log.warning("%s %s: %s (%s)", action, subject, message, key)
                raise action_failed(req, "Cannot %s %s: %s: %s; nothing was changed"
                                    % (_VERBS[action], name, key, message), key)
            raise getattr(sriovfo, kind, sriovfo.Error)(message, key)
        doc = json.loads(answer["result"])
        req.context.exec_result = doc
        req.context.engine_ms = (time.monotonic() - started) * 1000.0
        status = doc.get("status")
        log.info("%s %s%s: %s (sequence %s, %.1f ms)", action, subject,
                 " to " + host if host else "", status, doc.get("sequence"),
                 req.context.engine_ms)
        if status == "completed":
            return doc
        if status == "refused":
            errors = [v for v in doc.get("violations", []) if v.get("severity") == "error"]
            raise refusal(req, errors, answer["error_key"], answer["error_message"])
        detail = _failure_detail(doc, _VERBS[action], name)
        error = doc.get("error") or {}
        raise action_failed(req, detail, error.get("key") or answer["error_key"])


def run_nic_action(actions, req, nic, plugged):
    """Plugs (@plugged) or unplugs @nic (a stored NIC) through the store: on its VM's host's
    libvirt, or, for a VM that runs nowhere, only in the store (as oVirt does for a VM that
    is down)."""
    vm = actions.store.get("vms", nic["vm"]["id"])
    actions.run(req, "plug" if plugged else "unplug", nic["id"],
                "interface '%s' of VM '%s'" % (nic["name"], vm["name"]))


class ActionFailed(Fault):
    """An action that ran and failed: answered as oVirt does, an <action> holding its
    status and a <fault>."""

    action = True


def action_failed(req, detail, key):
    return ActionFailed(falcon.HTTP_400, "Operation Failed", detail, key)


def send_action_result(req, resp, extra):
    t = dict(extra)
    t["status"] = "complete"
    resp.status = falcon.HTTP_200
    if wants_json(req):
        resp.content_type, resp.data = JSON, model.to_json(t)
    else:
        resp.content_type, resp.data = XML, model.to_xml("action", t)


# ---------------------------------------------------------------------------
# SSO: oVirt's token and logout endpoints, as the SDK calls them
# ---------------------------------------------------------------------------

def _form(req):
    data = req.bounded_stream.read(BODY_LIMIT + 1)
    if len(data) > BODY_LIMIT:
        return None
    try:
        return dict(urllib.parse.parse_qsl(data.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None


def _sso_json(resp, status, body):
    resp.status = status
    resp.content_type = JSON
    resp.data = json.dumps(body).encode()


class Token(Resource):
    def __init__(self, stores, ttl):
        super().__init__(stores)
        self.ttl = ttl

    def on_post(self, req, resp):
        form = _form(req) or {}
        for name, value in req.params.items():
            form.setdefault(name, value)
        user = form.get("username", "")
        if form.get("grant_type") != "password" or not user:
            _sso_json(resp, falcon.HTTP_400, {
                "error_code": "unsupported_grant_type",
                "error": "Only grant_type=password with a username is supported."})
            return
        auth_failed = sriovfo.AuthFailed
        try:
            info = self.store.login(user, form.get("password", ""), ttl=self.ttl)
        except auth_failed as e:
            status = falcon.HTTP_429 if e.key == "AUTH_RATE_LIMITED" else falcon.HTTP_400
            resp.set_header(KEY_HEADER, e.key)
            if e.key == "AUTH_RATE_LIMITED":
                resp.set_header("Retry-After", "60")
            _sso_json(resp, status, {"error_code": "access_denied",
                                     "error": "Cannot authenticate user '%s': %s" % (
                                         user, e.message)})
            return
        _sso_json(resp, falcon.HTTP_200, {
            "access_token": info["token"], "scope": form.get("scope", "ovirt-app-api"),
            "exp": str(int(info["expires_at"]) * 1000), "token_type": "bearer"})


class Logout(Resource):
    def on_post(self, req, resp):
        form = _form(req) or {}
        token = form.get("token") or req.get_param("token")
        if token:
            self.store.revoke_token(token)
        _sso_json(resp, falcon.HTTP_200, {})


# ---------------------------------------------------------------------------
# the application
# ---------------------------------------------------------------------------

def create_app(dsn=None, token_ttl=3600, actions=None):
    """The WSGI application over the store of @dsn (None: the embedded store); its tokens
    expire after @token_ttl seconds; @actions (ActionOptions) says how actions run."""
    stores = Stores(dsn)
    engine = Engine(stores)
    app = falcon.App(middleware=[engine], media_type=XML)
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_form_urlencoded = False

    def on_error(req, resp, ex, params):
        fault = fault_of(req, ex)
        if fault is None:
            if isinstance(ex, falcon.HTTPError):
                fault = Fault(ex.status, ex.title or "Error", ex.description or ex.title,
                              "REST_HTTP_ERROR")
            else:
                log.exception("defect while serving %s %s", req.method, req.path)
                fault = Fault(falcon.HTTP_500, "Internal Error", "Internal error: %s" % ex,
                              "REST_INTERNAL_ERROR")
        if isinstance(ex, sriovfo.DatabaseError):
            stores.drop()
        send_fault(req, resp, fault)

    app.add_error_handler(Exception, on_error)
    app.add_route(API, Root(stores))
    for kind in ("data_centers", "clusters", "networks", "hosts", "vms"):
        res = Collection(stores, kind)
        path = "%s/%s" % (API, model.KINDS[kind][0])
        app.add_route(path, res)
        app.add_route(path + "/{ident}", res, suffix="item")
    profiles = VnicProfiles(stores)
    app.add_route(API + "/vnicprofiles", profiles)
    app.add_route(API + "/vnicprofiles/{ident}", profiles, suffix="item")
    app.add_route(API + "/networks/{ident}/vnicprofiles", profiles, suffix="network")
    acts = Actions(stores, actions or ActionOptions())
    nics = Nics(stores, acts)
    app.add_route(API + "/vms/{ident}/nics", nics)
    app.add_route(API + "/vms/{ident}/nics/{nic}", nics, suffix="item")
    app.add_route(API + "/vms/{ident}/nics/{nic}/activate", acts, suffix="activate")
    app.add_route(API + "/vms/{ident}/nics/{nic}/deactivate", acts, suffix="deactivate")
    app.add_route(API + "/vms/{ident}/migrate", acts, suffix="migrate")
    app.add_route("/ovirt-engine/sso/oauth/token", Token(stores, token_ttl))
    app.add_route("/ovirt-engine/services/sso-logout", Logout(stores))
    ui.add_routes(app, stores.get, engine.authenticate, catalogs=i18n.catalogs())
    return app
