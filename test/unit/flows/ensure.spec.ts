import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fakeClient, type FakeTransport } from '../fake-transport.js';
import { cliError, F0, F1, fixture, OP_ID, operation, rejection } from '../helpers.js';
import { AbortError, LxcError, ValidationError } from '../../../lib/wire/errors.js';
import { daemonWith, fp, rawImage, rawInstance } from '../retention-fakes.js';

const DATA = 'image bytes';
const FP = createHash('sha256').update(DATA).digest('hex');
const IMAGE = fixture('image.lxd.json').replace(F0, FP);
const ABSENT = cliError('Image not found');
const WRITES = /^(POST|PUT|PATCH|DELETE) /;
const SERVER = JSON.stringify({ environment: { server: 'lxd', addresses: [], certificate: 'C' } });

// The keys of the writes a fake saw (uploads are recorded apart).
function writes(fake: FakeTransport): string[] {
  return fake.keys().filter((key) => WRITES.test(key));
}

// An image fixture with some fields changed.
function imageWith(fields: Record<string, unknown>, fp = FP): string {
  return JSON.stringify({
    ...(JSON.parse(fixture('image.lxd.json')) as object),
    fingerprint: fp,
    ...fields,
  });
}

describe('images.ensure', () => {
  let tmp: string;
  let file: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-ensure-'));
    file = join(tmp, 'image.tar.gz');
    writeFileSync(file, DATA);
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('uploads an absent file with its expected fingerprint and flags, then points the aliases', async () => {
    const { fake, client } = fakeClient();
    fake.uploaded = FP;
    fake.on(`GET local:/1.0/images/${FP}`, ABSENT, IMAGE);
    fake.on('POST local:/1.0/images/aliases', '');
    const result = await client.images.ensure('local', {
      source: file,
      aliases: ['app'],
      properties: { os: 'testos' },
      public: false,
    });
    expect(fake.uploads).to.have.length(1);
    expect(fake.uploads[0]?.upload).to.deep.include({
      fingerprint: FP,
      properties: { os: 'testos' },
      public: false,
    });
    expect(writes(fake)).to.deep.equal(['POST local:/1.0/images/aliases']);
    expect(result.changed).to.equal(true);
    expect(result.image.fingerprint).to.equal(FP);
    expect(result.actions).to.deep.equal([
      { action: 'transfer', how: 'upload', fingerprint: FP },
      { action: 'alias', name: 'app', target: FP, from: null },
    ]);
  });

  it('a second ensure of the same spec sends no upload and no write, and says changed: false', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${FP}`, IMAGE);
    const spec = {
      source: file,
      aliases: ['a', 'zz2'],
      properties: { os: 'testos' },
      profiles: ['default'],
      public: false,
      expiresAt: null,
    };
    const result = await client.images.ensure('local', spec);
    expect(result).to.deep.include({ changed: false, actions: [] });
    expect(fake.uploads).to.deep.equal([]);
    expect(writes(fake)).to.deep.equal([]);
    expect(fake.keys()).to.deep.equal([
      `GET local:/1.0/images/${FP}`,
      `GET local:/1.0/images/${FP}`,
    ]);
  });

  it('converges the fields with one guarded PUT, properties merged over the image own', async () => {
    const { fake, client } = fakeClient();
    const expires = new Date('2030-01-02T03:04:05Z');
    fake.on(`GET local:/1.0/images/${FP}`, { body: IMAGE, etag: '"e9"' });
    fake.on(`PUT local:/1.0/images/${FP}`, '');
    const result = await client.images.ensure('local', {
      source: file,
      properties: { owner: 'ops' },
      public: true,
      autoUpdate: true,
      profiles: ['default', 'web'],
      expiresAt: expires,
    });
    expect(writes(fake)).to.deep.equal([`PUT local:/1.0/images/${FP}`]);
    const put = fake.sent(`PUT local:/1.0/images/${FP}`)[0]?.api;
    expect(put?.etag).to.equal('"e9"');
    expect(put?.body).to.deep.equal({
      auto_update: true,
      public: true,
      profiles: ['default', 'web'],
      expires_at: expires.toISOString(),
      properties: { description: 'Test image 0', os: 'testos', release: '1.0', owner: 'ops' },
    });
    expect(result.actions).to.deep.equal([
      {
        action: 'update',
        fingerprint: FP,
        fields: ['properties', 'public', 'auto_update', 'profiles', 'expires_at'],
      },
    ]);
  });

  it('a dry run of a present image resolves the actions and writes nothing', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${FP}`, IMAGE);
    fake.on('GET local:/1.0/images/aliases/web', fixture('alias.lxd.json').replace(F0, F1));
    const plan = await client.images.ensure(
      'local',
      { source: file, aliases: ['a', 'web'], public: true },
      { dryRun: true },
    );
    expect(writes(fake)).to.deep.equal([]);
    expect(plan.changed).to.equal(false);
    expect(plan.image?.fingerprint).to.equal(FP);
    expect(plan.actions).to.deep.equal([
      { action: 'update', fingerprint: FP, fields: ['public'] },
      { action: 'alias', name: 'web', target: FP, from: F1 },
    ]);
  });

  it('a dry run of an absent image says it would transfer it and point the aliases, and sends nothing', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${FP}`, ABSENT);
    fake.on('GET local:/1.0/images/aliases/web', cliError('Image alias not found'));
    const plan = await client.images.ensure(
      'local',
      { source: file, aliases: ['web'] },
      { dryRun: true },
    );
    expect(plan.image).to.equal(undefined);
    expect(plan.actions).to.deep.equal([
      { action: 'transfer', how: 'upload', fingerprint: FP },
      { action: 'alias', name: 'web', target: FP, from: null },
    ]);
    expect(fake.uploads).to.deep.equal([]);
    expect(writes(fake)).to.deep.equal([]);
  });

  it('takes an image the remote got meanwhile (the upload refused as a duplicate) as present', async () => {
    const { fake, client } = fakeClient();
    fake.uploaded = cliError('Image with same fingerprint already exists');
    fake.on(`GET local:/1.0/images/${FP}`, ABSENT, IMAGE);
    const result = await client.images.ensure('local', { source: file });
    expect(result.image.fingerprint).to.equal(FP);
    expect(result).to.deep.include({ changed: false, actions: [] });
  });

  it('ten ensures of one spec at once upload once', async () => {
    const { fake, client } = fakeClient();
    fake.uploaded = FP;
    let stored = false;
    fake.on(`GET local:/1.0/images/${FP}`, () => (stored ? IMAGE : ABSENT));
    const send = fake.send.bind(fake);
    fake.send = async (target, request, signal) => {
      const reply = await send(target, request, signal);
      if (request.upload) stored = true;
      return reply;
    };
    fake.on('POST local:/1.0/images/aliases', '');
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.images.ensure('local', { source: file, aliases: ['a'] }),
      ),
    );
    expect(fake.uploads).to.have.length(1);
    expect(results.filter((r) => r.changed)).to.have.length(1);
  });

  it('identifies a URL by the hash header its server gives the daemon, and imports it only when absent', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0', SERVER);
    fake.probed = {
      status: 200,
      headers: { 'lxd-image-hash': FP, 'lxd-image-url': 'https://x/i' },
    };
    fake.on(`GET local:/1.0/images/${FP}`, IMAGE);
    const result = await client.images.ensure('local', {
      source: { url: 'https://example.com/img' },
    });
    expect(fake.probes).to.deep.equal([{ url: 'https://example.com/img' }]);
    expect(result.changed).to.equal(false);
    expect(writes(fake)).to.deep.equal([]);
  });

  it('imports an absent URL image with a url source (the daemon downloads it)', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0', SERVER.replace('"lxd"', '"incus"'));
    fake.probed = { status: 200, headers: { 'incus-image-hash': FP.toUpperCase() } };
    fake.on(`GET local:/1.0/images/${FP}`, ABSENT, IMAGE);
    fake.on('POST local:/1.0/images', operation());
    const done = operation({ status: 'Success', status_code: 200, metadata: { fingerprint: FP } });
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done);
    const result = await client.images.ensure('local', {
      source: { url: 'https://example.com/i' },
    });
    expect(fake.body('POST local:/1.0/images')).to.deep.include({
      source: { type: 'url', url: 'https://example.com/i' },
    });
    expect(result.actions).to.deep.equal([{ action: 'transfer', how: 'url', fingerprint: FP }]);
  });

  it('refuses a URL whose server gives no valid hash header, before any transfer', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0', SERVER);
    fake.probed = { status: 404, headers: {} };
    const error = await rejection(
      client.images.ensure('local', { source: { url: 'https://e.com/i' } }),
    );
    expect(error).to.be.instanceOf(LxcError);
    expect((error as Error).message).to.include('LXD-Image-Hash');
    expect(writes(fake)).to.deep.equal([]);
  });

  it('identifies an image of another remote by its fingerprint there, and copies only when absent', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET r:/1.0/images/aliases/app', fixture('alias.lxd.json').replace(F0, FP));
    fake.on(`GET r:/1.0/images/${FP}`, IMAGE);
    fake.on(`GET local:/1.0/images/${FP}`, IMAGE);
    const result = await client.images.ensure('local', { source: { remote: 'r', ref: 'app' } });
    expect(result.changed).to.equal(false);
    expect(writes(fake)).to.deep.equal([]);
  });

  it('publishes a snapshot once, stamped with its provenance, and finds that image the next time', async () => {
    const { fake, client } = fakeClient();
    const snap = JSON.stringify({ name: 'snap0', created_at: '2026-11-30T10:00:00Z', config: {} });
    const stamp = 'c1/snap0@2026-11-30T10:00:00Z';
    const published = imageWith({ properties: { os: 'x', 'lxc-images.source': stamp } }, F1);
    fake.on('GET local:/1.0/instances/c1/snapshots/snap0', snap);
    fake.on('GET local:/1.0/images?recursion=1', '[]', '[]', `[${published}]`);
    fake.on('POST local:/1.0/images', operation({ created_at: '2026-11-23T09:00:00Z' }));
    const done = operation({ status: 'Success', status_code: 200, metadata: { fingerprint: F1 } });
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done);
    fake.on(`GET local:/1.0/images/${F1}`, published);
    const spec = { source: { instance: 'c1', snapshot: 'snap0' }, properties: { os: 'x' } };
    const first = await client.images.ensure('local', spec);
    expect(first.actions[0]).to.deep.equal({ action: 'transfer', how: 'publish', fingerprint: F1 });
    expect(fake.body('POST local:/1.0/images')).to.deep.include({
      source: { type: 'snapshot', name: 'c1/snap0' },
      properties: { os: 'x', 'lxc-images.source': stamp },
    });
    const second = await client.images.ensure('local', spec);
    expect(second).to.deep.include({ changed: false, actions: [] });
    expect(fake.sent('POST local:/1.0/images')).to.have.length(1);
  });

  it('when aborted while pointing the aliases, puts a moved alias back and deletes the image it stored', async () => {
    const { fake, client } = fakeClient();
    const controller = new AbortController();
    fake.uploaded = FP;
    fake.on(`GET local:/1.0/images/${FP}`, ABSENT, IMAGE);
    fake.on('POST local:/1.0/images/aliases', cliError('Alias "web" already exists'));
    fake.on('GET local:/1.0/images/aliases/web', fixture('alias.lxd.json').replace(F0, F1));
    fake.on('PUT local:/1.0/images/aliases/web', () => {
      controller.abort();
      return '';
    });
    fake.on(`DELETE local:/1.0/images/${FP}`, '');
    const error = await rejection(
      client.images.ensure(
        'local',
        { source: file, aliases: ['web'] },
        { signal: controller.signal },
      ),
    );
    expect(error).to.be.instanceOf(AbortError);
    const puts = fake.sent('PUT local:/1.0/images/aliases/web').map((r) => r.api?.body);
    expect(puts).to.deep.equal([
      { target: FP, description: '' },
      { target: F1, description: '' },
    ]);
    expect(fake.keys()).to.include(`DELETE local:/1.0/images/${FP}`);
  });

  it('refuses a bad spec before sending anything', async () => {
    const { fake, client } = fakeClient();
    const bad: unknown[] = [
      { source: join(tmp, 'missing.tar.gz') },
      { source: Buffer.from('x') },
      { source: { url: 'http://insecure/i' } },
      { source: { remote: 'r' } },
      { source: { instance: 'c1', snapshot: 'a/b' } },
      { source: file, keep: 0 },
      { source: file, expiresAt: 'tomorrow' },
      { source: file, profiles: ['-x'] },
      'a spec',
    ];
    for (const spec of bad) {
      const error = await rejection(client.images.ensure('local', spec as { source: string }));
      expect(error, JSON.stringify(spec)).to.be.instanceOf(ValidationError);
    }
    expect(fake.keys()).to.deep.equal([]);
  });

  it('with keep, deletes older images of the product after the aliases moved, never one in use', async () => {
    const product = { os: 'alpine', release: '3.19', variant: 'default', architecture: 'amd64' };
    const raw = (d: string, day: number, fields: Record<string, unknown> = {}) =>
      rawImage(d, { created_at: `2026-01-0${day}T00:00:00Z`, properties: product, ...fields });
    const ensured = raw('e', 5);
    const images = [
      ensured,
      raw('4', 4),
      raw('3', 3),
      raw('2', 2),
      raw('1', 1, { properties: {} }),
    ];
    const { fake, client } = daemonWith(images, [rawInstance('c1', fp('2'))]);
    fake.on(`GET r:/1.0/images/${fp('e')}`, JSON.stringify(ensured));
    fake.on(`GET local:/1.0/images/${fp('e')}`, JSON.stringify(ensured));
    fake.on(`DELETE local:/1.0/images/${fp('3')}`, '');
    const spec = { source: { remote: 'r', ref: fp('e') }, keep: 2 };
    const plan = await client.images.ensure('local', spec, { dryRun: true });
    expect(plan.actions).to.deep.equal([{ action: 'delete', fingerprint: fp('3') }]);
    expect(writes(fake)).to.deep.equal([]);
    const result = await client.images.ensure('local', spec);
    expect(result.actions).to.deep.equal([{ action: 'delete', fingerprint: fp('3') }]);
    expect(writes(fake)).to.deep.equal([`DELETE local:/1.0/images/${fp('3')}`]);
  });
});
