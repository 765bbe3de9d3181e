"""sriovfo_engine.runner: actions run in processes of their own (docs/rest.md "Actions").

A plan's libvirt calls take seconds (a guest's unplug, a migration) inside one call of the C
library, which holds Python's interpreter lock while it runs. Run on a request thread, it would
stop every other thread of the worker: its reads, and the heartbeat by which gunicorn's master
tells a busy worker from a hung one (which it kills after --timeout). So each worker hands
actions to a pool of processes of its own (started with "spawn", not forked from a threaded
worker); the request thread waits on the answer, which releases the lock, and the worker goes
on serving. Each pool process keeps one store connection.

Only plain data crosses the pipe: the ExecResult's JSON, or an exception as (class name, key,
message, violations JSON), which the worker raises again as the same sriovfo exception class.
"""

import concurrent.futures
import json
import multiprocessing
import os
import threading

_store = None


class Raised(Exception):
    """A sriovfo.Error of the pool process, re-raised in the worker: .kind (the class name),
    .key, .message, .violations (the library's JSON violations of severity error)."""

    def __init__(self, kind, key, message, violations):
        super().__init__(message)
        self.kind = kind
        self.key = key
        self.message = message
        self.violations = violations


def _child_store(dsn):
    global _store
    import sriovfo.store

    if _store is None:
        _store = sriovfo.store.Store(dsn)
    return _store


def apply(dsn, action, subject, host, options):
    """In a pool process: Store.apply(); returns {"status", "error_key", "error_message",
    "result" (the ExecResult's JSON)} or {"raised": (kind, key, message, violations)}."""
    global _store
    import sriovfo

    try:
        store = _child_store(dsn)
        result = store.apply(action, subject, host, **options)
        return {"status": result.status, "error_key": result.error_key,
                "error_message": result.error_message, "result": result.to_json()}
    except sriovfo.Error as e:
        violations = []
        if hasattr(getattr(e, "violations", None), "to_json"):
            violations = [v for v in json.loads(e.violations.to_json())["violations"]
                          if v["severity"] == "error"]
        if isinstance(e, sriovfo.DatabaseError) and _store is not None:
            _store.close()
            _store = None
        return {"raised": (type(e).__name__, e.key, e.message, violations)}


def reconcile(dsn):
    """In a pool process: Store.reconcile(); the ExecResult's JSON."""
    return _child_store(dsn).reconcile().to_json()


class Pool:
    """The action processes of one engine worker, started on first use (after gunicorn's
    fork), at most @size at once."""

    def __init__(self, dsn, size):
        self.dsn = dsn
        self.size = size
        self.lock = threading.Lock()
        self.pool = None
        self.pid = None

    def _executor(self):
        with self.lock:
            if self.pool is None or self.pid != os.getpid():
                self.pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self.size, mp_context=multiprocessing.get_context("spawn"))
                self.pid = os.getpid()
            return self.pool

    def _broken(self, pool):
        with self.lock:
            if self.pool is pool:
                self.pool = None
        pool.shutdown(wait=False)

    def call(self, fn, *args):
        """fn(*args) in a pool process; BrokenProcessPool when that process died (the pool
        is started anew on the next call)."""
        pool = self._executor()
        try:
            return pool.submit(fn, *args).result()
        except concurrent.futures.process.BrokenProcessPool:
            self._broken(pool)
            raise

    def apply(self, action, subject, host, options):
        return self.call(apply, self.dsn, action, subject, host, options)

    def reconcile(self):
        return self.call(reconcile, self.dsn)
