/** The port contract on the embedded store (PGlite over its socket). */
import { openSqlBackend } from './sql-backend';
import type { OpenBackend } from './suite/backend';
import { allocatorContract } from './suite/allocator';
import { batchContract } from './suite/batch';
import { containersContract } from './suite/containers';
import { recordsContract } from './suite/records';
import { topologyContract } from './suite/topology';

const open: OpenBackend = () => openSqlBackend('embedded');

allocatorContract('pglite', open);
batchContract('pglite', open);
topologyContract('pglite', open);
containersContract('pglite', open);
recordsContract('pglite', open);
