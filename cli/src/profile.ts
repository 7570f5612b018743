import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from './exit-codes.ts';

/** Where the CLI sends requests, and with which bearer credential (operator key or admin JWT). */
export interface Profile {
  url: string;
  token: string;
}

/** The config file: named profiles, `default` unless `--profile` names another. */
interface ConfigFile {
  profiles?: Record<string, Partial<Profile>>;
}

export function configPath(env: NodeJS.ProcessEnv): string {
  return env.TESSERA_CONFIG || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'tessera', 'config.json');
}

/**
 * The file holds credentials, so one that group or others may read is refused
 * (as ssh does with a private key) rather than used.
 */
export function checkPrivate(path: string, mode: number): void {
  if ((mode & 0o077) !== 0) {
    throw new CliError(
      `${path} is readable by others (mode ${(mode & 0o777).toString(8)}); it holds credentials: chmod 600 ${path}`,
      EXIT.refused,
    );
  }
}

/**
 * TESSERA_URL and TESSERA_TOKEN win over the file; the file (profile `name`,
 * default `default`) supplies what they leave out. An explicitly named
 * profile that the file lacks is a usage error.
 */
export function resolveProfile(env: NodeJS.ProcessEnv, name: string | undefined): Profile {
  let fromFile: Partial<Profile> = {};
  const needFile = name !== undefined || !env.TESSERA_URL || !env.TESSERA_TOKEN;
  const path = configPath(env);
  if (needFile) {
    let mode: number | undefined;
    try {
      mode = statSync(path).mode;
    } catch {
      if (name !== undefined) throw new CliError(`profile ${name}: no config file at ${path}`, EXIT.usage);
    }
    if (mode !== undefined) {
      checkPrivate(path, mode);
      let parsed: ConfigFile;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8')) as ConfigFile;
      } catch (e) {
        throw new CliError(`${path} is not valid JSON: ${(e as Error).message}`, EXIT.usage);
      }
      const profileName = name ?? 'default';
      const found = parsed.profiles?.[profileName];
      if (!found && name !== undefined) throw new CliError(`profile ${name} is not in ${path}`, EXIT.usage);
      fromFile = found ?? {};
    }
  }
  const url = env.TESSERA_URL || fromFile.url;
  const token = env.TESSERA_TOKEN || fromFile.token;
  if (!url || !token) {
    throw new CliError(
      `no control plane ${url ? 'token' : 'URL'}: set TESSERA_URL and TESSERA_TOKEN, or a profile in ${path}`,
      EXIT.usage,
    );
  }
  return { url: url.replace(/\/+$/, ''), token };
}
