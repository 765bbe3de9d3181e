"""engine-sdk.py URL USER PASSWORD: an oVirt SDK script, unchanged from what one would run
against oVirt's engine, against sriovfo-engine serving examples/inventory.json: create a
failover vNIC profile, show the refusal of a bad one, clear the failover, remove it."""

import sys

import ovirtsdk4 as sdk
from ovirtsdk4 import types

url, user, password = sys.argv[1:4]
with sdk.Connection(url=url, username=user, password=password, insecure=True) as conn:
    system = conn.system_service()
    networks = {n.name: n for n in system.networks_service().list()}
    profiles = system.vnic_profiles_service()
    by_name = {(p.name, p.network.id): p for p in profiles.list()}
    standby = by_name[("virtio-failover", networks["vm-bridge"].id)]
    plain = by_name[("sriov-plain", networks["sriov-vf"].id)]

    def passthrough(name, failover):
        return types.VnicProfile(
            name=name, network=types.Network(id=networks["sriov-vf"].id),
            pass_through=types.VnicPassThrough(mode=types.VnicPassThroughMode.ENABLED),
            migratable=True, failover=types.VnicProfile(id=failover.id))

    created = profiles.add(passthrough("demo-failover", standby))
    print("created %s (%s): failover %s" % (created.name, created.id, created.failover.id))

    try:
        profiles.add(passthrough("demo-broken", plain))
        print("unexpected: a passthrough failover was accepted")
        sys.exit(1)
    except sdk.Error as e:
        print("refused (HTTP %s): %s" % (e.code, e.fault.detail))

    service = profiles.profile_service(created.id)
    cleared = service.update(types.VnicProfile(failover=types.VnicProfile()))
    print("cleared: %s now has failover %s" % (cleared.name, cleared.failover))
    service.remove()
    print("removed %s" % created.name)
