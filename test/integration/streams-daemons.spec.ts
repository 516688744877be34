import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Image } from '../../lib/index.js';
import { add, list, verify } from '../../lib/streams/index.js';
import {
  makeImage,
  makeSplitImage,
  startSandbox,
  startStreamServer,
  type Sandbox,
  type StreamServer,
  type TestImage,
  type TestSplitImage,
} from '../../lib/testing/index.js';
import { BINARIES, clearDaemonCache } from '../support/env.js';

// `images.list` of a simplestreams remote says `project: ''` on Incus; a tree has no projects.
function withoutProject(images: Image[]): Image[] {
  return images.map((image) => {
    const copy = { ...image };
    delete copy.project;
    return copy;
  });
}

// A tree written by the library, served over loopback HTTPS, read by the real clients and daemons.
for (const binary of BINARIES) {
  describe(`streams: a tree served to ${binary === 'lxc' ? 'LXD' : 'Incus'} (client and daemon)`, function () {
    let tmp: string;
    let dir: string;
    let server: StreamServer;
    const stops: (() => Promise<void>)[] = [];
    let sandbox: Sandbox;
    let unified: TestImage;
    let split: TestSplitImage;

    before(async function () {
      tmp = await mkdtemp(join(tmpdir(), `lxc-images-streams-${binary}-`));
      dir = join(tmp, 'tree');
      unified = await makeImage(join(tmp, 'src'), {
        os: 'uni',
        seed: `${binary}-${Math.random()}`,
      });
      split = await makeSplitImage(join(tmp, 'src'), {
        os: 'spl',
        seed: `${binary}-${Math.random()}`,
      });
      await add(dir, unified.path, { aliases: ['uni'] });
      await add(dir, { metadata: split.metadata, rootfs: split.rootfs }, { aliases: ['spl'] });
      server = await startStreamServer(dir);
      stops.push(() => server.stop());
      sandbox = await startSandbox({ binary, env: server.env });
      stops.push(() => sandbox.stop());
      await sandbox.run([
        'remote',
        'add',
        'ss',
        server.url,
        '--protocol=simplestreams',
        '--public',
      ]);
    });
    after(async function () {
      for (const stop of stops.reverse()) await stop();
      await rm(tmp, { recursive: true, force: true });
    });

    it('the client lists the tree exactly as streams.list does', async function () {
      const { stdout } = await sandbox.run(['image', 'list', 'ss:', '--format=json']);
      const raw = (JSON.parse(stdout) as { fingerprint: string }[])
        .map((i) => i.fingerprint)
        .sort();
      expect(raw).to.deep.equal([unified.fingerprint, split.fingerprint].sort());
      for (const transport of ['cli', 'rest'] as const) {
        const client = createClient({ binary, env: sandbox.env, transport });
        expect(withoutProject(await client.images.list('ss')), transport).to.deep.equal(
          await list(dir),
        );
      }
    });

    it('the daemon copies a unified and a split image from it, by alias', async function () {
      const a = await sandbox.client.images.copy('ss', 'uni', 'local', {
        aliases: ['u'],
        autoUpdate: true,
      });
      expect(a.fingerprint).to.equal(unified.fingerprint);
      expect(a.update_source?.protocol).to.equal('simplestreams');
      const b = await sandbox.client.images.copy('ss', 'spl', 'local', {
        aliases: ['s'],
        autoUpdate: true,
      });
      expect(b.fingerprint).to.equal(split.fingerprint);
      expect(b.size).to.be.above(0);
    });

    it('the daemon refreshes both images to the newer versions added to the tree', async function () {
      const newer = await makeImage(join(tmp, 'src'), {
        os: 'uni',
        seed: `${binary}-v2-${Math.random()}`,
      });
      const newerSplit = await makeSplitImage(join(tmp, 'src'), {
        os: 'spl',
        seed: `${binary}-v2-${Math.random()}`,
      });
      const v2 = await add(dir, newer.path);
      await add(dir, { metadata: newerSplit.metadata, rootfs: newerSplit.rootfs });
      expect(v2.aliases.map((a) => a.name)).to.include('uni');
      expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
      await clearDaemonCache(sandbox); // the daemon keeps the index for an hour
      expect(await sandbox.client.images.refresh('local', 'u')).to.deep.equal({ refreshed: true });
      expect(await sandbox.client.images.info('local', 'u', (i) => i.fingerprint)).to.equal(
        newer.fingerprint,
      );
      const { stdout } = await sandbox.run(['image', 'refresh', 's']);
      expect(stdout).to.match(/refreshed/i);
      expect(await sandbox.client.images.info('local', 's', (i) => i.fingerprint)).to.equal(
        newerSplit.fingerprint,
      );
    });

    for (const transport of ['cli', 'rest'] as const) {
      it(`adds an image exported from a daemon (${transport}), unified and split, under the daemon's fingerprint`, async function () {
        const client = createClient({ binary, env: sandbox.env, transport });
        const own = await makeImage(join(tmp, 'src'), {
          os: 'fromdaemon',
          seed: `${transport}-${Math.random()}`,
        });
        await client.images.import('local', own.path, { aliases: [`own-${transport}`] });
        const target = join(tmp, `from-daemon-${transport}`);
        const a = await add(target, { client, remote: 'local', ref: `own-${transport}` });
        expect(a.fingerprint).to.equal(own.fingerprint);
        const b = await add(target, { client, remote: 'local', ref: 's' }, { os: 'splitcopy' });
        expect(b.fingerprint).to.equal(
          await client.images.info('local', 's', (i) => i.fingerprint),
        );
        expect(b.properties.type).to.equal('root.tar.xz');
        expect(await verify(target)).to.deep.equal({ ok: true, problems: [] });
        expect((await list(target)).map((i) => i.fingerprint).sort()).to.deep.equal(
          [a.fingerprint, b.fingerprint].sort(),
        );
      });
    }
  });
}
