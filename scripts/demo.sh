#!/bin/sh
# demo.sh: the README's "run" command: install what is missing, build, run the demo over
# examples/ (check the inventory, print the libvirt XML of a VM with a failover pair and the
# host's libvirt networks, show a rule violation with its message; then import the inventory
# into the embedded PostgreSQL store, show the same violation refused by it, export; then serve
# that store with the REST engine and run an oVirt SDK script against it: create a failover
# profile, show a refusal, clear the failover).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
sh scripts/build.sh build >/dev/null
sh examples/demo.sh "$PWD/build/cli/sriovfo" "$PWD/examples"
exec sh examples/engine-demo.sh "$PWD" "$PWD/build"
