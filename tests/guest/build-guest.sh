#!/bin/sh
# build-guest.sh OUTDIR: a tiny Linux guest for the integration tests, built once per build tree
#
# OUTDIR/vmlinuz  Debian's kernel (the linux-image-amd64 it depends on), fetched with
#                 `apt-get download` and unpacked with dpkg-deb, never installed
# OUTDIR/initrd.img  a busybox-static initramfs with the kernel's virtio, failover,
#                 net_failover and e1000e modules and tests/guest/init as /init
#
# The guest boots in about 10 s under TCG, pairs a virtio standby with an e1000e of the same MAC
# through net_failover, acknowledges PCIe hot unplug (ACPI), and prints its failover state on
# the serial console (see init). Nothing is rebuilt when both files exist.
# Exit status: 0 built (or present), 77 when the kernel cannot be fetched (no network or apt).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

out=${1:?usage: build-guest.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] && [ "$out/initrd.img" -nt "$here/init" ]; then
    exit 0
fi
for tool in apt-get apt-cache dpkg-deb cpio gzip; do
    command -v "$tool" > /dev/null 2>&1 || { echo "build-guest: $tool is missing" >&2; exit 77; }
done
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
    busybox=/bin/busybox
fi
[ -x "$busybox" ] || { echo "build-guest: busybox-static is missing" >&2; exit 77; }

tmp=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# the kernel package linux-image-amd64 currently depends on
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || { echo "build-guest: no linux-image-amd64 in the apt cache" >&2; exit 77; }
# as root apt warns that its sandbox user cannot write here; the download still works
if ! (cd "$tmp" && apt-get download -q "$pkg" > "$tmp/apt.log" 2>&1); then
    cat "$tmp/apt.log" >&2
    echo "build-guest: cannot download $pkg" >&2
    exit 77
fi
dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/pkg"
kver=$(ls "$tmp/pkg/lib/modules")
cp "$tmp/pkg/boot/vmlinuz-$kver" "$tmp/vmlinuz"

root=$tmp/initramfs
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
for m in failover net_failover virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
    virtio_pci virtio_net e1000e; do
    f=$(find "$tmp/pkg/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
    [ -n "$f" ] || { echo "build-guest: module $m not in $pkg" >&2; exit 1; }
    case $f in
    *.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/$m.ko" ;;
    esac
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$tmp/initrd.img"
mv "$tmp/vmlinuz" "$out/vmlinuz"
mv "$tmp/initrd.img" "$out/initrd.img"
echo "build-guest: $pkg ($kver) in $out"
