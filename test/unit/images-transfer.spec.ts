import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AbortError, ParseError, RemoteError, ValidationError } from '../../lib/errors.js';
import type { ProgressEvent } from '../../lib/progress.js';
import { fakeClient } from './fake-transport.js';
import { cliError, F0, F1, fixture, OP_ID, operation, rejection } from './helpers.js';

const IMAGE = fixture('image.lxd.json');
const ALIAS = fixture('alias.lxd.json');
const ABSENT = cliError('Image not found');
const SECRET_OP = fixture('operation-secret.lxd.json');
const TOKEN_ID = '6d527f04-225f-4627-9fe2-bc7daef831db';
const RUNNING = operation();
const done = (metadata: Record<string, unknown> = {}) =>
  operation({ status: 'Success', status_code: 200, metadata });
const SERVER = JSON.stringify({
  environment: { addresses: ['10.0.0.1:8443', ':8443'], certificate: 'CERT' },
});

describe('images.import', () => {
  let tmp: string;
  let file: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
    file = join(tmp, 'image.tar.gz');
    writeFileSync(file, 'data');
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('uploads the file with its flags, points the aliases at it and reads it back', async () => {
    const { fake, client } = fakeClient({ project: 'p' });
    fake.uploaded = F0;
    fake.on('POST local:/1.0/images/aliases?project=p', '');
    fake.on(`GET local:/1.0/images/${F0}?project=p`, IMAGE);
    const image = await client.images.import('local', file, {
      aliases: ['a'],
      public: true,
      properties: { os: 'x' },
    });
    expect(image.fingerprint).to.equal(F0);
    expect(fake.uploads).to.have.length(1);
    expect(fake.uploads[0]?.target).to.deep.equal({ remote: 'local', project: 'p' });
    expect(fake.uploads[0]?.upload).to.deep.include({
      source: { kind: 'files', files: [file] },
      properties: { os: 'x' },
      public: true,
    });
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases?project=p',
      `GET local:/1.0/images/${F0}?project=p`,
    ]);
    expect(fake.body('POST local:/1.0/images/aliases?project=p')).to.deep.equal({
      name: 'a',
      target: F0,
    });
  });

  it('hands the upload a progress handler that never goes backwards', async () => {
    const { fake, client } = fakeClient();
    fake.uploaded = F0;
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    const percents: (number | undefined)[] = [];
    await client.images.import('local', file, { onProgress: (e) => percents.push(e.percent) });
    const report = fake.uploads[0]?.upload.onProgress;
    for (const percent of [10, 50, 30, 100]) report?.({ stage: 'import', label: 'x', percent });
    expect(percents).to.deep.equal([10, 50, 100]);
  });

  it('moves an alias that exists to the new image, guarded by its ETag', async () => {
    const { fake, client } = fakeClient();
    fake.uploaded = F0;
    fake.on('POST local:/1.0/images/aliases', cliError('Alias already exists'));
    fake.on('GET local:/1.0/images/aliases/a', { body: ALIAS, etag: '"e1"' });
    fake.on('PUT local:/1.0/images/aliases/a', '');
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    await client.images.import('local', file, { aliases: ['a'] });
    const put = fake.sent('PUT local:/1.0/images/aliases/a')[0]?.api;
    expect(put?.body).to.deep.equal({ target: F0, description: '' });
    expect(put?.etag).to.equal('"e1"');
  });

  it('when aborted in its last steps, puts the moved alias back and deletes the image', async () => {
    const { fake, client } = fakeClient();
    const controller = new AbortController();
    fake.uploaded = F0;
    fake.on('POST local:/1.0/images/aliases', cliError('Alias already exists'));
    fake.on('GET local:/1.0/images/aliases/a', ALIAS);
    fake.on('PUT local:/1.0/images/aliases/a', () => {
      controller.abort();
      return '';
    });
    fake.on(`DELETE local:/1.0/images/${F0}`, '');
    const error = await rejection(
      client.images.import('local', file, { aliases: ['a'], signal: controller.signal }),
    );
    expect(error).to.be.instanceOf(AbortError);
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases',
      'GET local:/1.0/images/aliases/a',
      'PUT local:/1.0/images/aliases/a',
      'PUT local:/1.0/images/aliases/a',
      `DELETE local:/1.0/images/${F0}`,
    ]);
    const previous = JSON.parse(ALIAS) as { target: string; description: string };
    expect(fake.sent('PUT local:/1.0/images/aliases/a')[1]?.api?.body).to.deep.equal({
      target: previous.target,
      description: previous.description,
    });
    expect(fake.sent(`DELETE local:/1.0/images/${F0}`)[0]?.api?.wait).to.equal(true);
  });

  it('refuses bad flags or a missing file without uploading', async () => {
    const { fake, client } = fakeClient();
    const errors = [
      await rejection(client.images.import('local', file, { aliases: ['-a'] })),
      await rejection(client.images.import('local', join(tmp, 'nosuch'))),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal(['aliases[0]', 'source']);
    expect(fake.uploads).to.deep.equal([]);
  });
});

describe('images.importFromUrl', () => {
  it('POSTs a url source, waits for the operation and reads the image back', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images', RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done({ fingerprint: F0 }));
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    const image = await client.images.importFromUrl('local', 'https://example.com/i');
    expect(image.fingerprint).to.equal(F0);
    expect(fake.body('POST local:/1.0/images')).to.deep.equal({
      source: { type: 'url', url: 'https://example.com/i' },
      public: false,
      properties: {},
    });
  });

  it('rejects with the classified error of a failed download', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images', RUNNING);
    fake.on(
      `GET local:/1.0/operations/${OP_ID}/wait?timeout=30`,
      operation({ status: 'Failure', status_code: 400, err: 'Unable to connect to: example.com' }),
    );
    const err = await rejection(client.images.importFromUrl('local', 'https://example.com/i'));
    expect(err).to.be.instanceOf(RemoteError);
  });

  it('refuses a URL that is not https without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.importFromUrl('local', 'http://example.com/i'));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'url');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.copy', () => {
  it('has the target pull a private image with a secret from the source addresses', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('GET local:/1.0', SERVER);
    fake.on(`POST local:/1.0/images/${F0}/secret`, SECRET_OP);
    fake.on('POST r:/1.0/images', RUNNING);
    fake.on(`GET r:/1.0/operations/${OP_ID}/wait?timeout=30`, done());
    fake.on(`GET r:/1.0/images/${F0}`, ABSENT, IMAGE);
    fake.on(`DELETE local:/1.0/operations/${TOKEN_ID}`, '');
    const copy = await client.images.copy('local', F0, 'r');
    expect(copy.fingerprint).to.equal(F0);
    // the token is dropped even after a download (which a target that had the image skips)
    expect(fake.keys()).to.include(`DELETE local:/1.0/operations/${TOKEN_ID}`);
    expect(fake.body('POST r:/1.0/images')).to.deep.equal({
      source: {
        type: 'image',
        mode: 'pull',
        server: 'https://10.0.0.1:8443',
        protocol: 'lxd',
        certificate: 'CERT',
        fingerprint: F0,
        secret: '360fcab515a1901fa44739a2e5c1caa1aef3afe8a35e566e7b7ed132460b78ae',
      },
      public: false,
      auto_update: false,
    });
  });

  it('tries the next source address only when one cannot be reached, and drops the secret when all fail', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET r:/1.0/images/${F0}`, ABSENT);
    const twoAddresses = JSON.stringify({
      environment: { addresses: ['10.0.0.1:8443', '10.0.0.2:8443'], certificate: 'CERT' },
    });
    const refused = operation({
      status: 'Failure',
      status_code: 400,
      err: 'Unable to connect to: 10.0.0.1:8443 ([dial tcp 10.0.0.1:8443: connect: connection refused])',
    });
    const failed = operation({ status: 'Failure', status_code: 400, err: 'disk full' });
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('GET local:/1.0', twoAddresses);
    fake.on(`POST local:/1.0/images/${F0}/secret`, SECRET_OP);
    fake.on('POST r:/1.0/images', RUNNING);
    fake.on(`GET r:/1.0/operations/${OP_ID}/wait?timeout=30`, refused, failed);
    fake.on(`DELETE local:/1.0/operations/${TOKEN_ID}`, '');
    const error = await rejection(client.images.copy('local', F0, 'r'));
    expect((error as Error).message).to.equal('disk full');
    const servers = fake.seen
      .filter((s) => s.key === 'POST r:/1.0/images')
      .map((s) => (s.request.api?.body as { source: { server: string } }).source.server);
    expect(servers).to.deep.equal(['https://10.0.0.1:8443', 'https://10.0.0.2:8443']);
    expect(fake.keys()).to.include(`DELETE local:/1.0/operations/${TOKEN_ID}`);
  });

  it('pulls a public simplestreams image by its alias, without a secret', async () => {
    const { fake, client } = fakeClient();
    const images = (JSON.parse(fixture('image-list.lxd.json')) as { public: boolean }[]).map(
      (image) => ({ ...image, public: true }),
    );
    fake.on('cli image list images: t0 --format=json', JSON.stringify(images));
    fake.on('POST local:/1.0/images', RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done());
    fake.on(`GET local:/1.0/images/${F1}`, IMAGE.replaceAll(F0, F1));
    await client.images.copy('images', 't0', 'local', { autoUpdate: true });
    expect(fake.body('POST local:/1.0/images')).to.deep.equal({
      source: {
        type: 'image',
        mode: 'pull',
        server: 'https://images.example',
        protocol: 'simplestreams',
        certificate: '',
        fingerprint: 't0',
      },
      public: false,
      auto_update: true,
    });
  });

  it('rejects RemoteError when the source listens on no network address', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET r:/1.0/images/${F0}`, ABSENT);
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('GET local:/1.0', JSON.stringify({ environment: { addresses: [':8443'] } }));
    const err = await rejection(client.images.copy('local', F0, 'r'));
    expect(err)
      .to.be.instanceOf(RemoteError)
      .with.property('message')
      .match(/isn't listening/);
  });

  it('reports copy progress, ending at 100%', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('GET local:/1.0', SERVER);
    fake.on(`POST local:/1.0/images/${F0}/secret`, SECRET_OP);
    fake.on('POST r:/1.0/images', RUNNING);
    fake.on(
      `GET r:/1.0/operations/${OP_ID}/wait?timeout=1`,
      operation({ metadata: { download_progress: '40% (1MB/s)' } }),
      done(),
    );
    fake.on(`GET r:/1.0/images/${F0}`, ABSENT, IMAGE);
    const events: ProgressEvent[] = [];
    await client.images.copy('local', F0, 'r', { onProgress: (e) => events.push(e) });
    expect(events.map((e) => [e.label, e.percent])).to.deep.equal([
      ['download', 40],
      ['download', 100],
    ]);
  });

  it('has the source push the image with a token of the target, then drops the token', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('GET r:/1.0', SERVER);
    fake.on('POST r:/1.0/images', SECRET_OP);
    fake.on(`POST local:/1.0/images/${F0}/export`, RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done());
    fake.on(`DELETE r:/1.0/operations/${TOKEN_ID}`, '');
    fake.on(`GET r:/1.0/images/${F0}`, ABSENT, IMAGE);
    await client.images.copy('local', F0, 'r', { mode: 'push', public: true });
    expect(fake.body('POST r:/1.0/images')).to.deep.equal({
      source: { fingerprint: F0, mode: 'push' },
      public: true,
    });
    expect(fake.body(`POST local:/1.0/images/${F0}/export`)).to.deep.equal({
      target: 'https://127.0.0.1:8443',
      certificate: 'CERT',
      secret: '360fcab515a1901fa44739a2e5c1caa1aef3afe8a35e566e7b7ed132460b78ae',
    });
    expect(fake.keys()).to.include(`DELETE r:/1.0/operations/${TOKEN_ID}`);
  });

  it('drops the push token when the push fails', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET r:/1.0/images/${F0}`, ABSENT);
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('GET r:/1.0', SERVER);
    fake.on('POST r:/1.0/images', SECRET_OP);
    fake.on(`POST local:/1.0/images/${F0}/export`, cliError('Unable to connect to: 127.0.0.1'));
    fake.on(`DELETE r:/1.0/operations/${TOKEN_ID}`, '');
    expect(
      await rejection(client.images.copy('local', F0, 'r', { mode: 'push' })),
    ).to.be.instanceOf(RemoteError);
    expect(fake.keys().at(-1)).to.equal(`DELETE r:/1.0/operations/${TOKEN_ID}`);
  });

  it('relays through the transport, then points the aliases and sets the profiles', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('POST r:/1.0/images/aliases?project=q', '');
    fake.on(`GET r:/1.0/images/${F0}?project=q`, ABSENT, IMAGE);
    fake.on(`PUT r:/1.0/images/${F0}?project=q`, '');
    await client.images.copy('local', F0, 'r', {
      mode: 'relay',
      aliases: ['x'],
      copyAliases: true,
      profiles: ['web'],
      targetProject: 'q',
    });
    expect(fake.relays).to.have.length(1);
    expect(fake.relays[0]?.relay).to.deep.include({
      fingerprint: F0,
      to: { remote: 'r', project: 'q' },
      public: false,
    });
    const names = fake
      .sent('POST r:/1.0/images/aliases?project=q')
      .map((r) => (r.api?.body as { name: string }).name);
    expect(names).to.deep.equal(['x', 'a', 'zz2', 'p/q r']);
    expect(fake.body(`PUT r:/1.0/images/${F0}?project=q`)).to.deep.include({ profiles: ['web'] });
  });

  for (const had of [false, true]) {
    it(`aborted in its last steps, puts a moved alias back and ${had ? 'keeps the image the target had' : 'deletes the copy'}`, async () => {
      const { fake, client } = fakeClient();
      const controller = new AbortController();
      fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
      fake.on(`GET r:/1.0/images/${F0}`, had ? IMAGE : ABSENT);
      fake.on('POST r:/1.0/images/aliases', cliError('Alias already exists'));
      fake.on('GET r:/1.0/images/aliases/x', ALIAS);
      fake.on('PUT r:/1.0/images/aliases/x', () => {
        controller.abort();
        return '';
      });
      fake.on(`DELETE r:/1.0/images/${F0}`, '');
      const error = await rejection(
        client.images.copy('local', F0, 'r', {
          mode: 'relay',
          aliases: ['x'],
          signal: controller.signal,
        }),
      );
      expect(error).to.be.instanceOf(AbortError);
      expect(fake.keys().slice(2)).to.deep.equal([
        'POST r:/1.0/images/aliases',
        'GET r:/1.0/images/aliases/x',
        'PUT r:/1.0/images/aliases/x',
        'PUT r:/1.0/images/aliases/x',
        ...(had ? [] : [`DELETE r:/1.0/images/${F0}`]),
      ]);
      const previous = JSON.parse(ALIAS) as { target: string };
      const restored = fake.sent('PUT r:/1.0/images/aliases/x')[1]?.api?.body;
      expect(restored).to.deep.include({ target: previous.target });
    });
  }

  it('refuses bad flags without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.copy('local', F0, 'r', { mode: 'fast' as 'pull' }));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'mode');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.export', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("writes a unified image into a directory under the server's name", async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { [`${F0}.tar.gz`]: 'unified' };
    const result = await client.images.export('local', F0, tmp);
    expect(result).to.deep.equal({ fingerprint: F0, files: [join(tmp, `${F0}.tar.gz`)] });
    expect(readdirSync(tmp)).to.deep.equal([`${F0}.tar.gz`]);
    expect(fake.downloads[0]?.download.fingerprint).to.equal(F0);
  });

  it('writes a split image to <file> (metadata) and <file>.root (rootfs)', async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { [`${F0}.squashfs`]: 'rootfs', [`meta-${F0}.tar.xz`]: 'meta' };
    const file = join(tmp, 'alpine');
    const result = await client.images.export('local', F0, file);
    expect(result.files).to.deep.equal([file, `${file}.root`]);
    expect(readFileSync(file, 'utf8')).to.equal('meta');
    expect(readFileSync(`${file}.root`, 'utf8')).to.equal('rootfs');
    expect(readdirSync(tmp).sort()).to.deep.equal(['alpine', 'alpine.root']);
  });

  it('refuses a split image whose <file>.root name is too long, leaving nothing behind', async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { [`${F0}.squashfs`]: 'rootfs', [`meta-${F0}.tar.xz`]: 'meta' };
    const err = await rejection(client.images.export('local', F0, join(tmp, 'x'.repeat(252))));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'destination');
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('rejects ParseError for an export of more than two files, leaving nothing behind', async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { a: '1', b: '2', c: '3' };
    expect(await rejection(client.images.export('local', F0, tmp))).to.be.instanceOf(ParseError);
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('refuses a destination whose folder is missing without downloading', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.export('local', F0, join(tmp, 'no', 'x')));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'destination');
    expect(fake.downloads).to.deep.equal([]);
  });
});

describe('images.refresh', () => {
  it('POSTs the refresh, waits and says whether a newer version came', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/refresh`, RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done({ refreshed: true }));
    expect(await client.images.refresh('local', F0)).to.deep.equal({ refreshed: true });
  });

  it('resolves refreshed: false when the operation does not say so', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/refresh`, RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done());
    expect(await client.images.refresh('local', F0)).to.deep.equal({ refreshed: false });
  });

  it('keeps "Image source not found" (a local image) a plain LxcError', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/refresh`, cliError('Image source not found'));
    const err = await rejection(client.images.refresh('local', F0));
    expect(err).to.have.property('name', 'LxcError');
  });
});

describe('images.createSecret', () => {
  it('POSTs /secret and resolves to the secret and its token operation', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/secret`, SECRET_OP);
    const { secret, operation: op } = await client.images.createSecret('local', F0);
    expect(secret).to.equal('360fcab515a1901fa44739a2e5c1caa1aef3afe8a35e566e7b7ed132460b78ae');
    expect(op).to.include({ class: 'token', may_cancel: true });
  });

  it('rejects ParseError when the operation has no secret', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/secret`, RUNNING);
    expect(await rejection(client.images.createSecret('local', F0))).to.be.instanceOf(ParseError);
  });
});

describe('onProgress', () => {
  it('must be a function in every transfer, checked before anything is sent', async () => {
    const { fake, client } = fakeClient();
    const bad = { onProgress: 'log' as unknown as () => void };
    const attempts = [
      client.images.import('local', Buffer.from('x'), bad),
      client.images.importFromUrl('local', 'https://example.com/i', bad),
      client.images.copy('local', F0, 'r', bad),
      client.images.export('local', F0, tmpdir(), bad),
      client.images.refresh('local', F0, bad),
    ];
    for (const attempt of attempts)
      expect(await rejection(attempt))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'onProgress');
    expect(fake.keys()).to.deep.equal([]);
    expect(fake.uploads).to.deep.equal([]);
  });
});
