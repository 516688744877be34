import { makeImage, makeSplitImage, startSandbox, startStreamServer } from './lib/testing/index.js';
import { add, list } from './lib/streams/index.js';
import { rm } from 'node:fs/promises';
const dir = '/tmp/st/tree2'; await rm(dir, { recursive: true, force: true });
const img = await makeImage('/tmp/st/src', { os: 'realos' });
await add(dir, img.path, { aliases: ['realos'] });
const sp = await makeSplitImage('/tmp/st/src', { os: 'splitos' });
await add(dir, { metadata: sp.metadata, rootfs: sp.rootfs });
const server = await startStreamServer(dir);
for (const binary of ['lxc', 'incus'] as const) {
  const sb = await startSandbox({ binary, env: server.env });
  try {
    await sb.run(['remote', 'add', 'ss', server.url, '--protocol=simplestreams', '--public']);
    const out = await sb.run(['image', 'list', 'ss:', '--format=json']);
    const viaCli = await sb.client.images.list('ss');
    const mine = await list(dir);
    console.log(binary, JSON.stringify(viaCli) === JSON.stringify(mine) ? 'SAME' : 'DIFF');
    const norm = (l: any[]) => l.map((i) => JSON.stringify(Object.fromEntries(Object.entries(i).sort())));
    console.log(norm(viaCli)); console.log(norm(mine));
    const c = await sb.client.images.copy('ss', 'realos', 'local', { autoUpdate: true });
    console.log(binary, 'copied', c.fingerprint === img.fingerprint);
    const c2 = await sb.client.images.copy('ss', 'splitos/1.0', 'local');
    console.log(binary, 'copied split', c2.fingerprint === sp.fingerprint);
  } catch (e) { console.log(binary, e); } finally { await sb.stop(); }
}
await server.stop();
