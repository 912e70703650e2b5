/**
 * The bench's topology and orchestrator account, made the way an operator makes them: through
 * the management SOAP service (/ipcd-admin) as the first administrator, never through src/ logic
 * in this process (the server runs elsewhere and may cache what it reads).
 */
import { ADMIN_NS, SoapClient, type Credentials, type Fields } from './soap-client';

export const DC = 'bench-dc';
export const ZONE = 'bench.test';
export const ORCHESTRATOR = 'bench-orchestrator';

export interface NetworkSpec {
  name: string;
  cidr: string;
  vlan: number;
  zone: string;
}

export class Management {
  private readonly client: SoapClient;

  constructor(adminUrl: string, admin: Credentials) {
    this.client = new SoapClient(adminUrl, 1, { ns: ADMIN_NS, credentials: admin });
  }

  private async call(operation: string, fields: Fields): Promise<Record<string, string>> {
    const r = await this.client.call(operation, fields);
    if (r.fault) throw new Error(`${operation} ${JSON.stringify(fields)}: fault ${r.fault.code}: ${r.fault.message}`);
    return r.values;
  }

  addDataCenter = (name: string) => this.call('AddDataCenter', { name, description: 'benchmark' });
  addZone = (name: string) => this.call('AddZone', { name });
  addNetwork = (n: NetworkSpec) =>
    this.call('AddNetwork', { name: n.name, cidr: n.cidr, dataCenter: DC, vlan: n.vlan, zone: n.zone });
  /** An orchestrator limited to the bench's data center, as a real orchestrator would be. */
  addOrchestrator = (password: string) =>
    this.call('AddUser', { username: ORCHESTRATOR, password, role: 'orchestrator', grant: [{ dataCenter: DC }] });

  close(): void {
    this.client.close();
  }
}
