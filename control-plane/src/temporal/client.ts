import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { connectionOptions } from './temporal-connection.ts';
import type { TemporalSettings } from './temporal-settings.ts';

export { WorkflowExecutionAlreadyStartedError };

/**
 * A Temporal client for starting and following workflows. The connection is
 * lazy: the control plane starts (and answers health checks) before Temporal
 * is reachable, and a call made while it is down fails, it does not hang the boot.
 */
export function createTemporalClient(
  settings: Pick<TemporalSettings, 'address' | 'tls' | 'apiKey' | 'namespace'>,
): Client {
  const connection = Connection.lazy(connectionOptions(settings));
  return new Client({ connection, namespace: settings.namespace });
}

export async function closeTemporalClient(client: Client): Promise<void> {
  await client.connection.close();
}
