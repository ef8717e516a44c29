// Mosquitto (the Debian package) as a real, separate broker process for client tests: a free loopback port, plain
// TCP or TLS with a certificate from the test PKI (tools/certs/pki.ts), a password file, an ACL and no anonymous
// access. ensureMosquitto() installs the package with apt-get when the binary is missing (the project's way of
// getting it onto a fresh CI machine; needs root and the Debian mirror, as `bash .ci/run` has).
// Not modelled: OpenRemote specifics (Artemis link-stealing denial, Keycloak login delay, topic authorisation).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyAndCert } from '../certs/pki';

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];
const PASSWD_CANDIDATES = ['/usr/bin/mosquitto_passwd', '/usr/sbin/mosquitto_passwd'];

function find(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

/** Path of the mosquitto binary, installing the Debian package first if needed. Throws with the apt output when
 * that is impossible (not root, no mirror). */
export function ensureMosquitto(): { mosquitto: string; passwd: string } {
  let mosquitto = find(CANDIDATES);
  let passwd = find(PASSWD_CANDIDATES);
  if (!mosquitto || !passwd) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env, timeout: 240_000 });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'mosquitto'], { encoding: 'utf8', env, timeout: 240_000 });
    mosquitto = find(CANDIDATES);
    passwd = find(PASSWD_CANDIDATES);
    if (!mosquitto || !passwd) {
      throw new Error(`mosquitto is not installed and apt-get could not install it:\n${update.stderr ?? ''}${install.stdout ?? ''}${install.stderr ?? ''}`);
    }
  }
  return { mosquitto, passwd };
}

export interface MosquittoOptions {
  /** username → password (hashed into a password file with mosquitto_passwd). The file is `user:hash`, so a
   * username cannot contain ':' — OpenRemote's `realm:user` form cannot be tested against mosquitto. */
  users: Record<string, string>;
  /** ACL file lines, e.g. ['user master:dev1', 'topic readwrite master/dev1/#']. Default: every user may use
   * everything. */
  acl?: string[];
  /** Serve TLS (1.2+) with this server key and certificate; plain TCP when absent. */
  tls?: KeyAndCert;
}

export interface MosquittoBroker {
  readonly port: number;
  /** What the broker logged so far (stderr). */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`mosquitto did not listen on ${port}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoBroker> {
  const { mosquitto, passwd } = ensureMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  const passwordFile = join(dir, 'passwd');
  writeFileSync(passwordFile, '', { mode: 0o600 });
  for (const [user, password] of Object.entries(options.users)) {
    if (user.includes(':')) throw new RangeError(`mosquitto usernames cannot contain ':' (${user})`);
    const r = spawnSync(passwd, ['-b', passwordFile, user, password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
  }
  const aclFile = join(dir, 'acl');
  writeFileSync(aclFile, (options.acl ?? ['pattern readwrite #']).join('\n') + '\n', { mode: 0o600 });

  const port = await freePort();
  const lines = [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${passwordFile}`,
    `acl_file ${aclFile}`,
    'persistence false',
    'user root', // tests run as root; do not drop to the "mosquitto" user, which could not read the temp files
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    `listener ${port} 127.0.0.1`,
  ];
  if (options.tls) {
    writeFileSync(join(dir, 'server.crt'), options.tls.cert);
    writeFileSync(join(dir, 'server.key'), options.tls.key, { mode: 0o600 });
    lines.push(`certfile ${join(dir, 'server.crt')}`, `keyfile ${join(dir, 'server.key')}`, 'tls_version tlsv1.2');
  }
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, lines.join('\n') + '\n');

  const child = spawn(mosquitto, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const log = () => output;
  try {
    await waitForPort(port, child, log);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
