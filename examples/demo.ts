// The main job: a private sandbox daemon, and an image taken through its whole life.
// Run with `npm run demo` (root; installs lxd when it is missing on Debian).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeImage, startSandbox } from '../lib/testing/index.js';

const binary = process.argv.includes('--incus') ? 'incus' : 'lxc';
const work = await mkdtemp(join(tmpdir(), 'lxc-images-demo-'));
const step = (text: string): void => {
  console.log(`• ${text}`);
};

step(`starting a private ${binary === 'lxc' ? 'lxd' : 'incusd'} sandbox`);
const sandbox = await startSandbox({ binary });
try {
  const { images } = sandbox.client;
  const tarball = await makeImage(work, {
    os: 'demo-os',
    release: '1.0',
    description: 'lxc-images demo',
  });
  step(`generated ${tarball.path} (${tarball.size} bytes)`);

  const imported = await images.import('local', tarball.path, { properties: { owner: 'demo' } });
  step(
    `imported ${imported.fingerprint.slice(0, 12)} (${imported.architecture}, ${imported.size} bytes)`,
  );

  await images.list('local', { filter: 'os=demo-os' }).then((list) => {
    step(
      `listed ${list.length} image(s) with os=demo-os: ${list.map((i) => i.fingerprint.slice(0, 12)).join(', ')}`,
    );
  });

  const owner = await images.info('local', imported.fingerprint, (image) => image.properties.owner);
  step(
    `read it back: owner=${owner ?? '(none)'}, uploaded ${String(imported.uploaded_at?.toISOString())}`,
  );

  const alias = await images.aliases.create('local', {
    name: 'demo/latest',
    target: imported.fingerprint,
  });
  step(`aliased it as ${alias.name} -> ${alias.target.slice(0, 12)}`);
  step(
    `info by alias gives ${await images.info('local', 'demo/latest', (i) => i.fingerprint.slice(0, 12))}`,
  );

  const exported = await images.export('local', 'demo/latest', join(work, 'exported.tar.gz'));
  step(`exported to ${exported.files.join(', ')}`);

  await images.delete('local', 'demo/latest');
  step(`deleted it; exists now: ${String(await images.exists('local', imported.fingerprint))}`);
} finally {
  await sandbox.stop();
  await rm(work, { recursive: true, force: true });
  step('sandbox stopped and removed');
}
