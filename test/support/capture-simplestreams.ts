// Captures what the real `lxc` and `incus` clients print for the tree of ss-tree.ts, as the
// fixtures of test/unit/simplestreams-*.spec.ts. Run: node --import tsx test/support/capture-simplestreams.ts
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LxcError } from '../../lib/wire/errors.js';
import { createExecaRunner } from '../../lib/transport/cli/runner.js';
import { startImageServer } from './image-server.js';
import { readerTree } from './ss-tree.js';
import { makeTestCa } from './tls.js';

const OUT = join(import.meta.dirname, '..', 'fixtures', 'simplestreams');

/** What `image info` said for one ref: a fingerprint, or an error message. */
export interface InfoCapture {
  ref: string;
  vm: boolean;
  fingerprint?: string;
  error?: string;
}

/** The refs whose resolution the fixtures record: every alias, hex prefixes, misses. */
export function infoRefs(aliasNames: readonly string[], fingerprints: readonly string[]): string[] {
  const hex = Array.from({ length: 16 }, (_, i) => i.toString(16));
  const prefixes = fingerprints.map((f) => f.slice(0, 12));
  return [...new Set([...aliasNames, ...hex, ...prefixes, ...fingerprints, 'nosuch', 'ABC'])];
}

// Runs one client against the server and writes its outputs.
async function capture(
  binary: 'lxc' | 'incus',
  url: string,
  dir: string,
  ca: string,
): Promise<void> {
  const flavor = binary === 'lxc' ? 'lxd' : 'incus';
  const env = {
    LXD_CONF: join(dir, `${binary}-conf`),
    INCUS_CONF: join(dir, `${binary}-conf`),
    INCUS_CACHE: join(dir, `${binary}-cache`),
    SSL_CERT_FILE: ca,
    SSL_CERT_DIR: join(ca, '..'),
  };
  const run = createExecaRunner({ binary, env });
  await run(['remote', 'add', 'ss', url, '--protocol=simplestreams', '--public']);
  const list = (await run(['image', 'list', 'ss:', '--format=json'])).stdout;
  const aliases = (await run(['image', 'alias', 'list', 'ss:', '--format=json'])).stdout;
  await writeFile(join(OUT, `image-list.${flavor}.json`), list);
  await writeFile(join(OUT, `alias-list.${flavor}.json`), aliases);
  const names = (JSON.parse(aliases) as { name: string }[]).map((a) => a.name);
  const fps = (JSON.parse(list) as { fingerprint: string }[]).map((i) => i.fingerprint);
  const infos: InfoCapture[] = [];
  for (const ref of infoRefs(names, fps)) {
    for (const vm of [false, true]) {
      const args = ['image', 'info', `ss:${ref}`, ...(vm ? ['--vm'] : [])];
      try {
        const out = (await run(args)).stdout;
        infos.push({ ref, vm, fingerprint: /^Fingerprint: (\S+)$/m.exec(out)?.[1] ?? '' });
      } catch (error) {
        infos.push({ ref, vm, error: error instanceof LxcError ? error.message : String(error) });
      }
    }
  }
  await writeFile(join(OUT, `info.${flavor}.json`), JSON.stringify(infos, null, 1) + '\n');
}

const tmp = await mkdtemp(join(tmpdir(), 'lxc-images-capture-'));
try {
  const ca = await makeTestCa(join(tmp, 'tls'));
  const server = await startImageServer({ tls: ca });
  const tree = readerTree();
  for (const [key, product] of Object.entries(tree)) server.publishProduct(key, product);
  await mkdir(OUT, { recursive: true });
  const base = { format: 'products:1.0', datatype: 'image-downloads', content_id: 'images' };
  await writeFile(join(OUT, 'products.json'), JSON.stringify({ ...base, products: tree }));
  for (const binary of ['lxc', 'incus'] as const) await capture(binary, server.url, tmp, ca.caCert);
  await server.close();
} finally {
  await rm(tmp, { recursive: true, force: true });
}
