/** CLI commands for a zone's DNS server and TSIG key (publication of records: src/logic/dns). */
import { readFileSync } from 'node:fs';
import { clearZoneDns, listDnsZones, setZoneDns } from '../logic/dns/dns-config';
import { parseSecretKey } from '../logic/access/passwords';
import { dash, JSON_DETAIL, JSON_OPTION, required, str, type Command } from './command';
import { json, table } from './output';
import { UsageError } from './usage';

export const DNS_COMMANDS: Command[] = [
  {
    words: ['zone', 'dns', 'set'],
    synopsis: 'ZONE|PREFIX --server HOST[:PORT] --key-file FILE [--key-name NAME] [--algorithm ALG] [--ttl SECONDS]',
    summary: 'publish a zone (or the reverse zone of a prefix) to its authoritative server by signed dynamic update',
    details: [
      '  ZONE                a forward zone added with `ipcd zone add` (A/AAAA records of its names)',
      '  PREFIX              e.g. 10.0.0.0/8 or 2001:db8::/48: PTR records of addresses in it go to the reverse',
      '                      zone it names (0.10.in-addr.arpa); octet (IPv4) or nibble (IPv6) boundaries only.',
      '                      The longest configured prefix holding an address wins.',
      '  --server HOST[:PORT] the primary that accepts RFC 2136 updates (port 53 by default; TCP)',
      '  --key-file FILE     the TSIG key as `tsig-keygen NAME` writes it, or a file holding just the base64',
      '                      secret (then give --key-name). Sealed under IPCD_SECRET_KEY when that is set.',
      '  --key-name NAME     the key name (default: the one in the key file)',
      '  --algorithm ALG     hmac-sha256 (default), hmac-sha384 or hmac-sha512',
      '  --ttl SECONDS       TTL of the published records (default 300)',
      '',
      'Names already issued in the zone are published at once; setting it again retries what failed.',
    ].join('\n'),
    positionals: ['ZONE|PREFIX'],
    options: {
      server: { type: 'string' },
      'key-file': { type: 'string' },
      'key-name': { type: 'string' },
      algorithm: { type: 'string' },
      ttl: { type: 'string' },
    },
    plan({ positionals: [target], values }, io) {
      const cmd = 'zone dns set';
      const server = required(values, 'server', cmd);
      const keyFile = required(values, 'key-file', cmd);
      return async (store) => {
        let key: string;
        try {
          key = readFileSync(keyFile, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read --key-file ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
        }
        const sealKey = parseSecretKey(process.env.IPCD_SECRET_KEY);
        const z = await setZoneDns(
          store,
          target,
          {
            server,
            key,
            keyName: str(values, 'key-name'),
            algorithm: str(values, 'algorithm'),
            ttl: str(values, 'ttl'),
          },
          { sealKey },
        );
        io.out(
          `${z.kind === 'reverse' ? `reverse zone ${z.zone} (${z.prefix})` : `zone ${z.zone}`}: published to ${z.server} with key ${z.keyName} (${z.algorithm}), TTL ${z.ttl}`,
        );
        if (!sealKey)
          io.err('ipcd: warning: IPCD_SECRET_KEY is not set, so the TSIG secret is stored unsealed in the database');
      };
    },
  },
  {
    words: ['zone', 'dns', 'off'],
    synopsis: 'ZONE|PREFIX',
    summary: 'stop publishing a zone (or remove a reverse zone); records already published stay',
    details: '  Changes not yet delivered are dropped; allocations then show DNS state NOT_CONFIGURED.',
    positionals: ['ZONE|PREFIX'],
    options: {},
    plan:
      ({ positionals: [target] }, io) =>
      async (store) => {
        const z = await clearZoneDns(store, target);
        io.out(
          `${z.kind === 'reverse' ? `reverse zone ${z.zone} (${z.prefix}) removed` : `zone ${z.zone}: no longer published`}`,
        );
      },
  },
  {
    words: ['zone', 'dns', 'list'],
    synopsis: '[--json]',
    summary: 'list where each zone and reverse zone is published (never the TSIG secret)',
    details: JSON_DETAIL,
    positionals: [],
    options: JSON_OPTION,
    plan:
      ({ values }, io) =>
      async (store) => {
        const zones = await listDnsZones(store);
        if (values.json) io.out(json(zones));
        else {
          io.out(
            table(
              ['ZONE', 'PREFIX', 'SERVER', 'KEY', 'ALGORITHM', 'TTL', 'SECRET'],
              zones.map((z) => [
                z.zone,
                dash(z.prefix),
                z.server ?? 'not configured',
                dash(z.keyName),
                dash(z.algorithm),
                dash(z.ttl),
                z.sealed === null ? '-' : z.sealed ? 'sealed' : 'unsealed',
              ]),
            ),
          );
        }
      },
  },
];
