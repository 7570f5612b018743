import type { Command } from 'commander';
import { type CommandContext, enc, TENANTS } from '../command-context.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { allPages } from '../pages.ts';
import { readJsonFile } from '../read-json-file.ts';
import { readSecret } from '../secret-input.ts';
import { dataPlaneCall } from './data-plane.ts';

const USERS = '/directory/rest/v1/users';
const PASSWORD_ENV = 'TESSERA_USER_PASSWORD';

type UserView = Record<string, unknown> & { sub: string; username: string };

const row = (u: UserView) => ({ sub: u.sub, username: u.username, created_at: u.created_at });

/**
 * `tessera users …`: the users of a tenant's built-in directory. Listing goes
 * through the control plane (never a password hash); creating and deleting
 * through the data plane's directory API with an integration API token.
 */
export function userCommands(program: Command, x: CommandContext): void {
  const group = x.cmd(program, 'users', "the users of a tenant's built-in directory");
  x.cmd(group, 'list', 'list the users (every page), or find one by username')
    .argument('<tid>')
    .option('--username <username>', 'only the user with this username')
    .option('--limit <n>', 'page size', '100')
    .action(async (tid: string, o: { username?: string; limit: string }) => {
      const all = await allPages<UserView>(x.api(), `${TENANTS}/${enc(tid)}/users`, 'users', {
        limit: o.limit,
        username: o.username,
      });
      x.print(x.format() === 'json' ? all : all.map(row));
    });
  x.cmd(group, 'create', `create a user; the password from standard input or ${PASSWORD_ENV}, never argv`)
    .argument('<tid>')
    .requiredOption('--username <username>', 'its sign-in name (unique in the tenant)')
    .option('--sub <sub>', 'its subject (default: one the directory makes)')
    .option('--claims-file <file>', 'JSON file: its OpenID Connect claims ({"name": …, "email": …})')
    .option('--password-stdin', `read the password from standard input (else ${PASSWORD_ENV})`)
    .addOption(x.apiTokenOption())
    .action(
      async (
        tid: string,
        o: { username: string; sub?: string; claimsFile?: string; passwordStdin?: boolean; apiToken?: string },
      ) => {
        const claims = o.claimsFile === undefined ? undefined : readJsonFile(o.claimsFile);
        if (claims !== undefined && (typeof claims !== 'object' || claims === null || Array.isArray(claims)))
          throw new CliError(`${o.claimsFile} must hold a JSON object (the claims)`, EXIT.refused);
        const password = await readSecret({
          fromStdin: o.passwordStdin === true,
          stdin: x.stdin,
          env: x.env,
          envName: PASSWORD_ENV,
          what: "the user's password",
          stdinFlag: '--password-stdin',
        });
        const body = {
          username: o.username,
          password,
          ...(o.sub !== undefined ? { sub: o.sub } : {}),
          ...(claims !== undefined ? { claims } : {}),
        };
        x.print(
          await x.withApiToken(tid, o.apiToken, (issuer, token) => dataPlaneCall(issuer, token, 'POST', USERS, body)),
        );
      },
    );
  x.cmd(group, 'delete', 'delete a user: its sessions end, what it granted is revoked')
    .argument('<tid>')
    .argument('<sub>')
    .addOption(x.apiTokenOption())
    .action(async (tid: string, sub: string, o: { apiToken?: string }) => {
      await x.withApiToken(tid, o.apiToken, (issuer, token) =>
        dataPlaneCall(issuer, token, 'DELETE', `${USERS}/${enc(sub)}`),
      );
      x.print({ sub, deleted: true });
    });
}
