#!/bin/sh
# install-deps.sh: installs the Debian 12 packages sriov-failover needs to build and test.
#
# Only missing packages are installed; as root (or through sudo when not root). Run by
# scripts/demo.sh and scripts/test.sh, so the README's two commands work on a fresh machine.
set -eu

# clang and libclang-rt-14-dev (libFuzzer) are for scripts/fuzz.sh (docs/fuzzing.md).
# The store's lines (docs/store.md): libpq to build, the server programs (initdb, pg_ctl, in
# /usr/lib/postgresql/15/bin) for the embedded store and its tests, pg_dump; libcrypt. The next
# line is the REST engine's (docs/rest.md): Falcon, gunicorn, lxml, javaproperties, and what
# building the oVirt SDK's C extension in a virtual environment takes; wrk for bench-engine.
# The last is the admin page's browser tests (make check-browser, docs/ui.md): chromium,
# chromium-driver, python3-selenium. python3-werkzeug: sriovfo.catalog picks the catalogue of
# an Accept-Language header (docs/ui-strings.md). python3-pyflakes: make check's check of
# every Python file (build-aux/check-python.sh).
PACKAGES="
autoconf automake libtool pkg-config make gcc g++ gawk
libglib2.0-dev libxml2-dev libjson-c-dev libvirt-dev libcmocka-dev
libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 libxml2-utils
valgrind clang-format clang libclang-rt-14-dev
swig python3-dev python3-pytest python3-werkzeug python3-pyflakes
busybox-static cpio
iproute2 gnuplot-nox
postgresql postgresql-client libpq-dev
libcrypt-dev
python3-falcon python3-gunicorn python3-lxml python3-javaproperties python3-venv build-essential wrk
chromium chromium-driver python3-selenium
"

# libvirt's qemu driver, when privileged (root), resolves its default user and group
# "libvirt-qemu" even when qemu.conf names another; Debian creates them in the postinst of
# libvirt-daemon-system, which would also pull in systemd, dnsmasq and iptables. The tests only
# use the in-process driver (qemu:///embed), so create the two system accounts the same way.
ensure_libvirt_qemu_account() {
    getent group libvirt-qemu >/dev/null 2>&1 || $SUDO groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null 2>&1 ||
        $SUDO useradd --system --gid libvirt-qemu --no-create-home \
            --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu
}

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
else
    SUDO=false
fi

missing=
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    if [ "$SUDO" = false ]; then
        echo "install-deps: not root and no sudo; install these Debian packages:$missing" >&2
        exit 1
    fi
    echo "install-deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
if [ "$(id -u)" -eq 0 ] || [ "$SUDO" = sudo ]; then
    ensure_libvirt_qemu_account
fi

# The admin page's npm packages (engine-ext/ui/package-lock.json: PatternFly, served by the
# engine, and axe-core for the browser tests) into engine-ext/ui/node_modules, when missing or
# older than the lock file. npm comes with Node.js; Debian's npm package when there is none.
ui=$(cd "$(dirname "$0")/.." && pwd)/engine-ext/ui
if ! command -v npm >/dev/null 2>&1; then
    if [ "$SUDO" = false ]; then
        echo "install-deps: not root and no sudo; install Debian's npm" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends npm
fi
if [ ! -f "$ui/node_modules/.package-lock.json" ] ||
    [ "$ui/package-lock.json" -nt "$ui/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in engine-ext/ui"
    (cd "$ui" && npm ci --no-audit --no-fund --ignore-scripts)
fi
