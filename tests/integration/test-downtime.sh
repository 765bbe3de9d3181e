#!/bin/sh
# test-downtime.sh: the downtime benchmark's short version, for `make check-integration`
#
# Two live migrations with the failover pair and two with a virtio NIC alone, in the benchmark's
# network namespace (bench/downtime/downtime.py, docs/downtime.md "The test"); fails when the
# failover mode breaks the bounds justified there: no more lost before the VF's re-plug than
# QEMU's own switchover costs the virtio NIC in the same run, plus half a second; the VF carries
# traffic again; the VF is plugged within a second of the guest's resume on the destination.
# The VF is stood in for by an emulated e1000e (no SR-IOV here). Skips without root, libvirtd,
# gnuplot or the guest (`make check-integration` builds it).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
b=${abs_top_builddir:-.}
s=${abs_top_srcdir:-.}
echo "1..1"
out=$(${PYTHON:-python3} "$s/bench/downtime/downtime.py" --runs 2 --modes failover,virtio \
    --guest "$b/tests/guest" --sriovfo "$b/cli/sriovfo" --probe "$b/bench/downtime/probe" \
    --second-host "$s/tests/integration/second-host.sh" --work "$b/tests/integration/downtime" \
    --check 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
case $rc in
0) echo "ok 1 - failover: the standby carries the traffic while the VF is away" ;;
77) echo "ok 1 # SKIP $(echo "$out" | sed -n 's/^bench-downtime: //p' | head -n 1)" ;;
*) echo "not ok 1 - failover: the standby carries the traffic while the VF is away" ;;
esac
