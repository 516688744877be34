// Publishes a container and a snapshot of it as images, with the daemon's packing progress, on
// both transports. The container runs when this machine can run containers (then `force` stops
// it, publishes it and starts it again); otherwise it stays stopped and the example says why.
// Run with `node --import tsx examples/publish.ts [--incus]` (root).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ProgressEvent } from '../lib/index.js';
import {
  containerSupport,
  createInstance,
  makeImage,
  snapshotInstance,
  startSandbox,
} from '../lib/testing/index.js';

const binary = process.argv.includes('--incus') ? 'incus' : 'lxc';
const work = await mkdtemp(join(tmpdir(), 'lxc-images-publish-'));
const sandbox = await startSandbox({ binary });

// Redraws one line: the stage, a 30-character bar and the percent.
function bar(event: ProgressEvent): void {
  const percent = event.percent ?? 0;
  const filled = Math.round((percent / 100) * 30);
  process.stdout.write(
    `\r  ${event.stage} [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${percent}%   `,
  );
}

try {
  // a bootable image with 8 MB of random data, so that xz takes a few seconds
  const base = await makeImage(work, { bootable: true, filler: 8_000_000 });
  await sandbox.client.images.import('local', base.path, { aliases: ['base'] });
  const { supported, reason } = await containerSupport(sandbox, 'base');
  console.log(supported ? 'containers run here' : `the container stays stopped: ${reason}`);
  for (const transport of ['cli', 'rest'] as const) {
    const client = createClient({ binary, env: sandbox.env, transport });
    const name = `web-${transport}`;
    await createInstance(sandbox, 'base', name, { start: supported });
    await snapshotInstance(sandbox, name, 'snap0');
    console.log(`publish ${name} over ${transport}:`);
    const image = await client.images.publish('local', name, {
      aliases: [`web/${transport}`],
      properties: { version: '2' },
      compression: 'xz',
      force: true, // needed while it runs
      onProgress: bar,
    });
    console.log(
      `\n  -> ${image.fingerprint.slice(0, 12)}, ${image.size} bytes, aliases ${image.aliases.map((a) => a.name).join(', ')}`,
    );
    // without properties, LXD would pack both snapshots (of the same image) into one tarball
    const snap = await client.images.publish('local', `${name}/snap0`, {
      properties: { snapshot: `${name}/snap0` },
      onProgress: bar,
    });
    console.log(
      `\n  -> snapshot ${snap.fingerprint.slice(0, 12)}: ${JSON.stringify(snap.properties)}`,
    );
  }
} finally {
  await sandbox.stop();
  await rm(work, { recursive: true, force: true });
}
