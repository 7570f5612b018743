import type { Command } from 'commander';
import { type CommandContext, enc } from '../command-context.ts';
import { CliError, EXIT } from '../exit-codes.ts';

const ADMIN_TOKENS = '/admin-tokens/rest/v1';

interface MintedAdminToken {
  access_token: string;
  token_type: string;
  expires_in: number;
  tid: string | null;
  jti: string;
}

/** `tessera admin-tokens create|revoke`: admin JWTs (operator key only), optionally scoped to one tenant. */
export function adminTokenCommands(program: Command, x: CommandContext): void {
  const group = x.cmd(program, 'admin-tokens', 'admin JWTs for tools that should not hold the operator key');
  x.cmd(group, 'create', 'mint an admin JWT (shown this once), optionally scoped to one tenant')
    .option('--tid <tid>', 'scope it to this tenant (default: all tenants)')
    .option('--expires-in <seconds>', 'its lifetime', '3600')
    .action(async (o: { tid?: string; expiresIn: string }) => {
      const expiresIn = Number(o.expiresIn);
      if (!/^\d+$/.test(o.expiresIn) || !Number.isSafeInteger(expiresIn))
        throw new CliError(`--expires-in must be a whole number of seconds, not "${o.expiresIn}"`, EXIT.usage);
      const minted = await x
        .api()
        .call<MintedAdminToken>('POST', ADMIN_TOKENS, { ...(o.tid ? { tid: o.tid } : {}), expires_in: expiresIn });
      x.note(`the token is shown this once; revoke it with: tessera admin-tokens revoke ${minted.jti}`);
      x.print(
        x.format() === 'json'
          ? minted
          : { jti: minted.jti, tid: minted.tid, expires_in: minted.expires_in, token: minted.access_token },
      );
    });
  x.cmd(group, 'revoke', 'revoke an admin JWT by its jti (its next use is refused)')
    .argument('<jti>')
    .action(async (jti: string) => {
      await x.api().call('DELETE', `${ADMIN_TOKENS}/${enc(jti)}`);
      x.print({ jti, revoked: true });
    });
}
