import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/ports/clock.ts';
import { memoryPorts } from '../../src/ports/memory/memory-ports.ts';
import { runStoreContracts } from '../contracts/index.ts';

// The store contracts against the in-memory ports (the same contracts run on Redis and PostgreSQL in ../store-contracts.test.ts).
runStoreContracts('in-memory ports', async () => {
  const clock = new ManualClock(Date.UTC(2030, 0, 1));
  return {
    ports: memoryPorts(clock),
    clock,
    tenant: async () => `t-${randomBytes(4).toString('hex')}`,
    close: async () => undefined,
  };
});
