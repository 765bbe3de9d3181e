"""Plan and Exec from Python: the order of the steps, refusals, errors, and a run against
libvirt's test driver (it has no hot plug, so the run that needs one must fail and undo)."""

import json

import pytest

import conftest
import sriovfo


@pytest.fixture
def inv():
    with sriovfo.Inventory.load(conftest.data_path("exec", "inventory.json")) as inventory:
        yield inventory


def ops(plan_json, part="steps"):
    return [(s["op"], s.get("device")) for s in json.loads(plan_json)[part]]


def test_plug_puts_the_standby_before_the_vf(inv):
    plan = inv.plan("plug", "n-plug")
    assert not plan.refused
    assert len(plan) == 2 and plan.undo_count == 4
    assert ops(plan.to_json()) == [("attach", "standby"), ("attach", "vf")]
    # undone in reverse: the VF goes first, and each removal is waited for
    assert ops(plan.to_json(), "undo") == [("detach", "vf"), ("wait-removed", "vf"),
                                           ("detach", "standby"), ("wait-removed", "standby")]


def test_unplug_removes_the_vf_first_and_waits(inv):
    steps = ops(inv.plan("unplug", "n-plug").to_json())
    assert steps[0] == ("detach", "vf")
    assert steps[1][0] == "wait-removed"
    assert steps[-1][0] in ("wait-removed", "detach") and ("detach", "standby") in steps
    assert steps.index(("detach", "standby")) > 1


def test_migration_to_the_same_host_is_refused(inv):
    plan = inv.plan("migrate", "vm-plug", host_id="h1")
    assert plan.refused
    assert len(plan) == 0
    assert "ACTION_TYPE_FAILED_MIGRATION_TO_SAME_HOST" in [v.key for v in plan.violations]
    assert not plan.violations.ok


def test_violations_outlive_their_plan(inv):
    violations = inv.plan("migrate", "vm-plug", host_id="h1").violations
    # the plan object is gone; the list keeps it alive
    assert violations.error_count >= 1
    assert json.loads(violations.to_json())["violations"]


def test_unknown_nic_is_not_found(inv):
    with pytest.raises(sriovfo.NotFound) as e:
        inv.plan("plug", "no-such-nic")
    assert isinstance(e.value, KeyError)
    assert e.value.key == "NIC_NOT_FOUND"


def test_unknown_action_is_invalid(inv):
    with pytest.raises(sriovfo.InvalidInput):
        inv.plan("teleport", "n-plug")
    assert sriovfo.plan_action_to_string(sriovfo.plan_action_from_string("unplug")) == "unplug"
    assert "migrate" in sriovfo.PLAN_ACTIONS


def test_exec_against_a_driver_without_hot_plug_undoes(inv, tmp_path):
    """libvirt's test driver has no domain exec-plug: the first step fails, nothing is left
    half done, and the reason has a stable key."""
    plan = inv.plan("plug", "n-plug", emulated=True)
    with sriovfo.Exec("test:///default", journal=tmp_path / "journal.jsonl") as ex:
        result = ex.run(plan)
    assert result.status == "undone"
    assert result.error_key == "VM_DOMAIN_NOT_FOUND"
    assert "exec-plug" in result.error_message
    assert json.loads(result.to_json())["status"] == "undone"
    assert "exec-plug" in result.to_text()
    assert (tmp_path / "journal.jsonl").exists()


def test_exec_of_an_unreachable_host_raises():
    with pytest.raises(sriovfo.Error) as e:
        sriovfo.Exec("qemu+unix:///system?socket=/nonexistent/libvirt-sock")
    assert e.value.key == "HOST_CONNECTION_FAILED"
