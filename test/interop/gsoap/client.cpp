/*
 * Interop check: drive ipcd through gSOAP, with the C++ proxy that wsdl2h + soapcpp2 generated
 * from the WSDL the server serves (test/interop/toolchains.test.ts generates it into a temporary
 * directory at test time and compiles this file against it; nothing generated is committed).
 *
 * Runs: CommissionIP (wantName=true) -> DecommissionIP by address (address and name released);
 * then asks for an unknown VLAN and expects a SOAP fault whose <detail> gSOAP deserializes into
 * the generated _ns1__IpcdFault (code + message). Replies are read in SOAP_XML_STRICT mode, so
 * an element the schema does not allow, or a missing required one, is an error.
 *
 * Prints one JSON object (one line) with what it observed; exits 0 when everything matched,
 * 1 on any mismatch.
 *
 * Usage: client ENDPOINT_URL [--soap 1.1|1.2] [--data-center dc1] [--vlan 100] [--unknown-vlan 999] [--instance PREFIX]
 * ENDPOINT_URL is where the server listens: the proxy is not told it, it must call it by default
 * (the served WSDL's soap:address carries it). --soap picks the binding's proxy: SOAP 1.1
 * (IpcdSoapBindingProxy, the default) or SOAP 1.2 (IpcdSoap12BindingProxy); wsdl2h -N generated
 * both. A WSDL with a SOAP 1.2 binding gives soapcpp2's namespace table SOAP 1.2's envelope
 * first (for both proxies), so the 1.1 run puts SOAP 1.1's namespaces first in its table
 * (soap_set_version did not take with the generated proxy; soapcpp2 -1 warns).
 */
#include "soapIpcdSoapBindingProxy.h"
#include "soapIpcdSoap12BindingProxy.h"
#include "IpcdSoapBinding.nsmap"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> mismatches;

bool check(bool ok, const std::string &what) {
  if (!ok) mismatches.push_back(what);
  return ok;
}

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

/** Records the endpoint each call connects to (gSOAP's fopen callback, wrapped). */
std::string connectedTo;
SOAP_SOCKET (*gsoapOpen)(struct soap *, const char *, const char *, int) = nullptr;
SOAP_SOCKET recordingOpen(struct soap *soap, const char *endpoint, const char *host, int port) {
  connectedTo = endpoint ? endpoint : "";
  return gsoapOpen(soap, endpoint, host, port);
}

std::string str(const std::string *s) { return s ? quote(*s) : "null"; }
std::string str(const char *s) { return s ? quote(s) : "null"; }
std::string num(const int *n) { return n ? std::to_string(*n) : "null"; }

/** A failed call as JSON, with gSOAP's own description of the error. */
template <class Proxy>
std::string failure(Proxy &proxy) {
  char buf[1024] = "";
  proxy.soap_sprint_fault(buf, sizeof buf);
  return "{\"error\":" + std::to_string(proxy.soap->error) + ",\"fault\":" + quote(buf) + "}";
}

/** The generated namespace table with SOAP 1.1's envelope and encoding first: the proxy then speaks SOAP 1.1. */
void useSoap11(struct soap *soap) {
  static std::vector<Namespace> table;
  for (const Namespace *n = soap->namespaces;; n++) {
    table.push_back(*n);
    if (!n->id) break;
  }
  table[0].ns = "http://schemas.xmlsoap.org/soap/envelope/";
  table[1].ns = "http://schemas.xmlsoap.org/soap/encoding/";
  soap_set_namespaces(soap, table.data());
}

template <class Proxy>
int lifecycle(short version, const char *endpoint, const std::string &dc, int vlan, int unknownVlan, const std::string &prefix) {
  // Strict parsing of replies; UTF-8 strings as they are.
  Proxy proxy(SOAP_XML_STRICT | SOAP_C_UTFSTRING, SOAP_C_UTFSTRING);
  if (version == 1) useSoap11(proxy.soap);
  proxy.soap->connect_timeout = 30;
  proxy.soap->send_timeout = 30;
  proxy.soap->recv_timeout = 30;
  gsoapOpen = proxy.soap->fopen;
  proxy.soap->fopen = recordingOpen;
  std::ostringstream out;
  out << "{\"gsoap\":" << GSOAP_VERSION;

  // 1. CommissionIP: address and name together.
  _ns1__CommissionIP *ci = soap_new__ns1__CommissionIP(proxy.soap);
  ci->dataCenter = soap_new_std__string(proxy.soap);
  *ci->dataCenter = dc;
  ci->vlan = vlan;
  ci->serverInstance = prefix + "-1";
  ci->wantName = static_cast<bool *>(soap_malloc(proxy.soap, sizeof(bool)));
  *ci->wantName = true;
  _ns1__CommissionIPResponse c;
  std::string address, fqdn, allocationId;
  // No endpoint given: the proxy's default, the soap:address of the WSDL it was generated from.
  int called = proxy.CommissionIP(ci, c);
  out << ",\"address\":" << quote(connectedTo);
  check(endpoint != nullptr && connectedTo == endpoint,
        "the generated proxy called " + connectedTo + ", not the server's " + (endpoint ? endpoint : "(none)"));
  if (called == SOAP_OK) {
    out << ",\"commission\":{\"allocationId\":" << quote(c.allocationId) << ",\"network\":" << quote(c.network)
        << ",\"dataCenter\":" << quote(c.dataCenter) << ",\"vlan\":" << num(c.vlan)
        << ",\"source\":" << (c.source ? quote(soap_ns1__AllocationSource2s(proxy.soap, *c.source)) : "null")
        << ",\"address\":" << str(c.address) << ",\"prefixLength\":" << num(c.prefixLength)
        << ",\"gateway\":" << str(c.gateway) << ",\"name\":" << str(c.name) << ",\"zone\":" << str(c.zone)
        << ",\"fqdn\":" << str(c.fqdn) << "}";
    check(!c.allocationId.empty(), "commission: allocationId is empty");
    check(c.dataCenter == dc, "commission: dataCenter " + c.dataCenter);
    check(c.vlan && *c.vlan == vlan, "commission: vlan");
    check(c.source && *c.source == ns1__AllocationSource__VLAN, "commission: source");
    check(c.address && c.address->find('.') != std::string::npos, "commission: IPv4 address");
    check(c.prefixLength && *c.prefixLength > 0 && *c.prefixLength <= 32, "commission: prefixLength");
    check(c.name && c.zone && c.fqdn && *c.fqdn == *c.name + "." + *c.zone, "commission: name / zone / fqdn");
    allocationId = c.allocationId;
    if (c.address) address = *c.address;
    if (c.fqdn) fqdn = *c.fqdn;
  } else {
    out << ",\"commission\":" << failure(proxy);
    check(false, "commission: the call failed");
  }

  // 2. DecommissionIP by address: releases the address and its name at once.
  if (!address.empty()) {
    _ns1__DecommissionIP *di = soap_new__ns1__DecommissionIP(proxy.soap);
    di->dataCenter = soap_new_std__string(proxy.soap);
    *di->dataCenter = dc;
    di->vlan = vlan;
    di->address = soap_new_std__string(proxy.soap);
    *di->address = address;
    _ns1__DecommissionIPResponse d;
    if (proxy.DecommissionIP(di, d) == SOAP_OK) {
      out << ",\"decommission\":{\"releasedCount\":" << d.releasedCount << ",\"released\":[";
      for (size_t i = 0; i < d.released.size(); i++) {
        const ns1__Released *r = d.released[i];
        out << (i ? "," : "") << "{\"allocationId\":" << quote(r->allocationId) << ",\"network\":" << quote(r->network)
            << ",\"serverInstance\":" << quote(r->serverInstance) << ",\"address\":" << str(r->address)
            << ",\"fqdn\":" << str(r->fqdn) << "}";
      }
      out << "]}";
      check(d.releasedCount == 1, "decommission: releasedCount " + std::to_string(d.releasedCount));
      if (check(d.released.size() == 1, "decommission: <released> elements")) {
        const ns1__Released *r = d.released[0];
        check(r->allocationId == allocationId, "decommission: allocationId");
        check(r->serverInstance == prefix + "-1", "decommission: serverInstance");
        check(r->address && *r->address == address, "decommission: address");
        check(r->fqdn && *r->fqdn == fqdn, "decommission: fqdn (the name went with the address)");
      }
    } else {
      out << ",\"decommission\":" << failure(proxy);
      check(false, "decommission: the call failed");
    }
  }

  // 3. An unknown VLAN: a SOAP fault whose detail is the typed tns:IpcdFault.
  _ns1__CommissionIP *bad = soap_new__ns1__CommissionIP(proxy.soap);
  bad->vlan = unknownVlan;
  bad->serverInstance = prefix + "-f1";
  _ns1__CommissionIPResponse unexpected;
  int rc = proxy.CommissionIP(bad, unexpected);
  if (rc == SOAP_OK) {
    out << ",\"unknownVlan\":{\"unexpectedResult\":" << quote(unexpected.allocationId) << "}";
    check(false, "unknownVlan: expected a fault UNKNOWN_VLAN, the call succeeded");
  } else {
    // SOAP 1.1: faultcode, faultstring, detail; SOAP 1.2: Code/Value, Reason/Text, Detail.
    const SOAP_ENV__Fault *f = proxy.soap->fault;
    const SOAP_ENV__Detail *detail = !f ? nullptr : f->detail ? f->detail : f->SOAP_ENV__Detail;
    const char *faultcode = !f ? nullptr : f->faultcode ? f->faultcode : f->SOAP_ENV__Code ? f->SOAP_ENV__Code->SOAP_ENV__Value : nullptr;
    const char *faultstring = !f ? nullptr : f->faultstring ? f->faultstring : f->SOAP_ENV__Reason ? f->SOAP_ENV__Reason->SOAP_ENV__Text : nullptr;
    const _ns1__IpcdFault *typed = detail ? detail->ns1__IpcdFault : nullptr;
    out << ",\"unknownVlan\":{\"error\":" << rc << ",\"faultcode\":" << str(faultcode)
        << ",\"faultstring\":" << str(faultstring);
    if (typed) {
      out << ",\"code\":" << quote(soap_ns1__FaultCode2s(proxy.soap, typed->code)) << ",\"message\":" << quote(typed->message);
    }
    out << "}";
    check(rc == SOAP_FAULT, "unknownVlan: gSOAP error " + std::to_string(rc) + " instead of SOAP_FAULT");
    if (check(typed != nullptr, "unknownVlan: no typed ns1__IpcdFault in the fault detail")) {
      // The generated enum spells UNKNOWN_VLAN as ns1__FaultCode__UNKNOWN_USCOREVLAN; compare the XML value.
      const std::string code = soap_ns1__FaultCode2s(proxy.soap, typed->code);
      check(code == "UNKNOWN_VLAN", "unknownVlan: IpcdFault/code " + code);
      check(!typed->message.empty(), "unknownVlan: IpcdFault/message is empty");
      check(faultstring && typed->message == faultstring, "unknownVlan: IpcdFault/message versus faultstring");
    }
  }

  // The envelope version gSOAP spoke last (1 or 2), as it read the reply.
  out << ",\"soapVersion\":" << proxy.soap->version;
  out << ",\"ok\":" << (mismatches.empty() ? "true" : "false") << ",\"mismatches\":[";
  for (size_t i = 0; i < mismatches.size(); i++) out << (i ? "," : "") << quote(mismatches[i]);
  out << "]}";
  std::printf("%s\n", out.str().c_str());
  proxy.destroy();
  return mismatches.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
  const char *endpoint = nullptr;
  std::string dc = "dc1", prefix = "gsoap-vm", soap = "1.1";
  int vlan = 100, unknownVlan = 999;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--data-center" && i + 1 < argc) dc = argv[++i];
    else if (a == "--vlan" && i + 1 < argc) vlan = std::atoi(argv[++i]);
    else if (a == "--unknown-vlan" && i + 1 < argc) unknownVlan = std::atoi(argv[++i]);
    else if (a == "--instance" && i + 1 < argc) prefix = argv[++i];
    else if (a == "--soap" && i + 1 < argc) soap = argv[++i];
    else endpoint = argv[i];
  }
  if (soap == "1.2") return lifecycle<IpcdSoap12BindingProxy>(2, endpoint, dc, vlan, unknownVlan, prefix);
  return lifecycle<IpcdSoapBindingProxy>(1, endpoint, dc, vlan, unknownVlan, prefix);
}
