"""sriovfo_engine.main: the sriovfo-engine command (docs/rest.md).

Opens the store once (the embedded store is created, started and upgraded as the sriovfo
command does it; a --dsn database must have a current schema), makes sure an administrator
exists (admin@internal, password from $SRIOVFO_ADMIN_PASSWORD or generated and printed once),
closes it, then serves the application with gunicorn's pre-fork server: each worker opens
its own store connection on its first request.
"""

import argparse
import os
import sys

import gunicorn.app.base


class _Server(gunicorn.app.base.BaseApplication):
    def __init__(self, options, dsn, token_ttl):
        self.options = options
        self.dsn = dsn
        self.token_ttl = token_ttl
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self):
        from .app import create_app

        return create_app(self.dsn, self.token_ttl)


def default_workers():
    """Two sync workers per CPU, at most 8: while one waits on PostgreSQL the other uses the
    CPU (docs/benchmarks.md, bench-engine); each holds a connection of the database's."""
    return min(2 * (os.cpu_count() or 1), 8)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="sriovfo-engine",
        description="Serve the sriov-failover REST API (oVirt dialect) over the store.")
    p.add_argument("--bind", default="127.0.0.1:8080",
                   help="address:port to listen on (default 127.0.0.1:8080)")
    p.add_argument("--workers", type=int, default=default_workers(),
                   help="worker processes (default two per CPU, at most 8: %(default)s)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads per worker (default 1: gunicorn's sync workers; more: its "
                   "gthread workers, each thread with its own store connection)")
    p.add_argument("--dsn", default=os.environ.get("SRIOVFO_DSN") or None,
                   help="the store's libpq connection string (default $SRIOVFO_DSN, else "
                   "the embedded store)")
    p.add_argument("--certfile", help="TLS certificate (PEM); HTTPS with --keyfile")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    p.add_argument("--token-ttl", type=int, default=3600, metavar="SECONDS",
                   help="lifetime of an SSO token (default 3600)")
    p.add_argument("--timeout", type=int, default=30, help="worker timeout in seconds")
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


def prepare_store(dsn):
    """Opens the store once before the workers start; creates the administrator."""
    import sriovfo
    import sriovfo.store

    try:
        with sriovfo.store.Store(dsn) as store:
            password = store.ensure_admin(os.environ.get("SRIOVFO_ADMIN_PASSWORD") or None)
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
    if not prepare_store(args.dsn):
        return 1
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
    _Server(options, args.dsn, args.token_ttl).run()
    return 0
