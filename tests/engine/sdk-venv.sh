#!/bin/sh
# sdk-venv.sh: prints the Python of a virtual environment holding the official oVirt
# Python SDK (ovirt-engine-sdk-python 4.6.x, from PyPI), creating it on first use.
#
# The engine's tests drive the REST API with the unchanged SDK; its 4.6 releases are source
# only and build a C extension against libxml2 (build-essential, python3-dev, libxml2-dev,
# which scripts/install-deps.sh installs); pycurl comes as a wheel. The environment sees the
# system's packages (Falcon, gunicorn, lxml, pytest, javaproperties from Debian) and is kept
# in $SFO_SDK_VENV (default: ~/.cache/sriov-failover/ovirt-sdk-4.6-pyX.Y), so make check,
# make distcheck and scripts/demo.sh build it once. Exit status 77 when it cannot be built
# (no network to PyPI): the tests that need it are then skipped, and say why.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
: "${PYTHON:=python3}"
pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || exit 99
venv=${SFO_SDK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/sriov-failover/ovirt-sdk-4.6-py$pyver}
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import ovirtsdk4, ovirtsdk4.xml' 2>/dev/null; then
    echo "$venv/bin/python"
    exit 0
fi
mkdir -p "$(dirname "$venv")" || exit 77
# one builder at a time (make -j runs several test files)
exec 9>"$venv.lock"
flock 9
if ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import ovirtsdk4.xml' 2>/dev/null; }; then
    rm -rf "$venv"
    log=$venv.log
    if ! { "$PYTHON" -m venv --system-site-packages "$venv" &&
           "$venv/bin/pip" install --disable-pip-version-check -q \
               'ovirt-engine-sdk-python>=4.6,<4.7' 'pycurl>=7.45'; } >"$log" 2>&1; then
        echo "sdk-venv: could not build the oVirt SDK's environment in $venv (see $log)" >&2
        rm -rf "$venv"
        exit 77
    fi
fi
echo "$venv/bin/python"
