/** Scratch check (not a mocha spec): exercises make-image, tls and image-server against real LXD and Incus. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readdirSync, closeSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { makeImage, makeSplitImage } from './make-image.js';
import { startImageServer } from './image-server.js';
import { makeTestCa, type TestCa } from './tls.js';

const exec = promisify(execFile);

interface Flavor {
  name: 'lxd' | 'incus';
  cli: string;
  daemon: string[];
  waitready: string[];
  dirVar: string;
  confVar: string;
}

const FLAVORS: Flavor[] = [
  {
    name: 'lxd',
    cli: 'lxc',
    daemon: ['lxd', '--group', 'root'],
    waitready: ['lxd', 'waitready', '--timeout', '60'],
    dirVar: 'LXD_DIR',
    confVar: 'LXD_CONF',
  },
  {
    name: 'incus',
    cli: 'incus',
    daemon: ['/usr/libexec/incus/incusd', '--group', 'root'],
    waitready: ['incus', 'admin', 'waitready', '--timeout', '60'],
    dirVar: 'INCUS_DIR',
    confVar: 'INCUS_CONF',
  },
];

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`  ok: ${what}`);
}

async function aliasTarget(cli: string, env: NodeJS.ProcessEnv, alias: string): Promise<string> {
  const { stdout } = await exec(cli, ['query', `/1.0/images/aliases/${alias}`], { env });
  return (JSON.parse(stdout) as { target: string }).target;
}

async function runFlavor(f: Flavor, ca: TestCa, work: string): Promise<void> {
  console.log(`\n=== ${f.name} ===`);
  const state = await mkdtemp(join(tmpdir(), `${f.name}-dir-`));
  const conf = await mkdtemp(join(tmpdir(), `${f.name}-conf-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [f.dirVar]: state,
    [f.confVar]: conf,
    SSL_CERT_FILE: ca.caCert,
    LC_ALL: 'C',
  };
  const log = openSync(join(state, 'daemon.log'), 'a');
  const [cmd = '', ...args] = f.daemon;
  const daemon: ChildProcess = spawn(cmd, args, { env, stdio: ['ignore', log, log] });
  closeSync(log);
  const server = await startImageServer({ tls: ca });
  const run = async (...argv: string[]): Promise<string> => {
    try {
      return (await exec(f.cli, argv, { env })).stdout;
    } catch (e) {
      const err = e as { stderr?: string };
      throw new Error(`${f.cli} ${argv.join(' ')} failed: ${err.stderr ?? String(e)}`, {
        cause: e,
      });
    }
  };
  try {
    const [w = '', ...wargs] = f.waitready;
    await exec(w, wargs, { env });
    const v1 = await makeImage(work, { description: `${f.name} v1` });
    server.publish({
      os: 'testos',
      release: '1.0',
      aliases: ['testos/1.0', 'testos'],
      version: '20261123_0000',
      image: v1,
    });

    await run('remote', 'add', 'ss', server.url, '--protocol', 'simplestreams', '--public');
    const list = JSON.parse(await run('image', 'list', 'ss:', '--format', 'json')) as {
      fingerprint: string;
    }[];
    check(
      list.some((i) => i.fingerprint === v1.fingerprint),
      `image list ss: shows v1 ${v1.fingerprint.slice(0, 12)}`,
    );

    const copyOut = await run(
      'image',
      'copy',
      'ss:testos',
      'local:',
      '--alias',
      't',
      '--auto-update',
    );
    console.log(`  copy stdout: ${JSON.stringify(copyOut)}`);
    check((await aliasTarget(f.cli, env, 't')) === v1.fingerprint, 'alias t -> v1');

    const d = await makeImage(work, { description: `${f.name} direct` });
    const importOut = await run('image', 'import', server.directUrl(d), '--alias', 'u');
    console.log(`  url import stdout: ${JSON.stringify(importOut)}`);
    check(
      (await aliasTarget(f.cli, env, 'u')) === d.fingerprint,
      'alias u -> direct image fingerprint',
    );

    const s = await makeSplitImage(work, { description: `${f.name} split` });
    const splitOut = await run('image', 'import', s.metadata, s.rootfs, '--alias', 's');
    console.log(`  split import stdout: ${JSON.stringify(splitOut)}`);
    check(
      (await aliasTarget(f.cli, env, 's')) === s.fingerprint,
      'split fingerprint = sha256(meta + rootfs)',
    );

    const upToDate = await run('image', 'refresh', 't');
    console.log(`  refresh (nothing new) stdout: ${JSON.stringify(upToDate)}`);

    const v2 = await makeImage(work, { description: `${f.name} v2` });
    server.publish({
      os: 'testos',
      release: '1.0',
      aliases: ['testos'],
      version: '20261124_0000',
      image: v2,
    });
    const cached = await run('image', 'refresh', 't');
    console.log(`  refresh (new version, daemon cache kept) stdout: ${JSON.stringify(cached)}`);
    for (const entry of await readdir(join(state, 'cache')))
      await rm(join(state, 'cache', entry), { recursive: true, force: true });
    const refreshed = await run('image', 'refresh', 't');
    console.log(`  refresh (new version, cache removed) stdout: ${JSON.stringify(refreshed)}`);
    check(/refreshed/i.test(refreshed), 'refresh says refreshed');
    check((await aliasTarget(f.cli, env, 't')) === v2.fingerprint, 'alias t -> v2 after refresh');

    const fetched = server.requests
      .filter((r) => r.path.startsWith('/images/'))
      .map((r) => `${r.method} ${r.path.slice(8, 20)}`);
    console.log(`  image file requests: ${fetched.join(', ')}`);
  } finally {
    await server.close();
    daemon.kill('SIGTERM');
    if (daemon.exitCode === null) await new Promise((ok) => daemon.once('exit', ok));
    await rm(state, { recursive: true, force: true });
    await rm(conf, { recursive: true, force: true });
  }
}

async function checkThrottle(ca: TestCa, work: string): Promise<void> {
  console.log('\n=== throttle ===');
  const server = await startImageServer({ tls: ca, dir: work });
  const img = await makeImage(work, { filler: 300_000 });
  server.throttle(200_000);
  const t0 = Date.now();
  const got = await new Promise<number>((ok, fail) => {
    request(server.imageUrl(img), { ca: readFileSync(ca.caCert) }, (res) => {
      let n = 0;
      res
        .on('data', (c: Buffer) => (n += c.length))
        .on('end', () => {
          ok(n);
        })
        .on('error', fail);
    })
      .on('error', fail)
      .end();
  });
  const secs = (Date.now() - t0) / 1000;
  check(got === img.size && secs > 1.2, `throttled ${got} bytes in ${secs.toFixed(2)}s at 200kB/s`);
  // Abort mid-transfer: close() must not hang on a slow body.
  const partial = new Promise<string>((ok) => {
    request(server.imageUrl(img), { ca: readFileSync(ca.caCert) }, (res) => {
      res.once('data', () => void server.close());
      res
        .on('error', () => {
          ok('aborted');
        })
        .on('end', () => {
          ok('ended');
        })
        .on('close', () => {
          ok('closed');
        });
    })
      .on('error', () => {
        ok('aborted');
      })
      .end();
  });
  check((await partial) !== 'ended', `close() mid-transfer drops the body (${await partial})`);
}

const before = existsSync(join(homedir(), '.cache', 'incus'))
  ? readdirSync(join(homedir(), '.cache', 'incus'))
  : [];
const work = await mkdtemp(join(tmpdir(), 'image-server-check-'));
try {
  const ca = await makeTestCa(join(work, 'tls'));
  await checkThrottle(ca, work);
  for (const f of FLAVORS) await runFlavor(f, ca, work);
  console.log('\nALL CHECKS PASSED');
} finally {
  await rm(work, { recursive: true, force: true });
  const cacheDir = join(homedir(), '.cache', 'incus');
  if (existsSync(cacheDir)) {
    for (const e of readdirSync(cacheDir))
      if (!before.includes(e)) await rm(join(cacheDir, e), { recursive: true, force: true });
  }
}
