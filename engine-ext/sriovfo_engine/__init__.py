"""sriovfo_engine: the REST API of sriov-failover in the oVirt dialect (docs/rest.md).

create_app(dsn) is the WSGI application (Falcon) over sriovfo.Store; main() is the
sriovfo-engine command, which serves it with gunicorn.
"""

__version__ = "0.1.0"


def create_app(dsn=None, token_ttl=3600):
    from .app import create_app as create

    return create(dsn, token_ttl)
