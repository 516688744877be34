import { expect } from 'chai';
import { join } from 'node:path';
import {
  LxcError,
  NotFoundError,
  RemoteError,
  type Client,
  type ImageAlias,
} from '../../lib/index.js';
import {
  createInstance,
  deleteInstance,
  makeSplitImage,
  snapshotInstance,
  type Sandbox,
  type TestImage,
} from '../../lib/testing/index.js';
import { countingClient, realTransport } from '../support/counting.js';
import { getWorld, newImage } from '../support/env.js';
import { startImageServer } from '../support/image-server.js';
import { eachDaemon } from '../support/matrix.js';
import { startPolling } from '../support/poll.js';
import { rejectionOf } from '../support/procs.js';
import { makeTestCa } from '../support/tls.js';

// Makes `peer` a remote of `main`'s client config once (the specs of both transports share it).
async function trustOnce(main: Sandbox, peer: Sandbox): Promise<void> {
  const names = await main.client.remotes.list((remotes) => remotes.map((r) => r.name));
  if (!names.includes('peer')) await main.addRemote('peer', peer);
}

eachDaemon('images.aliases.set and images.ensure', function (d) {
  let client: Client;
  const tag = d.tag;
  // images of one product, unique to this run (keep deletes within a product)
  const product = { variant: 'default', architecture: 'x86_64' };
  const image = (): Promise<TestImage> => newImage({ os: `ens-${tag}`, release: '1' });
  before(function () {
    client = d.client;
  });

  it('set: a reader polling the alias during 30 retargets never gets "not found"', async function () {
    const [a, b] = [await image(), await image()];
    await client.images.import('local', a.path);
    await client.images.import('local', b.path);
    const name = `moving/${tag}`;
    await client.images.aliases.set('local', name, a.fingerprint);
    const reader = d.clientFor(d.sandbox);
    const polling = startPolling([
      () => reader.images.aliases.info('local', name, (x) => x.target),
    ]);
    for (let i = 0; i < 30; i++)
      await client.images.aliases.set('local', name, (i % 2 === 0 ? b : a).fingerprint);
    const { reads, misses } = await polling.stop();
    expect(misses).to.deep.equal([]);
    expect(reads).to.be.above(0);
    expect(await client.images.aliases.info('local', name, (x) => x.target)).to.equal(
      a.fingerprint,
    );
  });

  it('set: 20 concurrent sets to different targets leave the alias pointing at one of them', async function () {
    const images = [await image(), await image(), await image(), await image()];
    for (const img of images) await client.images.import('local', img.path);
    const name = `raced-${tag}`;
    const writers = [client, d.clientFor(d.sandbox), d.clientFor(d.sandbox)];
    const targets = Array.from({ length: 20 }, (_, i) => images[i % images.length]!.fingerprint);
    const set = await Promise.all(
      targets.map((fp, i) => writers[i % writers.length]!.images.aliases.set('local', name, fp)),
    );
    expect(set).to.have.length(20);
    const final: ImageAlias = await client.images.aliases.info('local', name);
    expect(targets).to.include(final.target);
  });

  it('ensure: a second ensure of the same spec sends no upload and no write (counted)', async function () {
    const img = await image();
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    const spec = {
      source: img.path,
      aliases: [`ens/${tag}`],
      properties: { team: 'qa', ...product },
      public: true,
      profiles: ['default'],
    };
    const first = await counting.client.images.ensure('local', spec);
    expect(first.changed).to.equal(true);
    expect(first.image).to.deep.include({ fingerprint: img.fingerprint, public: true });
    expect(first.image.properties).to.include({ team: 'qa', os: `ens-${tag}` });
    expect(counting.writes().filter((s) => s.request.upload)).to.have.length(1);
    counting.sent.length = 0;
    const second = await counting.client.images.ensure('local', spec);
    expect(second).to.deep.include({ changed: false, actions: [] });
    expect(counting.writes()).to.deep.equal([]);
    expect(counting.sent.length).to.be.above(0);
  });

  it('ensure: converges the fields with one write and moves an alias, then nothing', async function () {
    const [old, img] = [await image(), await image()];
    await client.images.import('local', old.path, { aliases: [`conv/${tag}`] });
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    await counting.client.images.import('local', img.path);
    counting.sent.length = 0;
    const expiresAt = new Date('2031-02-03T04:05:06Z');
    const spec = { source: img.path, aliases: [`conv/${tag}`], autoUpdate: true, expiresAt };
    const result = await counting.client.images.ensure('local', spec);
    expect(result.actions).to.deep.equal([
      { action: 'update', fingerprint: img.fingerprint, fields: ['auto_update', 'expires_at'] },
      { action: 'alias', name: `conv/${tag}`, target: img.fingerprint, from: old.fingerprint },
    ]);
    expect(result.image.expires_at?.toISOString()).to.equal(expiresAt.toISOString());
    expect(result.image.auto_update).to.equal(true);
    const methods = counting.writes().map((s) => s.request.api?.method);
    expect(methods).to.deep.equal(['PUT', 'POST', 'PUT']); // fields; the alias: create refused, then moved
    counting.sent.length = 0;
    expect((await counting.client.images.ensure('local', spec)).changed).to.equal(false);
    expect(counting.writes()).to.deep.equal([]);
  });

  it('ensure: a split {metadata, rootfs} source, hashed here', async function () {
    const split = await makeSplitImage((await getWorld()).tmp, { seed: `split-${tag}` });
    const spec = { source: { metadata: split.metadata, rootfs: split.rootfs } };
    const result = await client.images.ensure('local', spec);
    expect(result.image.fingerprint).to.equal(split.fingerprint);
    expect((await client.images.ensure('local', spec)).changed).to.equal(false);
  });

  it('ensure: a {url} source, identified by the hash header its server gives', async function () {
    const { server } = await getWorld();
    const img = await image();
    const url = server.directUrl(img);
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    const first = await counting.client.images.ensure('local', { source: { url } });
    expect(first.actions).to.deep.equal([
      { action: 'transfer', how: 'url', fingerprint: img.fingerprint },
    ]);
    counting.sent.length = 0;
    const heads = server.requests.filter((r) => r.method === 'HEAD').length;
    const second = await counting.client.images.ensure('local', { source: { url } });
    expect(second.changed).to.equal(false);
    expect(counting.writes()).to.deep.equal([]);
    // the library asked the server itself; the daemon did not download again
    expect(server.requests.filter((r) => r.method === 'HEAD').length).to.equal(heads + 1);
  });

  it('ensure: a {remote, ref} source, identified by its fingerprint on that remote', async function () {
    const peer = await d.sandboxFor('peer');
    await trustOnce(d.sandbox, peer);
    const img = await image();
    await d.clientFor(peer).images.import('local', img.path, { aliases: [`far-${tag}`] });
    const spec = { source: { remote: 'peer', ref: `far-${tag}` }, aliases: [`near-${tag}`] };
    const first = await client.images.ensure('local', spec);
    expect(first.image.fingerprint).to.equal(img.fingerprint);
    expect(first.actions[0]).to.deep.include({ action: 'transfer' });
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    expect((await counting.client.images.ensure('local', spec)).changed).to.equal(false);
    expect(counting.writes()).to.deep.equal([]);
  });

  it('ensure: a {instance, snapshot} source is published once, then found by its stamp', async function () {
    const base = await image();
    await client.images.import('local', base.path);
    const name = `snapsrc-${tag}`;
    await createInstance(d.sandbox, base.fingerprint, name);
    try {
      await snapshotInstance(d.sandbox, name, 'snap0');
      const spec = { source: { instance: name, snapshot: 'snap0' }, properties: { ...product } };
      const first = await client.images.ensure('local', spec);
      expect(first.actions[0]).to.deep.include({ action: 'transfer', how: 'publish' });
      expect(first.image.properties['lxc-images.source']).to.match(new RegExp(`^${name}/snap0@`));
      const counting = countingClient(d.binary, d.sandbox.env, d.transport);
      const second = await counting.client.images.ensure('local', spec);
      expect(second).to.deep.include({ changed: false, actions: [] });
      expect(second.image.fingerprint).to.equal(first.image.fingerprint);
      expect(counting.writes()).to.deep.equal([]);
    } finally {
      await deleteInstance(d.sandbox, name);
    }
  });

  it('ensure: dryRun resolves the actions and changes nothing', async function () {
    const img = await image();
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    const spec = { source: img.path, aliases: [`dry-${tag}`] };
    const plan = await counting.client.images.ensure('local', spec, { dryRun: true });
    expect(plan).to.deep.equal({
      image: undefined,
      changed: false,
      actions: [
        { action: 'transfer', how: 'upload', fingerprint: img.fingerprint },
        { action: 'alias', name: `dry-${tag}`, target: img.fingerprint, from: null },
      ],
    });
    expect(counting.writes()).to.deep.equal([]);
    expect(await client.images.exists('local', img.fingerprint)).to.equal(false);
    const missing = await client.images.aliases
      .info('local', `dry-${tag}`)
      .catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(NotFoundError);
  });

  it('ensure: keep deletes older images of the product, never one an instance uses', async function () {
    const own = (): Promise<TestImage> => newImage({ os: `keep-${tag}`, release: '1' });
    const [v1, v2, v3] = [await own(), await own(), await own()];
    const spec = (img: TestImage, keep?: number) => ({
      source: img.path,
      aliases: [`kept-${tag}`],
      properties: product,
      ...(keep === undefined ? {} : { keep }),
    });
    await client.images.ensure('local', spec(v1));
    const holder = `holder-${tag}`;
    await createInstance(d.sandbox, v1.fingerprint, holder);
    try {
      await client.images.ensure('local', spec(v2));
      const result = await client.images.ensure('local', spec(v3, 1));
      expect(result.actions).to.deep.equal([
        { action: 'transfer', how: 'upload', fingerprint: v3.fingerprint },
        { action: 'alias', name: `kept-${tag}`, target: v3.fingerprint, from: v2.fingerprint },
        { action: 'delete', fingerprint: v2.fingerprint },
      ]);
      expect(await client.images.exists('local', v1.fingerprint)).to.equal(true);
      expect(await client.images.exists('local', v2.fingerprint)).to.equal(false);
    } finally {
      await deleteInstance(d.sandbox, holder);
    }
  });

  it('ensure: keep never deletes an older image of the product that an alias outside the spec holds', async function () {
    const own = (): Promise<TestImage> => newImage({ os: `pin-${tag}`, release: '1' });
    const [pinned, older, img] = [await own(), await own(), await own()];
    await client.images.import('local', pinned.path, {
      aliases: [`pinned-${tag}`],
      properties: product,
    });
    await client.images.import('local', older.path, { properties: product });
    const spec = { source: img.path, aliases: [`pin-app-${tag}`], properties: product, keep: 1 };
    const result = await client.images.ensure('local', spec);
    expect(result.actions).to.deep.equal([
      { action: 'transfer', how: 'upload', fingerprint: img.fingerprint },
      { action: 'alias', name: `pin-app-${tag}`, target: img.fingerprint, from: null },
      { action: 'delete', fingerprint: older.fingerprint },
    ]);
    expect(await client.images.exists('local', older.fingerprint)).to.equal(false);
    expect(await client.images.aliases.info('local', `pinned-${tag}`, (a) => a.target)).to.equal(
      pinned.fingerprint,
    );
    // the pinned image stays through later ensures too, and its alias keeps naming it
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    expect(await counting.client.images.ensure('local', spec)).to.deep.include({ changed: false });
    expect(counting.writes()).to.deep.equal([]);
    expect(await client.images.exists('local', pinned.fingerprint)).to.equal(true);
  });

  it('ensure: a {url} source whose server a CA signed that is not trusted is a RemoteError before any write', async function () {
    const { tmp } = await getWorld();
    const untrusted = await makeTestCa(join(tmp, `untrusted-ca-${tag}`));
    const server = await startImageServer({ tls: untrusted });
    try {
      const img = await image();
      const counting = countingClient(d.binary, d.sandbox.env, d.transport);
      const spec = { source: { url: server.directUrl(img) }, aliases: [`far-url-${tag}`] };
      const error = await rejectionOf(counting.client.images.ensure('local', spec));
      expect(error).to.be.instanceOf(RemoteError);
      expect((error as Error).message).to.match(/certificate/i);
      expect(counting.writes()).to.deep.equal([]);
      expect(server.requests, 'no request got past the handshake').to.deep.equal([]);
      expect(await client.images.exists('local', img.fingerprint)).to.equal(false);
      expect(await client.images.exists('local', `far-url-${tag}`)).to.equal(false);
    } finally {
      await server.close();
    }
  });

  it('ensure: 10 concurrent ensures of one spec end with one image, uploaded once, and the alias on it', async function () {
    const img = await image();
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    const spec = { source: img.path, aliases: [`ten-${tag}`], properties: { n: '1' } };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => counting.client.images.ensure('local', spec)),
    );
    expect(counting.sent.filter((s) => s.request.upload)).to.have.length(1);
    expect(results.filter((r) => r.changed)).to.have.length(1);
    for (const r of results) expect(r.image.fingerprint).to.equal(img.fingerprint);
    const alias = await client.images.aliases.info('local', `ten-${tag}`);
    expect(alias.target).to.equal(img.fingerprint);
  });

  it('an upload that carries its expected fingerprint stores no image of other data', async function () {
    const [img, other] = [await image(), await image()];
    const transport = realTransport(d.binary, d.sandbox.env, d.transport);
    const upload = {
      source: { kind: 'files' as const, files: [img.path] },
      properties: {},
      public: false,
      fingerprint: other.fingerprint,
    };
    const signal = new AbortController().signal;
    const error = await transport
      .send({ remote: 'local' }, { upload }, signal)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(LxcError);
    expect((error as Error).message).to.match(/fingerprint/i);
    expect(await client.images.exists('local', img.fingerprint)).to.equal(false);
    expect(await client.images.exists('local', other.fingerprint)).to.equal(false);
  });
});
