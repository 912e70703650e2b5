/*
 * Interop check: CommissionIPBatch and DecommissionIPBatch through JAX-WS, with the classes
 * `wsimport` generated from the served WSDL (toolchains.test.ts; package org.example.ipcd.client).
 *
 * Runs: a batch of three (two on the VLAN, one on an unknown VLAN) -> the same batch again (the
 * same allocations, existing) -> an atomic batch refused at item 2 -> DecommissionIPBatch of the
 * two. Each result is typed: getItem(), and getCommissionIPResponse() or getIpcdFault().
 *
 * Prints one JSON object (one line); exits 0 when everything matched, 1 on a mismatch, 2 when the
 * WSDL did not load. Usage: java IpcdBatch WSDL_URL [--data-center dc1] [--vlan 100]
 *                                           [--unknown-vlan 999] [--instance PREFIX]
 */
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.example.ipcd.client.CommissionIP;
import org.example.ipcd.client.CommissionIPBatch;
import org.example.ipcd.client.CommissionIPBatchResponse;
import org.example.ipcd.client.CommissionIPBatchResult;
import org.example.ipcd.client.CommissionIPResponse;
import org.example.ipcd.client.DecommissionIP;
import org.example.ipcd.client.DecommissionIPBatch;
import org.example.ipcd.client.DecommissionIPBatchResponse;
import org.example.ipcd.client.DecommissionIPBatchResult;
import org.example.ipcd.client.IpcdPortType;
import org.example.ipcd.client.IpcdService;

public final class IpcdBatch {
    private final List<String> mismatches = new ArrayList<>();
    private final List<String> outcomes = new ArrayList<>();

    private void equal(Object actual, Object expected, String what) {
        if (!Objects.equals(actual, expected)) mismatches.add(what + ": expected " + expected + ", got " + actual);
    }

    private static CommissionIP item(String dc, int vlan, String instance) {
        CommissionIP c = new CommissionIP();
        c.setDataCenter(dc);
        c.setVlan(vlan);
        c.setServerInstance(instance);
        return c;
    }

    /** "ok" or the fault code of each result, in order; the positions must run from 1. */
    private List<String> codes(CommissionIPBatchResponse r, String what) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.getResult().size(); i++) {
            CommissionIPBatchResult x = r.getResult().get(i);
            equal(x.getItem(), i + 1, what + ": item position");
            out.add(x.getCommissionIPResponse() != null ? "ok" : x.getIpcdFault().getCode().value());
        }
        outcomes.add(what + "=" + String.join(",", out));
        return out;
    }

    private void batch(IpcdPortType port, String dc, int vlan, int unknownVlan, String prefix) throws Exception {
        CommissionIPBatch b = new CommissionIPBatch();
        b.getCommissionIP().add(item(dc, vlan, prefix + "-1"));
        b.getCommissionIP().add(item(dc, vlan, prefix + "-2"));
        b.getCommissionIP().add(item(dc, unknownVlan, prefix + "-3"));
        CommissionIPBatchResponse first = port.commissionIPBatch(b);
        equal(codes(first, "first"), List.of("ok", "ok", "UNKNOWN_VLAN"), "first: outcomes");
        equal(first.getSucceeded(), 2, "first: succeeded");
        equal(first.getFailedItem(), null, "first: failedItem");
        CommissionIPResponse one = first.getResult().get(0).getCommissionIPResponse();
        CommissionIPResponse two = first.getResult().get(1).getCommissionIPResponse();
        equal(one.isExisting(), Boolean.FALSE, "first: existing");
        equal(one.getNetwork(), "dc1-v100-a", "first: network");

        CommissionIPBatchResponse again = port.commissionIPBatch(b);
        codes(again, "again");
        CommissionIPResponse oneAgain = again.getResult().get(0).getCommissionIPResponse();
        equal(oneAgain.getAllocationId(), one.getAllocationId(), "again: the same allocation");
        equal(oneAgain.getAddress(), one.getAddress(), "again: the same address");
        equal(oneAgain.isExisting(), Boolean.TRUE, "again: existing");

        CommissionIPBatch atomic = new CommissionIPBatch();
        atomic.setAtomic(Boolean.TRUE);
        atomic.getCommissionIP().add(item(dc, vlan, prefix + "-4"));
        atomic.getCommissionIP().add(item(dc, unknownVlan, prefix + "-5"));
        CommissionIPBatchResponse refused = port.commissionIPBatch(atomic);
        equal(codes(refused, "atomic"), List.of("BATCH_ABORTED", "UNKNOWN_VLAN"), "atomic: outcomes");
        equal(refused.getFailedItem(), 2, "atomic: failedItem");

        DecommissionIPBatch release = new DecommissionIPBatch();
        for (CommissionIPResponse c : List.of(one, two)) {
            DecommissionIP d = new DecommissionIP();
            d.setDataCenter(dc);
            d.setVlan(vlan);
            d.setAllocationId(c.getAllocationId());
            release.getDecommissionIP().add(d);
        }
        DecommissionIPBatchResponse gone = port.decommissionIPBatch(release);
        equal(gone.getSucceeded(), 2, "release: succeeded");
        for (int i = 0; i < 2; i++) {
            DecommissionIPBatchResult x = gone.getResult().get(i);
            equal(x.getDecommissionIPResponse() == null ? null : x.getDecommissionIPResponse().getReleasedCount(), 1, "release: releasedCount of item " + (i + 1));
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    public static void main(String[] args) {
        IpcdBatch b = new IpcdBatch();
        String wsdl = null;
        String dc = "dc1";
        String prefix = "jaxws-batch";
        int vlan = 100;
        int unknownVlan = 999;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-center": dc = args[++i]; break;
                case "--vlan": vlan = Integer.parseInt(args[++i]); break;
                case "--unknown-vlan": unknownVlan = Integer.parseInt(args[++i]); break;
                case "--instance": prefix = args[++i]; break;
                default: wsdl = args[i];
            }
        }
        int code;
        try {
            IpcdPortType port = new IpcdService(new URL(Objects.requireNonNull(wsdl, "WSDL_URL argument"))).getIpcdPort();
            try {
                b.batch(port, dc, vlan, unknownVlan, prefix);
            } catch (Exception e) {
                b.mismatches.add("unexpected " + e);
            }
            code = b.mismatches.isEmpty() ? 0 : 1;
        } catch (Exception e) {
            b.mismatches.add("the WSDL did not load: " + e);
            code = 2;
        }
        List<String> ms = new ArrayList<>();
        for (String m : b.mismatches) ms.add(quote(m));
        List<String> os = new ArrayList<>();
        for (String o : b.outcomes) os.add(quote(o));
        System.out.println("{\"ok\":" + b.mismatches.isEmpty() + ",\"mismatches\":[" + String.join(",", ms) + "],\"outcomes\":[" + String.join(",", os) + "]}");
        System.exit(code);
    }
}
