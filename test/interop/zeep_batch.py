#!/usr/bin/python3
"""
Interop check: CommissionIPBatch and DecommissionIPBatch through python-zeep, from the served
WSDL alone (strict schema parsing, as zeep_lifecycle.py).

Runs: a batch of three (two on the VLAN, one on an unknown VLAN) -> the same batch again (the
same allocations, existing) -> an atomic batch refused at its second item (nothing written) ->
DecommissionIPBatch of the two by serverInstance. Each result is read the way zeep types it:
item, and either CommissionIPResponse / DecommissionIPResponse or IpcdFault.

Prints one JSON object; exits 0 when everything matched, 1 on a mismatch, 2 when the WSDL did
not load. Usage: zeep_batch.py WSDL_URL [--data-center dc1] [--vlan 100] [--unknown-vlan 999]
                                 [--instance PREFIX]
"""
import argparse
import json
import sys
import traceback

import zeep
import zeep.helpers


def plain(obj):
    return json.loads(json.dumps(zeep.helpers.serialize_object(obj, target_cls=dict), default=str))


def outcome(result, response):
    """('ok', typed response) or (fault code, message) for one typed batch result."""
    ok = getattr(result, response, None)
    if ok is not None:
        return "ok", ok
    return result.IpcdFault.code, result.IpcdFault.message


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("wsdl_url")
    p.add_argument("--data-center", default="dc1")
    p.add_argument("--vlan", type=int, default=100)
    p.add_argument("--unknown-vlan", type=int, default=999)
    p.add_argument("--instance", default="zeep-batch")
    a = p.parse_args()
    observed, mismatches = {"zeep": zeep.__version__}, []

    def equal(actual, expected, what):
        if actual != expected:
            mismatches.append(f"{what}: expected {expected!r}, got {actual!r}")

    try:
        transport = zeep.Transport(timeout=30, operation_timeout=30)
        transport.session.trust_env = False
        client = zeep.Client(a.wsdl_url, transport=transport, settings=zeep.Settings(strict=True))
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"ok": False, "mismatches": [f"the WSDL did not load: {type(e).__name__}: {e}"]}))
        return 2
    svc = client.service
    dc, vlan, prefix = a.data_center, a.vlan, a.instance
    items = [
        {"dataCenter": dc, "vlan": vlan, "serverInstance": f"{prefix}-1", "wantName": True},
        {"dataCenter": dc, "vlan": vlan, "serverInstance": f"{prefix}-2"},
        {"dataCenter": dc, "vlan": a.unknown_vlan, "serverInstance": f"{prefix}-3"},
    ]
    try:
        first = svc.CommissionIPBatch(CommissionIP=items)
        observed["first"] = plain(first)
        equal((first.succeeded, first.failed, first.failedItem), (2, 1, None), "first: succeeded, failed, failedItem")
        equal([r.item for r in first.result], [1, 2, 3], "first: item positions")
        got = [outcome(r, "CommissionIPResponse") for r in first.result]
        equal([g[0] for g in got], ["ok", "ok", "UNKNOWN_VLAN"], "first: outcomes")
        one, two = got[0][1], got[1][1]
        equal(one.fqdn, f"{one.name}.{one.zone}", "first: item 1 fqdn")
        equal((one.existing, two.existing), (False, False), "first: existing")

        again = svc.CommissionIPBatch(CommissionIP=items)
        observed["again"] = plain(again)
        got = [outcome(r, "CommissionIPResponse") for r in again.result]
        equal([(g[1].allocationId, g[1].address, g[1].existing) for g in got[:2]],
              [(one.allocationId, one.address, True), (two.allocationId, two.address, True)], "again: the same allocations, existing")

        atomic = svc.CommissionIPBatch(atomic=True, CommissionIP=[
            {"dataCenter": dc, "vlan": vlan, "serverInstance": f"{prefix}-4"},
            {"dataCenter": dc, "vlan": a.unknown_vlan, "serverInstance": f"{prefix}-5"},
        ])
        observed["atomic"] = plain(atomic)
        equal((atomic.succeeded, atomic.failed, atomic.failedItem), (0, 2, 2), "atomic: succeeded, failed, failedItem")
        equal([outcome(r, "CommissionIPResponse")[0] for r in atomic.result], ["BATCH_ABORTED", "UNKNOWN_VLAN"], "atomic: outcomes")

        gone = svc.DecommissionIPBatch(DecommissionIP=[
            {"dataCenter": dc, "vlan": vlan, "serverInstance": f"{prefix}-1"},
            {"dataCenter": dc, "vlan": vlan, "allocationId": two.allocationId},
        ])
        observed["released"] = plain(gone)
        got = [outcome(r, "DecommissionIPResponse") for r in gone.result]
        equal([g[0] for g in got], ["ok", "ok"], "release: outcomes")
        equal([[(x.allocationId, x.address) for x in g[1].released] for g in got],
              [[(one.allocationId, one.address)], [(two.allocationId, two.address)]], "release: released allocations")
    except Exception as e:  # noqa: BLE001
        mismatches.append(f"unexpected {type(e).__name__}: {e}")
        observed["traceback"] = traceback.format_exc()
    print(json.dumps({**observed, "ok": not mismatches, "mismatches": mismatches}, indent=2))
    return 0 if not mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
