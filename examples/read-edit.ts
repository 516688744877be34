// Reading and editing images and aliases, each call chained with `.then`.
// Run with `node --import tsx examples/read-edit.ts [--incus]` (root).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError } from '../lib/index.js';
import { makeImage, startSandbox } from '../lib/testing/index.js';

const binary = process.argv.includes('--incus') ? 'incus' : 'lxc';
const work = await mkdtemp(join(tmpdir(), 'lxc-images-example-'));
const sandbox = await startSandbox({ binary });
const { images } = sandbox.client;
try {
  const { path } = await makeImage(work, { os: 'alpine', release: '3.19' });
  const fp = await images.import(
    'local',
    path,
    { aliases: ['alpine/3.19'] },
    (image) => image.fingerprint,
  );

  await images.list('local', { filter: 'os=alpine' }).then((list) => {
    console.log(
      'list:',
      list.map((i) => `${i.fingerprint.slice(0, 12)} ${i.properties.release ?? ''}`),
    );
  });
  await images
    .info('local', fp.slice(0, 8), (image) => image.size)
    .then((size) => {
      console.log('info by prefix, size:', size);
    });
  await images.getByAlias('local', 'alpine/3.19').then((image) => {
    console.log('getByAlias:', image.fingerprint === fp);
  });
  await images.update('local', fp, { public: true, properties: { owner: 'ops' } }).then((image) => {
    console.log('update (PATCH):', image.public, image.properties);
  });
  await images
    .replace('local', fp, { properties: { os: 'alpine', release: '3.19' } })
    .then((image) => {
      console.log('replace (PUT): properties', image.properties, 'profiles kept', image.profiles);
    });
  await images.setProperty('local', fp, 'team', 'web').then((image) => {
    console.log('setProperty:', image.properties.team);
  });
  await images.unsetProperty('local', fp, 'team').then((image) => {
    console.log('unsetProperty removed it:', !('team' in image.properties));
  });
  await images.aliases.create('local', { name: 'web', target: fp, description: 'front end' });
  await images.aliases.update('local', 'web', { description: 'front-end image' });
  await images.aliases.rename('local', 'web', 'www').then((alias) => {
    console.log('alias renamed:', alias);
  });
  await images.aliases
    .list('local', (aliases) => aliases.map((a) => a.name))
    .then((names) => {
      console.log('aliases:', names);
    });
  await images.aliases.delete('local', 'www');
  await images.aliases.info('local', 'www').catch((error: unknown) => {
    console.log('deleted alias gives NotFoundError:', error instanceof NotFoundError);
  });
  await images.delete('local', fp);
} finally {
  await sandbox.stop();
  await rm(work, { recursive: true, force: true });
}
