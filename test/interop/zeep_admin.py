#!/usr/bin/python3
"""
Interop check: drive ipcd's management service through python-zeep from its served WSDL alone,
with a WS-Security UsernameToken (PasswordText for one client, PasswordDigest for another).

zeep builds the envelopes and parses the replies strictly against the WSDL's schema, so a pass
means the management contract works for a generic document/literal client: nested and repeated
elements (tags, grants, merge's networks), big address counts, paging, the CSV, typed faults.

Prints one JSON object with what it observed; exits 0 when it ran to the end, 2 when it could
not run at all. The calling test checks the report.

Usage: zeep_admin.py WSDL_URL USERNAME PASSWORD
"""
import json
import sys
import traceback

import zeep
import zeep.exceptions
import zeep.helpers
from zeep.wsse.username import UsernameToken

NS = "http://ipcd.example.org/ns/management/v1"


def plain(x):
    return json.loads(json.dumps(zeep.helpers.serialize_object(x), default=str))


def fault_of(call):
    """The tns:IpcdFault code of a refused call, read from the fault detail with the WSDL's types."""
    try:
        call()
    except zeep.exceptions.Fault as f:
        detail = f.detail.find("{%s}IpcdFault" % NS) if f.detail is not None else None
        return detail.find("{%s}code" % NS).text if detail is not None else "no IpcdFault in detail"
    return "no fault"


def main():
    url, username, password = sys.argv[1:4]
    report = {}
    text = zeep.Client(url, wsse=UsernameToken(username, password))
    digest = zeep.Client(url, wsse=UsernameToken(username, password, use_digest=True))
    anonymous = zeep.Client(url)
    s = text.service

    s.AddDataCenter(name="zdc", description="zeep data center")
    s.AddTenant(name="zt")
    s.AddZone(name="zeep.test")
    tags = [{"key": "env", "value": "prod"}, {"key": "rack", "value": "r9"}]
    added = s.AddNetwork(name="z1", cidr="10.77.0.0/24", dataCenter="zdc", vlan=77, tenant="zt", zone="zeep.test", tag=tags)
    report["added"] = plain(added)
    report["v6"] = plain(s.AddNetwork(name="z6", cidr="2001:db8:77::/48", dataCenter="zdc", vlan=77, tenant="zt"))
    report["tagged"] = plain(s.TagNetwork(network="z1", set=[{"key": "owner", "value": "ops"}], remove=["rack"]))
    report["reservation"] = plain(s.ReserveRange(network="z1", first="10.77.0.10", last="10.77.0.19", note="lb"))
    report["split"] = plain(s.SplitNetwork(network="z1", prefixLength=25))
    report["merged"] = plain(s.MergeNetworks(network=["z1-1", "z1-2"], name="z1"))
    report["mergeRefused"] = fault_of(lambda: s.MergeNetworks(network=["z1", "z6"]))
    pages, after = [], None
    while True:
        page = s.SearchNetworks(dataCenter="zdc", pageSize=1, after=after)
        pages.append([n["name"] for n in (page["network"] or [])])
        after = page["nextPage"]
        if not after:
            break
    report["pages"] = pages
    report["utilization"] = plain(s.TenantUtilization())
    report["addUser"] = plain(s.AddUser(username="zorch", password="zeep-orchestrator-1", role="orchestrator",
                                        grant=[{"dataCenter": "zdc"}, {"dataCenter": "zdc", "tenant": "zt"}]))
    report["users"] = plain(digest.service.ListUsers())
    report["audit"] = [e["operation"] for e in (digest.service.QueryAudit(objectType="network", pageSize=1000)["entry"] or [])]
    usage = s.TenantUsage(**{"from": "2026-01-01", "to": "2026-01-02"})
    report["csv"] = usage["csv"]
    report["anonymous"] = fault_of(lambda: anonymous.service.ListZones())
    report["removeInUse"] = fault_of(lambda: s.RemoveTenant(name="zt"))
    print(json.dumps(report))


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(2)
