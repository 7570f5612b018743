import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, portAnswers, waitFor } from '../../infra/dev/services.ts';

/**
 * A real OpenLDAP server (Debian's slapd, installed by prepare.sh) for one
 * test file: its own slapd.conf, mdb database and port on loopback, seeded
 * with slapadd before it starts (no network round trips), removed by `stop`.
 * Nothing of the system's slapd (config, database, service) is used.
 */

export interface LdapUser {
  uid: string;
  password: string;
  /** Further attributes of the inetOrgPerson entry (cn and sn default to the uid). */
  attributes?: Record<string, string | string[]>;
}

export interface RunningSlapd {
  url: string;
  port: number;
  suffix: string;
  /** The service account that may search (and read) the people branch. */
  bindDn: string;
  bindPassword: string;
  /** Where the users are: `ou=people,<suffix>`. */
  peopleDn: string;
  /** Stop the server (the directory stays, so `start` serves the same entries again). */
  kill(): Promise<void>;
  /** Start it again on the same port after `kill`. */
  start(): Promise<void>;
  /** Stop it and remove its directory. */
  stop(): Promise<void>;
}

const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

/** RFC 2307 `{SSHA}`: a salted SHA-1 that slapd checks simple binds against (never the cleartext in the entry). */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** An LDIF attribute line; values that LDIF cannot carry plainly are base64 (`attr:: …`). */
function line(name: string, value: string): string {
  const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value);
  return safe && !value.endsWith(' ') ? `${name}: ${value}` : `${name}:: ${Buffer.from(value).toString('base64')}`;
}

function seedLdif(suffix: string, bindDn: string, bindPassword: string, users: LdapUser[]): string {
  const dc = /^dc=([^,]+)/.exec(suffix)![1]!;
  const entries = [
    [`dn: ${suffix}`, 'objectClass: dcObject', 'objectClass: organization', `dc: ${dc}`, `o: ${dc}`],
    [`dn: ou=people,${suffix}`, 'objectClass: organizationalUnit', 'ou: people'],
    [`dn: ou=services,${suffix}`, 'objectClass: organizationalUnit', 'ou: services'],
    [
      `dn: ${bindDn}`,
      'objectClass: organizationalRole',
      'objectClass: simpleSecurityObject',
      `cn: ${/^cn=([^,]+)/.exec(bindDn)![1]}`,
      line('userPassword', ssha(bindPassword)),
    ],
    ...users.map((u) => {
      const attrs: Record<string, string | string[]> = { cn: u.uid, sn: u.uid, ...u.attributes };
      return [
        `dn: uid=${u.uid},ou=people,${suffix}`,
        'objectClass: inetOrgPerson',
        line('uid', u.uid),
        line('userPassword', ssha(u.password)),
        ...Object.entries(attrs).flatMap(([name, value]) =>
          (Array.isArray(value) ? value : [value]).map((v) => line(name, v)),
        ),
      ];
    }),
  ];
  return `${entries.map((e) => e.join('\n')).join('\n\n')}\n`;
}

function slapdConf(dir: string, suffix: string, bindDn: string): string {
  return [
    ...['core', 'cosine', 'inetorgperson'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'loglevel none',
    'database mdb',
    'maxsize 16777216',
    `suffix "${suffix}"`,
    `directory ${join(dir, 'db')}`,
    // Passwords are only ever compared by a bind; the service account reads everything else, users their own entry.
    'access to attrs=userPassword by anonymous auth by * none',
    `access to * by dn.exact="${bindDn}" read by self read by * none`,
    '',
  ].join('\n');
}

/** Start a seeded slapd on a free loopback port; wait until it answers. */
export async function startSlapd(users: LdapUser[], suffix = 'dc=example,dc=test'): Promise<RunningSlapd> {
  const slapd = process.env.SLAPD ?? '/usr/sbin/slapd';
  const slapadd = process.env.SLAPADD ?? '/usr/sbin/slapadd';
  const dir = mkdtempSync(join(tmpdir(), 'tessera-slapd-'));
  mkdirSync(join(dir, 'db'));
  const bindDn = `cn=reader,ou=services,${suffix}`;
  const bindPassword = randomBytes(12).toString('base64url');
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, slapdConf(dir, suffix, bindDn));
  writeFileSync(join(dir, 'seed.ldif'), seedLdif(suffix, bindDn, bindPassword, users));
  // -q: quick mode (no consistency checks; a fresh database from our own LDIF).
  await promisify(execFile)(slapadd, ['-q', '-f', conf, '-l', join(dir, 'seed.ldif')]);
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    // -d 0: stay in the foreground (a child this process can stop), logging nothing.
    child = spawn(slapd, ['-f', conf, '-h', `${url}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await waitFor('slapd', () => portAnswers(port), 10_000, child);
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${stderr.trim()}`);
    }
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url,
    port,
    suffix,
    bindDn,
    bindPassword,
    peopleDn: `ou=people,${suffix}`,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
