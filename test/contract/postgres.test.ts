/** The port contract on PostgreSQL (a fresh database per suite). */
import { openSqlBackend } from './sql-backend';
import type { OpenBackend } from './suite/backend';
import { allocatorContract } from './suite/allocator';
import { batchContract } from './suite/batch';
import { containersContract } from './suite/containers';
import { recordsContract } from './suite/records';
import { topologyContract } from './suite/topology';

const open: OpenBackend = () => openSqlBackend('postgres');

allocatorContract('postgres', open);
batchContract('postgres', open);
topologyContract('postgres', open);
containersContract('postgres', open);
recordsContract('postgres', open);
