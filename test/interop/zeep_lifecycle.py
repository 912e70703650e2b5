#!/usr/bin/python3
"""
Interop check: drive ipcd through python-zeep, a SOAP client nobody on the project wrote.

zeep reads only the WSDL the server serves, builds its own envelopes and parses the replies
strictly against the WSDL's schema (an element out of order or in the wrong namespace is an
error), so a pass means the contract works for a generic document/literal client.

Runs: CommissionIP (wantName=true) -> NameOnly -> DecommissionIP by address (address and name
released) -> DecommissionIP of the NameOnly name -> optionally an IPv6 CommissionIP released by
serverInstance; then provokes faults and checks each arrives as zeep.exceptions.Fault whose
detail holds a tns:IpcdFault that zeep can type with the WSDL's own element declaration.

Prints one JSON object with what it observed; exits 0 when everything matched, 1 on any
mismatch, 2 when it could not run at all (e.g. the WSDL did not load).

Usage: zeep_lifecycle.py WSDL_URL [--data-center dc1] [--vlan 100] [--unknown-vlan 999]
                                  [--ambiguous-vlan 100] [--ipv6] [--instance PREFIX] [--port PORT]
--port binds zeep to that wsdl:port of IpcdService (IpcdSoap12Port: SOAP 1.2); default: zeep's
first port, the SOAP 1.1 one.
Stdlib and zeep (with its own dependencies) only.
"""
import argparse
import json
import sys
import traceback

import zeep
import zeep.exceptions
import zeep.helpers
from zeep.wsdl.bindings.soap import Soap12Binding

NS = "http://ipcd.example.org/ns/commissioning/v1"
FAULT_CODES = {
    "INVALID_REQUEST", "UNKNOWN_DATA_CENTER", "UNKNOWN_VLAN", "AMBIGUOUS_VLAN", "NO_FREE_ADDRESS",
    "NO_ZONE", "NAME_EXHAUSTED", "NOT_FOUND", "CONFLICT", "UNSUPPORTED_OPERATION",
    "REQUEST_TOO_LARGE", "BUSY", "UNAVAILABLE", "INTERNAL",
}


class Run:
    def __init__(self):
        self.observed = {}
        self.mismatches = []

    def check(self, ok, what):
        if not ok:
            self.mismatches.append(what)
        return ok

    def equal(self, actual, expected, what):
        return self.check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def plain(obj):
    """A zeep response object as JSON-able data."""
    return json.loads(json.dumps(zeep.helpers.serialize_object(obj, target_cls=dict), default=str))


def expect_fault(run, client, label, expected_code, call):
    """Calls `call`; it must raise a zeep Fault carrying tns:IpcdFault with expected_code."""
    seen = {"expected": expected_code}
    run.observed.setdefault("faults", {})[label] = seen
    try:
        result = call()
    except zeep.exceptions.Fault as fault:
        seen["faultcode"] = fault.code
        seen["faultstring"] = fault.message
        detail = fault.detail
        if not run.check(detail is not None, f"{label}: the fault has no <detail>"):
            return seen
        found = detail.findall(f"{{{NS}}}IpcdFault")
        seen["detailChildren"] = [child.tag for child in detail]
        if not run.equal(len(found), 1, f"{label}: tns:IpcdFault elements in the fault detail"):
            return seen
        element = found[0]
        # The raw XML, read with plain lxml: what any client can do.
        code = element.findtext(f"{{{NS}}}code")
        message = element.findtext(f"{{{NS}}}message")
        seen["code"] = code
        seen["message"] = message
        run.equal(code, expected_code, f"{label}: IpcdFault/code")
        run.check(code in FAULT_CODES, f"{label}: IpcdFault/code {code!r} is not one of the contract's FaultCode values")
        run.check(bool(message), f"{label}: IpcdFault/message is empty")
        run.equal(message, fault.message, f"{label}: IpcdFault/message versus faultstring")
        # Typed: zeep parses the detail with the WSDL's declaration of tns:IpcdFault.
        try:
            typed = client.get_element(f"{{{NS}}}IpcdFault").parse(element, client.wsdl.types)
            seen["typed"] = {"code": typed.code, "message": typed.message}
            run.equal(typed.code, expected_code, f"{label}: IpcdFault/code as typed by zeep")
            run.equal(typed.message, message, f"{label}: IpcdFault/message as typed by zeep")
        except Exception as e:  # noqa: BLE001 - any failure to type the detail is the finding
            run.check(False, f"{label}: zeep could not type the detail as tns:IpcdFault: {type(e).__name__}: {e}")
        server_side = expected_code in ("BUSY", "UNAVAILABLE", "INTERNAL", "NAME_EXHAUSTED")
        if run.observed.get("soapVersion") == "1.2":  # env:Code/env:Value
            expected_faultcode = "Receiver" if server_side else "Sender"
        else:
            expected_faultcode = "Server" if server_side else "Client"
        local = (fault.code or "").rsplit(":", 1)[-1]
        run.equal(local, expected_faultcode, f"{label}: faultcode local part")
        return seen
    except Exception as e:  # noqa: BLE001
        run.check(False, f"{label}: expected a zeep Fault with {expected_code}, got {type(e).__name__}: {e}")
        seen["error"] = f"{type(e).__name__}: {e}"
        return seen
    run.check(False, f"{label}: expected a fault {expected_code}, the call succeeded")
    seen["unexpectedResult"] = plain(result)
    return seen


def lifecycle(run, client, a):
    svc = a.service
    dc, vlan, prefix = a.data_center, a.vlan, a.instance

    # 1. CommissionIP: address and name together.
    c = svc.CommissionIP(dataCenter=dc, vlan=vlan, serverInstance=f"{prefix}-1", wantName=True)
    run.observed["commission"] = plain(c)
    run.check(bool(c.allocationId), "commission: allocationId is empty")
    run.check(bool(c.network), "commission: network is empty")
    run.equal(c.dataCenter, dc, "commission: dataCenter")
    run.equal(c.vlan, vlan, "commission: vlan (typed int)")
    run.check(c.source in ("VLAN", "TENANT_ALTERNATE", "RESERVE_POOL"), f"commission: source {c.source!r}")
    run.check(bool(c.address) and "." in c.address, f"commission: IPv4 address {c.address!r}")
    run.check(isinstance(c.prefixLength, int) and 0 < c.prefixLength <= 32, f"commission: prefixLength {c.prefixLength!r}")
    run.check(bool(c.name) and bool(c.zone), f"commission: name {c.name!r} / zone {c.zone!r}")
    run.equal(c.fqdn, f"{c.name}.{c.zone}", "commission: fqdn")

    # 2. NameOnly: a name, no address.
    n = svc.NameOnly(dataCenter=dc, vlan=vlan, serverInstance=f"{prefix}-2")
    run.observed["nameOnly"] = plain(n)
    run.check(bool(n.allocationId), "nameOnly: allocationId is empty")
    run.equal(n.dataCenter, dc, "nameOnly: dataCenter")
    run.check(bool(n.name) and bool(n.zone), f"nameOnly: name {n.name!r} / zone {n.zone!r}")
    run.check(n.name != c.name or n.zone != c.zone, "nameOnly: issued the name already held by the commission")
    run.equal(n.fqdn, f"{n.name}.{n.zone}", "nameOnly: fqdn")
    run.check("address" not in run.observed["nameOnly"], "nameOnly: the response carries an address")

    # 3. DecommissionIP by address: releases the address and its name at once.
    d = svc.DecommissionIP(dataCenter=dc, vlan=vlan, address=c.address)
    run.observed["decommissionByAddress"] = plain(d)
    run.equal(d.releasedCount, 1, "decommissionByAddress: releasedCount")
    run.equal(len(d.released), 1, "decommissionByAddress: <released> elements")
    if d.released:
        r = d.released[0]
        run.equal(r.allocationId, c.allocationId, "decommissionByAddress: allocationId")
        run.equal(r.network, c.network, "decommissionByAddress: network")
        run.equal(r.serverInstance, f"{prefix}-1", "decommissionByAddress: serverInstance")
        run.equal(r.address, c.address, "decommissionByAddress: address")
        run.equal(r.fqdn, c.fqdn, "decommissionByAddress: fqdn (the name went with the address)")

    # 4. DecommissionIP of the NameOnly name (by FQDN).
    d = svc.DecommissionIP(dataCenter=dc, vlan=vlan, name=n.fqdn)
    run.observed["decommissionByName"] = plain(d)
    run.equal(d.releasedCount, 1, "decommissionByName: releasedCount")
    run.equal(len(d.released), 1, "decommissionByName: <released> elements")
    if d.released:
        r = d.released[0]
        run.equal(r.allocationId, n.allocationId, "decommissionByName: allocationId")
        run.equal(r.address, None, "decommissionByName: address (a name-only allocation has none)")
        run.equal(r.fqdn, n.fqdn, "decommissionByName: fqdn")

    # 5. Optional IPv6 round trip, released by serverInstance.
    if a.ipv6:
        # A server instance with markup characters and non-ASCII text: escaping and UTF-8 both ways.
        odd = f"{prefix}-6 <\u00fc&\"'\u2603>"
        run.observed["oddServerInstance"] = odd
        v6 = svc.CommissionIP(dataCenter=dc, vlan=vlan, serverInstance=odd, addressFamily="IPv6")
        run.observed["commissionIPv6"] = plain(v6)
        run.check(bool(v6.address) and ":" in v6.address, f"commissionIPv6: address {v6.address!r}")
        run.check(isinstance(v6.prefixLength, int) and 0 < v6.prefixLength <= 128, f"commissionIPv6: prefixLength {v6.prefixLength!r}")
        run.equal(v6.name, None, "commissionIPv6: name (wantName defaults to false)")
        d = svc.DecommissionIP(dataCenter=dc, vlan=vlan, serverInstance=odd)
        run.observed["decommissionIPv6"] = plain(d)
        run.equal(d.releasedCount, 1, "decommissionIPv6: releasedCount")
        run.equal([r.address for r in d.released], [v6.address], "decommissionIPv6: released addresses")
        run.equal([r.serverInstance for r in d.released], [odd], "decommissionIPv6: serverInstance round trip")

    # 6. Faults, each a typed tns:IpcdFault.
    expect_fault(run, client, "unknownVlan", "UNKNOWN_VLAN",
                 lambda: svc.CommissionIP(vlan=a.unknown_vlan, serverInstance=f"{prefix}-f1"))
    expect_fault(run, client, "ambiguousVlan", "AMBIGUOUS_VLAN",
                 lambda: svc.NameOnly(vlan=a.ambiguous_vlan, serverInstance=f"{prefix}-f2"))
    expect_fault(run, client, "unknownDataCenter", "UNKNOWN_DATA_CENTER",
                 lambda: svc.CommissionIP(dataCenter="no-such-dc", vlan=vlan, serverInstance=f"{prefix}-f3"))
    expect_fault(run, client, "alreadyReleased", "NOT_FOUND",
                 lambda: svc.DecommissionIP(dataCenter=dc, vlan=vlan, address=c.address))
    # zeep does not enforce facets; the server must (VlanId is 1..4094).
    expect_fault(run, client, "vlanOutOfRange", "INVALID_REQUEST",
                 lambda: svc.CommissionIP(dataCenter=dc, vlan=4095, serverInstance=f"{prefix}-f4"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("wsdl_url")
    p.add_argument("--data-center", default="dc1")
    p.add_argument("--vlan", type=int, default=100)
    p.add_argument("--unknown-vlan", type=int, default=999)
    p.add_argument("--ambiguous-vlan", type=int, default=100)
    p.add_argument("--instance", default="zeep-vm")
    p.add_argument("--ipv6", action="store_true", help="also commission and release an IPv6 address")
    p.add_argument("--port", help="the wsdl:port of IpcdService to bind to (default: zeep's first)")
    a = p.parse_args()

    run = Run()
    run.observed["zeep"] = zeep.__version__
    try:
        transport = zeep.Transport(timeout=30, operation_timeout=30)
        transport.session.trust_env = False  # a local server: no proxies from the environment
        client = zeep.Client(a.wsdl_url, transport=transport, settings=zeep.Settings(strict=True))
        a.service = client.bind("IpcdService", a.port) if a.port else client.service
        run.observed["binding"] = str(a.service._binding.name)
        run.observed["soapVersion"] = "1.2" if isinstance(a.service._binding, Soap12Binding) else "1.1"
        run.observed["address"] = a.service._binding_options.get("address")
    except Exception as e:  # noqa: BLE001
        run.observed["error"] = f"the WSDL did not load: {type(e).__name__}: {e}"
        print(json.dumps({**run.observed, "ok": False, "mismatches": [run.observed["error"]]}, indent=2))
        return 2
    try:
        lifecycle(run, client, a)
    except Exception as e:  # noqa: BLE001 - an unexpected fault or parse error is a mismatch
        run.mismatches.append(f"unexpected {type(e).__name__}: {e}")
        run.observed["traceback"] = traceback.format_exc()
    print(json.dumps({**run.observed, "ok": not run.mismatches, "mismatches": run.mismatches}, indent=2))
    return 0 if not run.mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
