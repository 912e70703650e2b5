/*
 * Interop check: drive ipcd through JAX-WS, with client classes that `wsimport` generated from the
 * WSDL the server serves (test/interop/toolchains.test.ts generates them into a temporary
 * directory at test time, package org.example.ipcd.client; nothing generated is committed).
 *
 * Runs: CommissionIP (wantName=true) -> NameOnly -> DecommissionIP by address -> DecommissionIP
 * by the NameOnly FQDN; then asks for an unknown VLAN and expects the generated checked exception
 * for wsdl:fault IpcdFault, whose getFaultInfo() is the typed tns:IpcdFault (code + message).
 *
 * Prints one JSON object (one line) with what it observed; exits 0 when everything matched,
 * 1 on any mismatch, 2 when it could not run at all (e.g. the WSDL did not load).
 *
 * Usage: java IpcdLifecycle WSDL_URL [--soap12] [--data-center dc1] [--vlan 100] [--unknown-vlan 999]
 *                                    [--instance PREFIX]
 * --soap12: call through the WSDL's SOAP 1.2 port (IpcdSoap12Port) instead of the SOAP 1.1 one.
 * JDK and the JAX-WS runtime only.
 */
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.xml.ws.BindingProvider;
import javax.xml.ws.soap.SOAPFaultException;

import org.example.ipcd.client.AddressFamily;
import org.example.ipcd.client.AllocationSource;
import org.example.ipcd.client.CommissionIP;
import org.example.ipcd.client.CommissionIPResponse;
import org.example.ipcd.client.DecommissionIP;
import org.example.ipcd.client.DecommissionIPResponse;
import org.example.ipcd.client.FaultCode;
import org.example.ipcd.client.IpcdFault;
import org.example.ipcd.client.IpcdFault_Exception;
import org.example.ipcd.client.IpcdPortType;
import org.example.ipcd.client.IpcdService;
import org.example.ipcd.client.NameOnly;
import org.example.ipcd.client.NameOnlyResponse;
import org.example.ipcd.client.Released;

public final class IpcdLifecycle {
    private final Map<String, Object> observed = new LinkedHashMap<>();
    private final List<String> mismatches = new ArrayList<>();

    private boolean check(boolean ok, String what) {
        if (!ok) mismatches.add(what);
        return ok;
    }

    private boolean equal(Object actual, Object expected, String what) {
        return check(Objects.equals(actual, expected), what + ": expected " + expected + ", got " + actual);
    }

    private static Map<String, Object> plain(CommissionIPResponse c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allocationId", c.getAllocationId());
        m.put("network", c.getNetwork());
        m.put("dataCenter", c.getDataCenter());
        m.put("vlan", c.getVlan());
        m.put("source", c.getSource() == null ? null : c.getSource().value());
        m.put("address", c.getAddress());
        m.put("prefixLength", c.getPrefixLength());
        m.put("gateway", c.getGateway());
        m.put("name", c.getName());
        m.put("zone", c.getZone());
        m.put("fqdn", c.getFqdn());
        return m;
    }

    private static Map<String, Object> plain(NameOnlyResponse n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allocationId", n.getAllocationId());
        m.put("network", n.getNetwork());
        m.put("dataCenter", n.getDataCenter());
        m.put("name", n.getName());
        m.put("zone", n.getZone());
        m.put("fqdn", n.getFqdn());
        return m;
    }

    private static Map<String, Object> plain(DecommissionIPResponse d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("releasedCount", d.getReleasedCount());
        List<Object> released = new ArrayList<>();
        for (Released r : d.getReleased()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("allocationId", r.getAllocationId());
            one.put("network", r.getNetwork());
            one.put("serverInstance", r.getServerInstance());
            one.put("address", r.getAddress());
            one.put("fqdn", r.getFqdn());
            released.add(one);
        }
        m.put("released", released);
        return m;
    }

    private void lifecycle(IpcdPortType port, String dc, int vlan, int unknownVlan, String prefix) throws Exception {
        // 1. CommissionIP: address and name together.
        CommissionIP ci = new CommissionIP();
        ci.setDataCenter(dc);
        ci.setVlan(vlan);
        ci.setServerInstance(prefix + "-1");
        ci.setWantName(true);
        // The enumeration constant named by wsdl/jaxws-bindings.xml (JAXB alone would say I_PV_4).
        ci.setAddressFamily(AddressFamily.IPV4);
        CommissionIPResponse c = port.commissionIP(ci);
        observed.put("commission", plain(c));
        check(c.getAllocationId() != null && !c.getAllocationId().isEmpty(), "commission: allocationId is empty");
        equal(c.getDataCenter(), dc, "commission: dataCenter");
        equal(c.getVlan(), vlan, "commission: vlan (typed Integer)");
        check(c.getSource() == AllocationSource.VLAN, "commission: source " + c.getSource());
        check(c.getAddress() != null && c.getAddress().contains("."), "commission: IPv4 address " + c.getAddress());
        check(c.getPrefixLength() != null && c.getPrefixLength() > 0 && c.getPrefixLength() <= 32, "commission: prefixLength " + c.getPrefixLength());
        check(c.getName() != null && c.getZone() != null, "commission: name " + c.getName() + " / zone " + c.getZone());
        equal(c.getFqdn(), c.getName() + "." + c.getZone(), "commission: fqdn");

        // 2. NameOnly: a name, no address.
        NameOnly no = new NameOnly();
        no.setDataCenter(dc);
        no.setVlan(vlan);
        no.setServerInstance(prefix + "-2");
        NameOnlyResponse n = port.nameOnly(no);
        observed.put("nameOnly", plain(n));
        equal(n.getDataCenter(), dc, "nameOnly: dataCenter");
        check(!Objects.equals(n.getFqdn(), c.getFqdn()), "nameOnly: issued the name already held by the commission");
        equal(n.getFqdn(), n.getName() + "." + n.getZone(), "nameOnly: fqdn");

        // 3. DecommissionIP by address: releases the address and its name at once.
        DecommissionIP byAddress = new DecommissionIP();
        byAddress.setDataCenter(dc);
        byAddress.setVlan(vlan);
        byAddress.setAddress(c.getAddress());
        DecommissionIPResponse d = port.decommissionIP(byAddress);
        observed.put("decommissionByAddress", plain(d));
        equal(d.getReleasedCount(), 1, "decommissionByAddress: releasedCount");
        if (equal(d.getReleased().size(), 1, "decommissionByAddress: <released> elements")) {
            Released r = d.getReleased().get(0);
            equal(r.getAllocationId(), c.getAllocationId(), "decommissionByAddress: allocationId");
            equal(r.getServerInstance(), prefix + "-1", "decommissionByAddress: serverInstance");
            equal(r.getAddress(), c.getAddress(), "decommissionByAddress: address");
            equal(r.getFqdn(), c.getFqdn(), "decommissionByAddress: fqdn (the name went with the address)");
        }

        // 4. DecommissionIP of the NameOnly name, by FQDN.
        DecommissionIP byName = new DecommissionIP();
        byName.setDataCenter(dc);
        byName.setVlan(vlan);
        byName.setName(n.getFqdn());
        d = port.decommissionIP(byName);
        observed.put("decommissionByName", plain(d));
        equal(d.getReleasedCount(), 1, "decommissionByName: releasedCount");
        if (equal(d.getReleased().size(), 1, "decommissionByName: <released> elements")) {
            Released r = d.getReleased().get(0);
            equal(r.getAllocationId(), n.getAllocationId(), "decommissionByName: allocationId");
            equal(r.getAddress(), null, "decommissionByName: address (a name-only allocation has none)");
            equal(r.getFqdn(), n.getFqdn(), "decommissionByName: fqdn");
        }

        // 5. An unknown VLAN: the generated checked exception carrying the typed tns:IpcdFault.
        Map<String, Object> fault = new LinkedHashMap<>();
        observed.put("unknownVlan", fault);
        CommissionIP bad = new CommissionIP();
        bad.setVlan(unknownVlan);
        bad.setServerInstance(prefix + "-f1");
        try {
            CommissionIPResponse unexpected = port.commissionIP(bad);
            fault.put("unexpectedResult", plain(unexpected));
            check(false, "unknownVlan: expected IpcdFault_Exception UNKNOWN_VLAN, the call succeeded");
        } catch (IpcdFault_Exception e) {
            IpcdFault info = e.getFaultInfo();
            fault.put("exception", e.getClass().getSimpleName());
            fault.put("faultstring", e.getMessage());
            if (check(info != null, "unknownVlan: getFaultInfo() is null")) {
                fault.put("code", info.getCode() == null ? null : info.getCode().value());
                fault.put("message", info.getMessage());
                check(info.getCode() == FaultCode.UNKNOWN_VLAN, "unknownVlan: getFaultInfo().getCode() " + info.getCode());
                check(info.getMessage() != null && !info.getMessage().isEmpty(), "unknownVlan: getFaultInfo().getMessage() is empty");
                equal(info.getMessage(), e.getMessage(), "unknownVlan: IpcdFault/message versus faultstring");
            }
        } catch (SOAPFaultException e) {
            fault.put("exception", e.getClass().getSimpleName());
            fault.put("faultstring", e.getMessage());
            check(false, "unknownVlan: an untyped SOAPFaultException instead of IpcdFault_Exception: " + e.getMessage());
        }
    }

    private int run(String[] args) {
        String wsdl = null;
        String dc = "dc1";
        int vlan = 100;
        int unknownVlan = 999;
        String prefix = "jaxws-vm";
        boolean soap12 = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-center": dc = args[++i]; break;
                case "--vlan": vlan = Integer.parseInt(args[++i]); break;
                case "--unknown-vlan": unknownVlan = Integer.parseInt(args[++i]); break;
                case "--instance": prefix = args[++i]; break;
                case "--soap12": soap12 = true; break;
                default: wsdl = args[i];
            }
        }
        observed.put("java", System.getProperty("java.version"));
        IpcdPortType port;
        try {
            IpcdService service = new IpcdService(new URL(Objects.requireNonNull(wsdl, "WSDL_URL argument")));
            port = soap12 ? service.getIpcdSoap12Port() : service.getIpcdPort();
            // The binding the runtime set up from the WSDL: SOAP 1.1's or SOAP 1.2's HTTP binding id.
            observed.put("binding", ((BindingProvider) port).getBinding().getBindingID());
            Map<String, Object> rc = ((BindingProvider) port).getRequestContext();
            rc.put("com.sun.xml.ws.connect.timeout", 30_000);
            rc.put("com.sun.xml.ws.request.timeout", 30_000);
            observed.put("address", rc.get(BindingProvider.ENDPOINT_ADDRESS_PROPERTY));
        } catch (Exception e) {
            mismatches.add("the WSDL did not load: " + e);
            return 2;
        }
        try {
            lifecycle(port, dc, vlan, unknownVlan, prefix);
        } catch (Exception e) {
            mismatches.add("unexpected " + e);
        }
        return mismatches.isEmpty() ? 0 : 1;
    }

    public static void main(String[] args) {
        IpcdLifecycle l = new IpcdLifecycle();
        int code = l.run(args);
        l.observed.put("ok", l.mismatches.isEmpty());
        l.observed.put("mismatches", l.mismatches);
        System.out.println(json(l.observed));
        System.exit(code);
    }

    // ---- a minimal JSON writer (the JDK has none) ----

    private static String json(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Map) {
            b.append('{');
            String sep = "";
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                b.append(sep);
                write(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
                sep = ",";
            }
            b.append('}');
        } else if (v instanceof List) {
            b.append('[');
            String sep = "";
            for (Object o : (List<?>) v) {
                b.append(sep);
                write(b, o);
                sep = ",";
            }
            b.append(']');
        } else {
            String s = v.toString();
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default:
                        if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                        else b.append(ch);
                }
            }
            b.append('"');
        }
    }
}
