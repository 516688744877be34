import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, F0, F1, fixture, OP_ID, operation, rejection } from '../helpers.js';
import {
  AbortError,
  ConflictError,
  RemoteError,
  ValidationError,
} from '../../../lib/wire/errors.js';
import type { ProgressEvent } from '../../../lib/wire/progress.js';

const IMAGE = fixture('image.lxd.json');
// an alias of another image (one that points at the image already is not written again)
const ALIAS = fixture('alias.lxd.json').replace(F0, F1);
const ABSENT = cliError('Image not found');
const SECRET_OP = fixture('operation-secret.lxd.json');
const TOKEN_ID = '6d527f04-225f-4627-9fe2-bc7daef831db';
const RUNNING = operation();
const done = (metadata: Record<string, unknown> = {}) =>
  operation({ status: 'Success', status_code: 200, metadata });
const SERVER = JSON.stringify({
  environment: { addresses: ['10.0.0.1:8443', ':8443'], certificate: 'CERT' },
});

describe('images.copy', () => {
  it('has the target pull a private image with a secret from the source addresses', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on('GET local:/1.0', SERVER);
    fake.on(`POST local:/1.0/images/${F0}/secret`, SECRET_OP);
    fake.on('POST r:/1.0/images', RUNNING);
    fake.on(`GET r:/1.0/operations/${OP_ID}/wait?timeout=30`, done());
    fake.on(`GET r:/1.0/images/${F0}`, IMAGE);
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
    fake.on(`GET r:/1.0/images/${F0}`, IMAGE);
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
    fake.on(`GET r:/1.0/images/${F0}`, IMAGE);
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
    fake.on(`GET r:/1.0/images/${F0}?project=q`, IMAGE);
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
      // a target that has the image refuses a relay of it
      if (had) fake.relayed = new ConflictError('Image with same fingerprint already exists');
      fake.on(`GET r:/1.0/images/${F0}`, IMAGE);
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
      expect(fake.keys().slice(1)).to.deep.equal([
        'POST r:/1.0/images/aliases',
        'GET r:/1.0/images/aliases/x',
        'PUT r:/1.0/images/aliases/x',
        'PUT r:/1.0/images/aliases/x',
        ...(had ? [] : [`GET r:/1.0/images/${F0}`, `DELETE r:/1.0/images/${F0}`]),
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
