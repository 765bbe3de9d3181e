#!/bin/sh
# second-host.sh DIR: a second libvirt host on this machine, for the migration test
#
# Becomes (exec) libvirtd, as root, in a private mount namespace where /etc/libvirt,
# /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt are directories under
# DIR: the daemon starts with no domain, network or filter of the host's, writes nothing outside
# DIR (its pid file is DIR/libvirtd.pid: the default /run/libvirtd.pid would keep another such
# host, or the machine's own libvirtd, from starting), and has a host UUID of its own (libvirt
# refuses to migrate to the same host). Several can run at once in different DIRs. Its socket
# is DIR/sock/libvirt-sock; stop it by killing this process (its pid is libvirtd's). Destroy its
# domains first: QEMU outlives libvirtd.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
dir=${1:?usage: second-host.sh DIR}
mkdir -p "$dir/etc" "$dir/lib" "$dir/cache" "$dir/log" "$dir/sock" "$dir/run"
cat > "$dir/etc/libvirtd.conf" <<CONF
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
unix_sock_dir = "$dir/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
CONF
cat > "$dir/etc/qemu.conf" <<CONF
stdio_handler = "file"
cgroup_controllers = [ ]
user = "root"
group = "root"
remember_owner = 0
namespaces = [ ]
CONF
export SFO_SECOND_HOST=$dir
# shellcheck disable=SC2016
exec unshare --mount --propagation private sh -c '
    set -eu
    d=$SFO_SECOND_HOST
    for pair in run:/run/libvirt etc:/etc/libvirt lib:/var/lib/libvirt cache:/var/cache/libvirt \
        log:/var/log/libvirt; do
        mkdir -p "${pair#*:}"
        mount --bind "$d/${pair%%:*}" "${pair#*:}"
    done
    exec /usr/sbin/libvirtd --pid-file "$d/libvirtd.pid"
'
