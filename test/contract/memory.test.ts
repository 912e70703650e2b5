/** The port contract on the in-memory backend. */
import { MemoryStore } from '../../src/store/memory/store';
import type { OpenBackend } from './suite/backend';
import { allocatorContract } from './suite/allocator';
import { batchContract } from './suite/batch';
import { containersContract } from './suite/containers';
import { recordsContract } from './suite/records';
import { topologyContract } from './suite/topology';

const open: OpenBackend = async () => {
  const store = new MemoryStore();
  return { allocator: store.allocator, transaction: (fn) => store.transaction(fn), dispose: () => store.close() };
};

allocatorContract('memory', open);
batchContract('memory', open);
topologyContract('memory', open);
containersContract('memory', open);
recordsContract('memory', open);
