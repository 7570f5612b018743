import type { Command, Option } from 'commander';
import type { Client } from './client.ts';
import type { OutputFormat } from './output.ts';

/** What a group of commands (commands/*.ts) gets from the program that holds it. */
export interface CommandContext {
  /** A control-plane client for the chosen profile (resolved when a command runs, not when it is declared). */
  api(): Client;
  format(): OutputFormat;
  print(value: unknown): void;
  /** A note on stderr (stdout stays parseable). */
  note(line: string): void;
  /** A subcommand with the program's output and exit handling. */
  cmd(parent: Command, name: string, description: string): Command;
  /**
   * Run `f` with the tenant's issuer and an integration API token: `given`, or
   * one minted through the control plane for this call and revoked after it.
   */
  withApiToken<T>(tid: string, given: string | undefined, f: (issuer: string, token: string) => Promise<T>): Promise<T>;
  /** `--api-token` (or TESSERA_API_TOKEN): a new instance for each command. */
  apiTokenOption(): Option;
  /** The whole of standard input. */
  stdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
}

export const TENANTS = '/tenants/rest/v1';
export const enc = encodeURIComponent;
