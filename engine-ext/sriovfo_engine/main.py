"""sriovfo_engine.main: the sriovfo-engine command (docs/rest.md).

Opens the store once (the embedded store is created, started and upgraded as the sriovfo
command does it; a --dsn database must have a current schema), makes sure an administrator
exists (admin@internal, password from $SRIOVFO_ADMIN_PASSWORD or generated and printed once),
finishes or undoes the sequences a crash left open (Store.reconcile), closes it, then serves
the application with gunicorn's pre-fork server and threaded workers (gthread): each worker
thread opens its own store connection on its first request, and an action (activate,
deactivate, migrate) holds one thread while the worker's other threads go on serving.
"""

import argparse
import os
import sys

import gunicorn.app.base


class _Server(gunicorn.app.base.BaseApplication):
    def __init__(self, options, dsn, token_ttl, actions):
        self.options = options
        self.dsn = dsn
        self.token_ttl = token_ttl
        self.actions = actions
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self):
        from .app import create_app

        return create_app(self.dsn, self.token_ttl, self.actions)


def default_workers():
    """Two workers per CPU, at most 8: while one waits on PostgreSQL the other uses the CPU
    (docs/benchmarks.md, bench-engine)."""
    return min(2 * (os.cpu_count() or 1), 8)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="sriovfo-engine",
        description="Serve the sriov-failover REST API (oVirt dialect) over the store.")
    p.add_argument("--bind", default="127.0.0.1:8080",
                   help="address:port to listen on (default 127.0.0.1:8080)")
    p.add_argument("--workers", type=int, default=default_workers(),
                   help="worker processes (default two per CPU, at most 8: %(default)s)")
    p.add_argument("--dsn", default=os.environ.get("SRIOVFO_DSN") or None,
                   help="the store's libpq connection string (default $SRIOVFO_DSN, else "
                   "the embedded store)")
    p.add_argument("--certfile", help="TLS certificate (PEM); HTTPS with --keyfile")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    p.add_argument("--token-ttl", type=int, default=3600, metavar="SECONDS",
                   help="lifetime of an SSO token (default 3600)")
    p.add_argument("--threads", type=int, default=8,
                   help="request threads per worker (default 8: gunicorn's gthread workers, "
                   "each thread with its own store connection); a worker runs at most one "
                   "action fewer than its threads at once; 1: gunicorn's sync workers, which "
                   "serve reads and writes but run no actions")
    p.add_argument("--timeout", type=int, default=30,
                   help="a worker that stops answering its master this long is restarted")
    p.add_argument("--unplug-timeout", type=float, default=None, metavar="SECONDS",
                   help="how long an unplug waits for the guest (default: the library's)")
    p.add_argument("--migration-uri", default=None, metavar="URI",
                   help="QEMU's migration stream URI, e.g. tcp://10.0.0.2 (default: libvirt's "
                   "choice)")
    p.add_argument("--emulated", action="store_true",
                   help="stand an emulated e1000e in for each VF (test labs without SR-IOV)")
    p.add_argument("--no-reconcile", action="store_true",
                   help="do not finish or undo open sequences at start-up")
    p.add_argument("--access-log", default=None, help="access log file ('-': stderr)")
    args = p.parse_args(argv)
    if bool(args.certfile) != bool(args.keyfile):
        p.error("--certfile and --keyfile go together")
    if args.workers < 1:
        p.error("--workers must be at least 1")
    if args.threads < 1:
        p.error("--threads must be at least 1")
    if args.token_ttl < 1:
        p.error("--token-ttl must be at least 1")
    return args


def reconcile(store):
    """Finishes or undoes the sequences of the store's journal that a crash left open (those
    another live engine runs are skipped) and says what became of them. False when one stays
    open (the engine serves anyway: its VM refuses actions until a reconcile ends it)."""
    import json

    import sriovfo

    try:
        result = store.reconcile()
    except sriovfo.Error as e:
        print("sriovfo-engine: reconcile: %s (%s)" % (e.message, e.key), file=sys.stderr,
              flush=True)
        return False
    doc = json.loads(result.to_json())
    if not doc.get("sequence"):
        print("sriovfo-engine: reconcile: no open sequence", flush=True)
    else:
        print("sriovfo-engine: reconcile: %s (%d steps run forward, %d undo steps; first "
              "sequence %s)" % (result.status, len(doc.get("steps", [])),
                                len(doc.get("undone", [])), doc["sequence"]), flush=True)
    if result.status not in ("completed", "undone"):
        print("sriovfo-engine: reconcile: %s: %s (%s)" % (result.status, result.error_message,
                                                        result.error_key),
              file=sys.stderr, flush=True)
        return False
    return True


def prepare_store(dsn, do_reconcile=True):
    """Opens the store once before the workers start; creates the administrator, reconciles
    open sequences."""
    import sriovfo
    import sriovfo.store

    try:
        with sriovfo.store.Store(dsn) as store:
            password = store.ensure_admin(os.environ.get("SRIOVFO_ADMIN_PASSWORD") or None)
            if do_reconcile:
                reconcile(store)
    except sriovfo.Error as e:
        print("sriovfo-engine: %s (%s)" % (e.message, e.key), file=sys.stderr)
        return False
    if password:
        print("sriovfo-engine: created user admin@internal with password %s "
              "(shown only this once; change it with `sriovfo user passwd`)" % password,
              flush=True)
    return True


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not prepare_store(args.dsn, not args.no_reconcile):
        return 1
    from .app import ActionOptions

    # an action holds its request thread until it ends: a sync worker (--threads 1) would stop
    # answering its master meanwhile, so it runs none (docs/rest.md, "Long actions")
    actions = ActionOptions(emulated=args.emulated, unplug_timeout=args.unplug_timeout,
                            migration_uri=args.migration_uri, slots=args.threads - 1)
    options = {
        "bind": args.bind,
        "workers": args.workers,
        "worker_class": "gthread" if args.threads > 1 else "sync",
        "threads": args.threads,
        "timeout": args.timeout,
        "certfile": args.certfile,
        "keyfile": args.keyfile,
        "accesslog": args.access_log,
        "proc_name": "sriovfo-engine",
        "limit_request_line": 8190,
    }
    _Server(options, args.dsn, args.token_ttl, actions).run()
    return 0
