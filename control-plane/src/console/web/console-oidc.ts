import * as oidc from 'openid-client';
import type { ConsoleSettings } from '../console-settings.ts';

/**
 * The console as a relying party of the operator tenant, through
 * openid-client (discovery, PKCE, state, nonce, the ID token's checks):
 * one Configuration per settings, made again when the settings change.
 */
export class ConsoleOidc {
  private current: { key: string; config: Promise<oidc.Configuration> } | undefined;

  constructor(private readonly settings: () => Promise<ConsoleSettings | undefined>) {}

  async configuration(): Promise<{ settings: ConsoleSettings; config: oidc.Configuration } | undefined> {
    const settings = await this.settings();
    if (!settings) return undefined;
    const key = `${settings.issuer}\n${settings.clientId}\n${settings.clientSecret}`;
    if (this.current?.key !== key) {
      const config = oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        oidc.ClientSecretBasic(settings.clientSecret),
        // Development and tests serve the operator tenant over http on loopback; production issuers are https.
        settings.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      this.current = { key, config };
      config.catch(() => {
        if (this.current?.key === key) this.current = undefined;
      });
    }
    return { settings, config: await this.current.config };
  }
}

export const callbackUrl = (settings: ConsoleSettings) => `${settings.consoleUrl}/console/callback`;
export const signedOutUrl = (settings: ConsoleSettings) => `${settings.consoleUrl}/console/signed-out`;
