/**
 * Interop: two SOAP toolchains nobody here wrote generate their clients from the WSDL the running
 * server serves, compile them, and drive the server with them (PostgreSQL store):
 *
 *  - JAX-WS: `wsimport` (Debian's jaxws, the reference implementation) generates and compiles the
 *    client classes, with wsdl/jaxws-bindings.xml (-b) and -extension (the SOAP 1.2 port);
 *    javac compiles test/interop/java/IpcdLifecycle.java against them; it runs, once on the SOAP
 *    1.1 port and once on the SOAP 1.2 port, CommissionIP → NameOnly → DecommissionIP by address
 *    → DecommissionIP by FQDN → an unknown VLAN caught as the generated checked exception for
 *    wsdl:fault IpcdFault.
 *  - gSOAP: `wsdl2h -N` + `soapcpp2` generate a C++ proxy per binding; g++ compiles
 *    test/interop/gsoap/client.cpp with them against libgsoap++; it runs, with each proxy,
 *    CommissionIP → DecommissionIP → an unknown VLAN read from the fault detail as the generated
 *    _ns1__IpcdFault.
 *  - The management WSDL (served at /ipcd-admin?wsdl) goes through the same generators, the same
 *    way (wsimport with -b and -extension, which also compiles what it generates; wsdl2h -N and
 *    soapcpp2): generated, not run, to keep the suite's cost down; the same warnings fail it.
 *
 * Everything generated lives in a temporary directory, generated and compiled once per run. The
 * generators' output is part of the check: a warning about the contract fails the suite. Nothing
 * is installed here and nothing is skipped: a missing tool fails the suite, naming what .ci/run
 * must install. The programs report what they saw as JSON; the suite checks that report and then
 * the database: everything the clients were issued is released.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadExampleTopology } from '../../src/example/topology';
import { networkUsage } from '../../src/logic/topology/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';

const JAVA_SOURCE = join(__dirname, 'java', 'IpcdLifecycle.java');
const JAVA_BATCH_SOURCE = join(__dirname, 'java', 'IpcdBatch.java');
/** Debian's SAAJ registers its factory under the old service name; naming it keeps the runtime quiet. */
const SAAJ = '-Djavax.xml.soap.SAAJMetaFactory=com.sun.xml.messaging.saaj.soap.SAAJMetaFactoryImpl';
const GSOAP_SOURCE = join(__dirname, 'gsoap', 'client.cpp');
/** Debian's JAX-WS runtime; its manifest Class-Path brings JAXB, SAAJ, StAX and the rest. */
const JAXWS_RT = '/usr/share/java/jaxws-rt.jar';
/** The package wsimport generates the Java client into (IpcdLifecycle.java imports it). */
const JAVA_PACKAGE = 'org.example.ipcd.client';
/** The package of the management client (the README's command). */
const JAVA_ADMIN_PACKAGE = 'org.example.ipcd.admin';
const GSOAP_IMPORT = '/usr/share/gsoap/import';
/** The WS-SecurityPolicy makes wsdl2h import wsse.h, whose xsd:dateTime is gSOAP's struct timeval mapping. */
const GSOAP_CUSTOM = '/usr/share/gsoap/custom';
const BINDINGS_FILE = join(__dirname, '..', '..', 'wsdl', 'jaxws-bindings.xml');

/** What must be on the machine, and which Debian package .ci/run installs it from. */
const COMMANDS: Record<string, string> = {
  wsimport: 'jaxws',
  java: 'a JDK (default-jdk-headless)',
  javac: 'a JDK (default-jdk-headless)',
  wsdl2h: 'gsoap',
  soapcpp2: 'gsoap',
  'g++': 'g++',
  'pkg-config': 'pkg-config',
};
const FILES: Record<string, string> = {
  [JAXWS_RT]: 'jaxws',
  '/usr/include/stdsoap2.h': 'libgsoap-dev',
};

/**
 * wsimport lines that are not a problem of the contract. Everything else that says "warning" or
 * "error" fails the suite. wsdl2h gets none: the JAX-WS customization it warned about now lives
 * in wsdl/jaxws-bindings.xml.
 */
const WSIMPORT_WHITELIST: RegExp[] = [
  // JAX-WS 2.x maps WSDL 1.1 SOAP 1.1 bindings only; the reference implementation reads a WSDL 1.1
  // SOAP 1.2 binding as its own extension (-extension) and says so for the one port that has it.
  /^\[WARNING\] SOAP port "(IpcdSoap12Port|IpcdAdminSoap12Port)": uses a non-standard SOAP 1\.2 binding\.$/,
];

/**
 * JAX-WS runtime lines that are not a problem of the contract. The reference implementation
 * alone (jaxws-rt, without Metro's WSIT) implements no WS-Security: it reads the WSDL's
 * WS-SecurityPolicy, says it cannot evaluate sp:SupportingTokens, and goes on without it (the
 * program would add its UsernameToken itself, as the README shows). Only these two lines.
 */
const JAXWS_RUNTIME_WHITELIST: RegExp[] = [
  /^WARNING: WSP0075: Policy assertion "\{http:\/\/docs\.oasis-open\.org\/ws-sx\/ws-securitypolicy\/200702\}SupportingTokens" was evaluated as "UNKNOWN"\.$/,
  /^WARNING: WSP0019: Suboptimal policy alternative selected on the client side with fitness "UNKNOWN"\.$/,
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program without blocking the event loop (the server under test lives in this process). */
function run(file: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 180_000, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - started });
      },
    );
  });
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Lines of a generator's output that mention a warning or an error and are not whitelisted. */
function complaints(r: Run, whitelist: RegExp[] = []): string[] {
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /warn|error/i.test(l) && !whitelist.some((w) => w.test(l)));
}

function must(step: string, r: Run): Run {
  if (r.code !== 0) throw new Error(`${step} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function report<T>(step: string, r: Run): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${step} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** What wsdl/jaxws-bindings.xml names in a generated client: the IPv4/IPv6 values as IPV4/IPV6. */
function expectEnumNames(gen: string): void {
  for (const e of ['AddressFamily', 'Intent']) {
    const java = readFileSync(join(gen, `${e}.java`), 'utf8');
    expect(java).toMatch(/\bIPV4\("IPv4"\)/);
    expect(java).toMatch(/\bIPV6\("IPv6"\)/);
    expect(java).not.toMatch(/I_PV_/);
  }
}

/** wsdl2h and soapcpp2 had nothing to say about the contract, and the header and stubs say what they should. */
function expectCleanGsoap(dir: string, headerFile: string, wsdl2h: Run, soapcpp2: Run): void {
  expect(complaints(wsdl2h)).toEqual([]);
  expect(complaints(soapcpp2)).toEqual([]);
  expect(soapcpp2.stdout + soapcpp2.stderr).toMatch(/Compilation successful/);
  // wsdl2h writes what it could not map into the header as notes; there must be none.
  const header = readFileSync(join(dir, headerFile), 'utf8');
  expect(header.split('\n').filter((l) => /@todo|\bundefined\b|Warning:/.test(l))).toEqual([]);
  // The fault detail is typed: SOAP_ENV__Detail has a member for tns:IpcdFault.
  expect(readFileSync(join(dir, 'soapStub.h'), 'utf8')).toMatch(/_ns1__IpcdFault \*ns1__IpcdFault;/);
  // wsdl2h read the WS-SecurityPolicy: the header tells the developer to add a UsernameToken.
  expect(header).toMatch(/Username token should be used/);
}

interface Released {
  allocationId: string;
  network: string;
  serverInstance: string;
  address: string | null;
  fqdn: string | null;
}
interface Commission {
  allocationId: string;
  network: string;
  dataCenter: string;
  vlan: number | null;
  source: string | null;
  address: string | null;
  prefixLength: number | null;
  gateway: string | null;
  name: string | null;
  zone: string | null;
  fqdn: string | null;
}
interface Decommission {
  releasedCount: number;
  released: Released[];
}
interface Fault {
  exception?: string;
  faultcode?: string;
  faultstring: string;
  code: string;
  message: string;
}
interface JavaReport {
  ok: boolean;
  binding: string;
  mismatches: string[];
  address: string;
  commission: Commission;
  nameOnly: { allocationId: string; network: string; dataCenter: string; name: string; zone: string; fqdn: string };
  decommissionByAddress: Decommission;
  decommissionByName: Decommission;
  unknownVlan: Fault;
}
interface GsoapReport {
  ok: boolean;
  soapVersion: number;
  mismatches: string[];
  address: string;
  commission: Commission;
  decommission: Decommission;
  unknownVlan: Fault;
}

describe('JAX-WS (wsimport) and gSOAP (wsdl2h/soapcpp2) clients against ipcd on PostgreSQL', () => {
  let ts: TestStore;
  let server: RunningServer;
  let work: string;
  const steps: Record<string, Run> = {};
  let java: JavaReport;
  let java12: JavaReport;
  let gsoap: GsoapReport;
  let gsoap12: GsoapReport;
  /** The generated client's classpath and the served WSDL, for the batch program run last. */
  let javaCp: string;
  let javaApp: string;
  let wsdlAt: string;

  beforeAll(async () => {
    const missing = [
      ...Object.entries(COMMANDS)
        .filter(([c]) => !onPath(c))
        .map(([c, pkg]) => `${c} (${pkg})`),
      ...Object.entries(FILES)
        .filter(([f]) => !existsSync(f))
        .map(([f, pkg]) => `${f} (${pkg})`),
    ];
    if (missing.length) {
      throw new Error(
        `missing: ${missing.join(', ')}. .ci/run must install jaxws, gsoap and libgsoap-dev (its "need" list); this suite installs nothing and skips nothing.`,
      );
    }

    ts = await openTestStore('postgres');
    await loadExampleTopology(ts.store);
    server = await startServer(ts.store);
    work = mkdtempSync(join(tmpdir(), 'ipcd-toolchains-'));
    const wsdlUrl = `${server.url}?wsdl`;
    const common = ['--data-center', 'dc1', '--vlan', '100', '--unknown-vlan', '999'];

    // JAX-WS: generate (wsimport compiles what it generates), compile the program, run it.
    const jgen = join(work, 'java-gen');
    const jsrc = join(work, 'java-src');
    const japp = join(work, 'java-app');
    for (const d of [jgen, jsrc, japp]) mkdirSync(d);
    // The README's command: the bindings file, and -extension for the SOAP 1.2 port.
    const wsimportArgs = (pkg: string, gen: string, src: string, url: string) => [
      '-extension',
      '-b',
      BINDINGS_FILE,
      '-keep',
      '-p',
      pkg,
      '-d',
      gen,
      '-s',
      src,
      url,
    ];
    steps.wsimport = must('wsimport', await run('wsimport', wsimportArgs(JAVA_PACKAGE, jgen, jsrc, wsdlUrl)));
    const cp = [japp, jgen, JAXWS_RT].join(delimiter);
    [javaCp, javaApp, wsdlAt] = [cp, japp, wsdlUrl];
    steps.javac = must('javac', await run('javac', ['-cp', cp, '-d', japp, JAVA_SOURCE]));
    const javaRun = (extra: string[]) =>
      run('java', [
        // Debian's SAAJ registers its factory under the old service name; naming it here keeps the
        // runtime from logging a deprecation warning on every call.
        '-Djavax.xml.soap.SAAJMetaFactory=com.sun.xml.messaging.saaj.soap.SAAJMetaFactoryImpl',
        '-cp',
        cp,
        'IpcdLifecycle',
        wsdlUrl,
        ...common,
        ...extra,
      ]);
    steps.java = await javaRun(['--instance', 'jaxws-vm']);
    java = report('IpcdLifecycle (Java)', steps.java);
    steps.java12 = await javaRun(['--soap12', '--instance', 'jaxws12-vm']);
    java12 = report('IpcdLifecycle (Java, SOAP 1.2)', steps.java12);

    // gSOAP: WSDL → annotated header → C++ proxy and serializers → compiled client → run.
    const g = join(work, 'gsoap');
    mkdirSync(g);
    // -N: a proxy per binding (without it wsdl2h warns that it merged the two bindings into one).
    steps.wsdl2h = must('wsdl2h', await run('wsdl2h', ['-Nns1', '-o', 'ipcd.h', wsdlUrl], { cwd: g }));
    steps.soapcpp2 = must(
      'soapcpp2',
      await run('soapcpp2', ['-j', '-C', '-x', `-I${GSOAP_IMPORT}`, 'ipcd.h'], { cwd: g }),
    );
    const flags = must('pkg-config', await run('pkg-config', ['--cflags', '--libs', 'gsoap++']))
      .stdout.trim()
      .split(/\s+/);
    steps['g++'] = must(
      'g++',
      await run(
        'g++',
        [
          '-O0',
          '-I.',
          `-I${GSOAP_CUSTOM}`,
          '-o',
          'client',
          GSOAP_SOURCE,
          'soapC.cpp',
          'soapIpcdSoapBindingProxy.cpp',
          'soapIpcdSoap12BindingProxy.cpp',
          join(GSOAP_CUSTOM, 'struct_timeval.c'),
          ...flags,
        ],
        { cwd: g },
      ),
    );
    steps.client = await run(join(g, 'client'), [server.url, ...common, '--instance', 'gsoap-vm'], {
      timeoutMs: 60_000,
    });
    gsoap = report('client (gSOAP)', steps.client);
    steps.client12 = await run(
      join(g, 'client'),
      [server.url, '--soap', '1.2', ...common, '--instance', 'gsoap12-vm'],
      { timeoutMs: 60_000 },
    );
    gsoap12 = report('client (gSOAP, SOAP 1.2)', steps.client12);

    // The management WSDL: generated (and, by wsimport, compiled) with the same commands.
    const adminWsdl = `${server.base}/ipcd-admin?wsdl`;
    const [agen, asrc, ag] = ['admin-java-gen', 'admin-java-src', 'admin-gsoap'].map((d) => join(work, d));
    for (const d of [agen, asrc, ag]) mkdirSync(d);
    [steps.wsimportAdmin, steps.wsdl2hAdmin] = await Promise.all([
      run('wsimport', wsimportArgs(JAVA_ADMIN_PACKAGE, agen, asrc, adminWsdl)).then((r) =>
        must('wsimport (management)', r),
      ),
      run('wsdl2h', ['-Nns1', '-o', 'ipcd-admin.h', adminWsdl], { cwd: ag }).then((r) =>
        must('wsdl2h (management)', r),
      ),
    ]);
    steps.soapcpp2Admin = must(
      'soapcpp2 (management)',
      await run('soapcpp2', ['-j', '-C', '-x', `-I${GSOAP_IMPORT}`, 'ipcd-admin.h'], { cwd: ag }),
    );

    if (process.env.IPCD_TOOLCHAIN_TIMINGS) {
      process.stderr.write(
        `toolchain steps (ms): ${JSON.stringify(Object.fromEntries(Object.entries(steps).map(([k, r]) => [k, r.ms])))}\n`,
      );
    }
  }, 600_000);

  afterAll(async () => {
    await server?.close();
    await ts?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('JAX-WS', () => {
    test('wsimport generated a client from the served WSDL and the bindings file without a warning about the contract', () => {
      expect(complaints(steps.wsimport, WSIMPORT_WHITELIST)).toEqual([]);
      const gen = join(work, 'java-src', ...JAVA_PACKAGE.split('.'));
      // One method per operation, request element in, response element out, typed fault thrown.
      const sei = readFileSync(join(gen, 'IpcdPortType.java'), 'utf8');
      expect(sei).toMatch(
        /public CommissionIPResponse commissionIP\(\s*@WebParam\([^)]*\)\s*CommissionIP parameters\)\s*throws IpcdFault_Exception/,
      );
      expect(sei).toMatch(/public NameOnlyResponse nameOnly\(/);
      expect(sei).toMatch(/public DecommissionIPResponse decommissionIP\(/);
      expect(readFileSync(join(gen, 'IpcdFault_Exception.java'), 'utf8')).toMatch(/public IpcdFault getFaultInfo\(\)/);
      // Both ports, and the enumeration constants the bindings file names.
      const service = readFileSync(join(gen, 'IpcdService.java'), 'utf8');
      expect(service).toMatch(/public IpcdPortType getIpcdPort\(\)/);
      expect(service).toMatch(/public IpcdPortType getIpcdSoap12Port\(\)/);
      expectEnumNames(gen);
    });

    test('the Java program ran the lifecycle on the SOAP 1.2 port, typed fault included', () => {
      expect(java12.mismatches).toEqual([]);
      expect(java12.ok).toBe(true);
      expect(steps.java12.code).toBe(0);
      expect(complaints(steps.java12, JAXWS_RUNTIME_WHITELIST)).toEqual([]);
      expect(java12.binding).toBe('http://www.w3.org/2003/05/soap/bindings/HTTP/');
      expect(java.binding).toBe('http://schemas.xmlsoap.org/wsdl/soap/http');
      expect(java12.address).toBe(server.url);
      expect(java12.commission).toMatchObject({
        dataCenter: 'dc1',
        vlan: 100,
        network: 'dc1-v100-a',
        source: 'VLAN',
        zone: 'dc1.example.com',
      });
      expect(java12.decommissionByAddress.released[0]).toMatchObject({
        allocationId: java12.commission.allocationId,
        serverInstance: 'jaxws12-vm-1',
      });
      expect(java12.unknownVlan).toMatchObject({ exception: 'IpcdFault_Exception', code: 'UNKNOWN_VLAN' });
    });

    test('the Java program ran the lifecycle without a mismatch', () => {
      expect(java.mismatches).toEqual([]);
      expect(java.ok).toBe(true);
      expect(steps.java.code).toBe(0);
      // No warning from the JAX-WS runtime either, but that it has no WS-SecurityPolicy support.
      expect(complaints(steps.java, JAXWS_RUNTIME_WHITELIST)).toEqual([]);
      // The generated service took the endpoint from the served WSDL.
      expect(java.address).toBe(server.url);
    });

    test('typed responses that agree with the topology', () => {
      const c = java.commission;
      expect(c).toMatchObject({
        dataCenter: 'dc1',
        vlan: 100,
        network: 'dc1-v100-a',
        source: 'VLAN',
        prefixLength: 24,
        gateway: '10.0.0.1',
        zone: 'dc1.example.com',
      });
      expect(c.address).toMatch(/^10\.0\.0\.\d{1,3}$/);
      expect(c.fqdn).toBe(`${c.name}.dc1.example.com`);
      const n = java.nameOnly;
      expect(n).toMatchObject({ dataCenter: 'dc1', zone: 'dc1.example.com' });
      expect(n.name).not.toBe(c.name);
      expect(java.decommissionByAddress).toEqual({
        releasedCount: 1,
        released: [
          {
            allocationId: c.allocationId,
            network: c.network,
            serverInstance: 'jaxws-vm-1',
            address: c.address,
            fqdn: c.fqdn,
          },
        ],
      });
      expect(java.decommissionByName).toEqual({
        releasedCount: 1,
        released: [
          {
            allocationId: n.allocationId,
            network: n.network,
            serverInstance: 'jaxws-vm-2',
            address: null,
            fqdn: n.fqdn,
          },
        ],
      });
    });

    test('UNKNOWN_VLAN arrived as the generated IpcdFault_Exception with typed fault info', () => {
      const f = java.unknownVlan;
      expect(f).toMatchObject({ exception: 'IpcdFault_Exception', code: 'UNKNOWN_VLAN' });
      expect(f.message).toMatch(/VLAN 999/);
      expect(f.message).toBe(f.faultstring);
    });
  });

  describe('gSOAP', () => {
    test('wsdl2h and soapcpp2 processed the served WSDL without a warning about the contract', () => {
      expectCleanGsoap(join(work, 'gsoap'), 'ipcd.h', steps.wsdl2h, steps.soapcpp2);
    });

    test('the C++ client ran without a mismatch, at the address the served WSDL names', () => {
      expect(gsoap.mismatches).toEqual([]);
      expect(gsoap.ok).toBe(true);
      expect(steps.client.code).toBe(0);
      expect(gsoap.address).toBe(server.url);
    });

    test('typed responses and a typed fault detail', () => {
      const c = gsoap.commission;
      expect(c).toMatchObject({
        dataCenter: 'dc1',
        vlan: 100,
        network: 'dc1-v100-a',
        source: 'VLAN',
        prefixLength: 24,
        gateway: '10.0.0.1',
        zone: 'dc1.example.com',
      });
      expect(c.fqdn).toBe(`${c.name}.dc1.example.com`);
      expect(gsoap.decommission).toEqual({
        releasedCount: 1,
        released: [
          {
            allocationId: c.allocationId,
            network: c.network,
            serverInstance: 'gsoap-vm-1',
            address: c.address,
            fqdn: c.fqdn,
          },
        ],
      });
      expect(gsoap.unknownVlan).toMatchObject({ faultcode: 'SOAP-ENV:Client', code: 'UNKNOWN_VLAN' });
      expect(gsoap.unknownVlan.message).toBe(gsoap.unknownVlan.faultstring);
      expect(gsoap.soapVersion).toBe(1);
    });

    test('the SOAP 1.2 proxy ran the same calls in SOAP 1.2, a Sender fault with the typed detail', () => {
      expect(gsoap12.mismatches).toEqual([]);
      expect(gsoap12.ok).toBe(true);
      expect(steps.client12.code).toBe(0);
      expect(gsoap12.soapVersion).toBe(2);
      expect(gsoap12.commission).toMatchObject({ dataCenter: 'dc1', vlan: 100, network: 'dc1-v100-a', source: 'VLAN' });
      expect(gsoap12.decommission.released[0]).toMatchObject({
        allocationId: gsoap12.commission.allocationId,
        serverInstance: 'gsoap12-vm-1',
      });
      expect(gsoap12.unknownVlan).toMatchObject({ faultcode: 'SOAP-ENV:Sender', code: 'UNKNOWN_VLAN' });
      expect(gsoap12.unknownVlan.message).toBe(gsoap12.unknownVlan.faultstring);
    });
  });

  describe('the management WSDL', () => {
    test('wsimport -extension -b wsdl/jaxws-bindings.xml generated and compiled its client without a warning about the contract', () => {
      expect(complaints(steps.wsimportAdmin, WSIMPORT_WHITELIST)).toEqual([]);
      const gen = join(work, 'admin-java-src', ...JAVA_ADMIN_PACKAGE.split('.'));
      // The bindings file applies here too: non-wrapper methods with the typed fault, both ports, IPV4/IPV6.
      const sei = readFileSync(join(gen, 'IpcdAdminPortType.java'), 'utf8');
      expect(sei).toMatch(
        /public AddDataCenterResponse addDataCenter\(\s*@WebParam\([^)]*\)\s*AddDataCenter parameters\)\s*throws IpcdFault_Exception/,
      );
      const service = readFileSync(join(gen, 'IpcdAdminService.java'), 'utf8');
      expect(service).toMatch(/public IpcdAdminPortType getIpcdAdminPort\(\)/);
      expect(service).toMatch(/public IpcdAdminPortType getIpcdAdminSoap12Port\(\)/);
      expectEnumNames(gen);
      // wsimport compiled what it generated.
      expect(existsSync(join(work, 'admin-java-gen', ...JAVA_ADMIN_PACKAGE.split('.'), 'IpcdAdminService.class'))).toBe(
        true,
      );
    });

    test('wsdl2h -N and soapcpp2 generated a proxy per binding without a warning about the contract', () => {
      const dir = join(work, 'admin-gsoap');
      expectCleanGsoap(dir, 'ipcd-admin.h', steps.wsdl2hAdmin, steps.soapcpp2Admin);
      for (const b of ['IpcdAdminSoapBinding', 'IpcdAdminSoap12Binding'])
        expect(existsSync(join(dir, `soap${b}Proxy.cpp`))).toBe(true);
    });
  });

  test('the database holds exactly what the two clients were issued, all of it released', async () => {
    const rows: {
      id: string;
      address: string | null;
      name: string | null;
      server_instance: string;
      released: boolean;
    }[] = await ts.store.dataSource.query(
      `SELECT id, host(address) AS address, name, server_instance, released_at IS NOT NULL AS released
         FROM allocation ORDER BY created_at, id`,
    );
    const jc = java.commission;
    const jn = java.nameOnly;
    const j12 = java12.commission;
    const j12n = java12.nameOnly;
    const gc = gsoap.commission;
    const g12 = gsoap12.commission;
    // The faults issued nothing: only the successful commissions left rows.
    expect(rows).toEqual([
      { id: jc.allocationId, address: jc.address, name: jc.name, server_instance: 'jaxws-vm-1', released: true },
      { id: jn.allocationId, address: null, name: jn.name, server_instance: 'jaxws-vm-2', released: true },
      { id: j12.allocationId, address: j12.address, name: j12.name, server_instance: 'jaxws12-vm-1', released: true },
      { id: j12n.allocationId, address: null, name: j12n.name, server_instance: 'jaxws12-vm-2', released: true },
      { id: gc.allocationId, address: gc.address, name: gc.name, server_instance: 'gsoap-vm-1', released: true },
      { id: g12.allocationId, address: g12.address, name: g12.name, server_instance: 'gsoap12-vm-1', released: true },
    ]);
    const usage = await networkUsage(ts.store);
    expect(usage.filter((u) => u.used !== 0n).map((u) => u.network.name)).toEqual([]);
    const active = await ts.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation a JOIN data_center d ON d.id = a.requested_dc_id
       WHERE d.name = 'dc1' AND a.requested_vlan = 100 AND a.released_at IS NULL`,
    );
    expect(active[0].n).toBe(0);
  });

  // Run after the database check above, which counts the lifecycle programs' allocations only.
  describe('JAX-WS batch operations', () => {
    let batch: { ok: boolean; mismatches: string[]; outcomes: string[] };
    beforeAll(async () => {
      steps.javacBatch = must('javac', await run('javac', ['-cp', javaCp, '-d', javaApp, JAVA_BATCH_SOURCE]));
      steps.javaBatch = await run('java', [
        SAAJ,
        '-cp',
        javaCp,
        'IpcdBatch',
        wsdlAt,
        '--data-center',
        'dc1',
        '--vlan',
        '100',
        '--unknown-vlan',
        '999',
        '--instance',
        'jaxws-batch',
      ]);
      batch = report<typeof batch>('IpcdBatch (Java)', steps.javaBatch);
    }, 120_000);

    test('the generated port has one typed method per batch operation', () => {
      expect(steps.wsimport.code).toBe(0);
      expect(batch.outcomes).toEqual([
        'first=ok,ok,UNKNOWN_VLAN',
        'again=ok,ok,UNKNOWN_VLAN',
        'atomic=BATCH_ABORTED,UNKNOWN_VLAN',
      ]);
    });

    test('the Java program ran the batches without a mismatch, and the database agrees', async () => {
      expect(batch.mismatches).toEqual([]);
      expect(steps.javaBatch.code).toBe(0);
      expect(complaints(steps.javaBatch, JAXWS_RUNTIME_WHITELIST)).toEqual([]);
      const rows = await ts.store.dataSource.query(
        `SELECT server_instance, released_at IS NOT NULL AS released FROM allocation WHERE server_instance LIKE 'jaxws-batch-%' ORDER BY 1`,
      );
      expect(rows).toEqual([
        { server_instance: 'jaxws-batch-1', released: true },
        { server_instance: 'jaxws-batch-2', released: true },
      ]);
    });
  });
});
