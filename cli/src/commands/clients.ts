import type { Command } from 'commander';
import { type CommandContext, enc, TENANTS } from '../command-context.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { allPages } from '../pages.ts';
import { readJsonFile } from '../read-json-file.ts';
import { dataPlaneCall } from './data-plane.ts';

type ClientView = Record<string, unknown> & { client_id: string };

const row = (c: ClientView) => ({
  client_id: c.client_id,
  client_name: c.client_name,
  grant_types: Array.isArray(c.grant_types) ? c.grant_types.join(',') : c.grant_types,
  token_endpoint_auth_method: c.token_endpoint_auth_method,
  created_at: c.created_at,
});

/**
 * `tessera clients …`: a tenant's OAuth clients. Reading goes through the
 * control plane (never a secret); registering and deleting through the data
 * plane's registration API (RFC 7591/7592) with an integration API token.
 */
export function clientCommands(program: Command, x: CommandContext): void {
  const group = x.cmd(program, 'clients', "a tenant's OAuth clients");
  const list = (tid: string, limit: string) =>
    allPages<ClientView>(x.api(), `${TENANTS}/${enc(tid)}/clients`, 'clients', { limit });
  x.cmd(group, 'list', 'list the clients (every page; never a secret)')
    .argument('<tid>')
    .option('--limit <n>', 'page size', '100')
    .action(async (tid: string, o: { limit: string }) => {
      const all = await list(tid, o.limit);
      x.print(x.format() === 'json' ? all : all.map(row));
    });
  x.cmd(group, 'get', 'show one client (its registered metadata; never its secret)')
    .argument('<tid>')
    .argument('<client_id>')
    .action(async (tid: string, clientId: string) => {
      const found = (await list(tid, '100')).find((c) => c.client_id === clientId);
      if (!found) throw new CliError(`no client "${clientId}" in tenant ${tid}`, EXIT.notFound);
      x.print(found);
    });
  x.cmd(group, 'register', 'register a client from a JSON file of RFC 7591 metadata; prints its secret this once')
    .argument('<tid>')
    .requiredOption('--file <file>', 'the client metadata: {client_name, redirect_uris, grant_types, …}')
    .addOption(x.apiTokenOption())
    .action(async (tid: string, o: { file: string; apiToken?: string }) => {
      const metadata = readJsonFile(o.file);
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
        throw new CliError(`${o.file} must hold a JSON object (the client metadata)`, EXIT.refused);
      const registered = await x.withApiToken(tid, o.apiToken, (issuer, token) =>
        dataPlaneCall<ClientView>(issuer, token, 'POST', '/clients', metadata),
      );
      if (registered.client_secret || registered.registration_access_token)
        x.note('the client secret and registration access token are shown this once');
      x.print(registered);
    });
  x.cmd(group, 'delete', 'delete a client (it can no longer authenticate)')
    .argument('<tid>')
    .argument('<client_id>')
    .addOption(x.apiTokenOption())
    .action(async (tid: string, clientId: string, o: { apiToken?: string }) => {
      await x.withApiToken(tid, o.apiToken, (issuer, token) =>
        dataPlaneCall(issuer, token, 'DELETE', `/clients/${enc(clientId)}`),
      );
      x.print({ client_id: clientId, deleted: true });
    });
}
