// Copies an image between two sandbox daemons, drawing a progress bar, in each copy mode, on
// both transports. Pull mode reports the target's download; relay mode the bytes moved through
// this client (over REST; the CLI's relay prints nothing until it ends); push mode the end.
// Run with `node --import tsx examples/copy-progress.ts [--incus]` (root).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ProgressEvent } from '../lib/index.js';
import { makeImage, startSandbox } from '../lib/testing/index.js';

const binary = process.argv.includes('--incus') ? 'incus' : 'lxc';
const work = await mkdtemp(join(tmpdir(), 'lxc-images-copy-'));
const source = await startSandbox({ binary, listen: true });
const target = await startSandbox({ binary, listen: true });

// Redraws one line: a 30-character bar, the percent, the bytes and the speed.
function bar(event: ProgressEvent): void {
  const percent = event.percent ?? 0;
  const filled = Math.round((percent / 100) * 30);
  const bytes = event.bytes === undefined ? '' : ` ${(event.bytes / 1e6).toFixed(1)} MB`;
  const speed = event.speed === undefined ? '' : ` ${(event.speed / 1e6).toFixed(1)} MB/s`;
  process.stdout.write(
    `\r  [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${percent}%${bytes}${speed}   `,
  );
}

try {
  await source.addRemote('target', target);
  const image = await makeImage(work, { filler: 64_000_000 });
  await source.client.images.import('local', image.path, { aliases: ['big'] });
  for (const transport of ['cli', 'rest'] as const) {
    const client = createClient({ binary, env: source.env, transport });
    for (const mode of ['pull', 'push', 'relay'] as const) {
      console.log(`copy in ${mode} mode over ${transport}:`);
      const copied = await client.images.copy('local', 'big', 'target', {
        mode,
        aliases: [`big-${mode}`],
        onProgress: bar,
      });
      console.log(`\n  -> ${copied.fingerprint.slice(0, 12)} on the target, ${copied.size} bytes`);
      await target.client.images.delete('local', copied.fingerprint);
    }
  }
} finally {
  await Promise.all([source.stop(), target.stop()]);
  await rm(work, { recursive: true, force: true });
}
