// Rolls three builds of an image out: each is ensured on a staging sandbox, then synced to three
// production sandboxes with `keep: 2`, with a progress line per target. The second ensure of a
// build changes nothing. Run with `node --import tsx examples/rollout.ts [--incus]` (root).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, SyncError, type ProgressEvent } from '../lib/index.js';
import { makeImage, startSandbox, type Sandbox } from '../lib/testing/index.js';

const binary = process.argv.includes('--incus') ? 'incus' : 'lxc';
const PRODUCTION = ['prod1', 'prod2', 'prod3'];
const work = await mkdtemp(join(tmpdir(), 'lxc-images-rollout-'));
const start = (): Promise<Sandbox> => startSandbox({ binary, listen: true, instances: false });
const staging = await start();
const production = await Promise.all(PRODUCTION.map(start));

// One line per target, redrawn in place on a terminal (else a line at each quarter).
function progressLines(): (event: ProgressEvent) => void {
  const percents = new Map<string, number>(PRODUCTION.map((name) => [name, 0]));
  let drawn = false;
  return (event) => {
    const { remote, percent } = event;
    if (remote === undefined || percent === undefined || !percents.has(remote)) return;
    const before = percents.get(remote) ?? 0;
    percents.set(remote, percent);
    if (!process.stdout.isTTY) {
      if (Math.floor(percent / 25) > Math.floor(before / 25))
        console.log(`  ${remote} ${percent}%`);
      return;
    }
    if (drawn) process.stdout.write(`\x1b[${percents.size}A`);
    for (const [name, value] of percents) {
      const bar = '#'.repeat(Math.round(value / 5)).padEnd(20, '.');
      process.stdout.write(`  ${name} [${bar}] ${String(value).padStart(3)}%\n`);
    }
    drawn = true;
  };
}

try {
  for (const [i, sandbox] of production.entries())
    await staging.addRemote(PRODUCTION[i] ?? '', sandbox);
  const lxc = createClient({ binary, env: staging.env, transport: 'rest' });
  const product = { variant: 'default', architecture: 'x86_64' };
  for (const version of ['1', '2', '3']) {
    // build: here a tarball; `{ instance, snapshot }` publishes a container's snapshot once
    const build = await makeImage(work, {
      os: 'app',
      release: '1',
      seed: `app ${version}`,
      filler: 4_000_000,
    });
    const spec = {
      source: build.path,
      aliases: ['app'],
      properties: { ...product, version },
      keep: 2,
    };
    await lxc.images
      .ensure('local', spec)
      .then(({ image, actions }) => {
        console.log(
          `build ${version}: ${image.fingerprint.slice(0, 12)} on staging (${actions.map((a) => a.action).join(', ')})`,
        );
        return lxc.images.ensure('local', spec);
      })
      .then(({ changed }) => {
        console.log(`  ensured again: changed ${changed}`);
      })
      .then(() =>
        lxc.images.sync('local', 'app', PRODUCTION, {
          aliases: ['app'],
          keep: 2,
          mode: 'relay',
          onProgress: progressLines(),
        }),
      )
      .then(({ results }) => {
        for (const r of results) {
          const deleted = r.actions.filter((a) => a.action === 'delete').length;
          console.log(
            `  ${r.remote}: ${r.status}${deleted > 0 ? `, ${deleted} older image deleted` : ''}`,
          );
        }
      })
      .catch((error: unknown) => {
        if (error instanceof SyncError)
          for (const r of error.results)
            console.error(`  ${r.remote}: ${r.status} ${r.error?.message ?? ''}`);
        throw error;
      });
  }
  const held = await Promise.all(PRODUCTION.map((name) => lxc.images.list(name, (l) => l.length)));
  console.log(`images on production: ${held.join(', ')} (keep: 2)`);
} finally {
  await Promise.all([staging, ...production].map((s) => s.stop()));
  await rm(work, { recursive: true, force: true });
}
