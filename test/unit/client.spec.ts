import sinon from 'sinon';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type FakeAnswer, fakeClient } from './fake-transport.js';
import { F0, fixture, ok, rejection, stubRunner } from './helpers.js';
import { createClient } from '../../lib/client.js';
import { AbortError, ParseError, TimeoutError, ValidationError } from '../../lib/wire/errors.js';

const FAKE = fileURLToPath(new URL('../fixtures/fake-lxc.mjs', import.meta.url));

// An answer that never comes: it rejects with the signal's reason once the call stops.
const hang: FakeAnswer = (_key, _request, signal) =>
  new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => {
      reject(signal.reason as Error);
    });
  });

// An answer that comes after `ms`.
const answerAfter =
  (ms: number, body = '{}'): FakeAnswer =>
  async () => {
    await sleep(ms);
    return body;
  };

describe('query', () => {
  it('GETs a path and resolves to the parsed JSON', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0', '{\n\t"api_version": "1.0"\n}\n\n');
    expect(await client.query('local', '/1.0')).to.deep.equal({ api_version: '1.0' });
    expect(fake.keys()).to.deep.equal(['GET local:/1.0']);
  });

  it('sends the project as ?project=, and the method, wait and body as they are', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST r:/1.0/images?recursion=1&project=p', '');
    const result = await client.query('r', '/1.0/images?recursion=1', {
      project: 'p',
      method: 'POST',
      wait: true,
      body: { source: { type: 'url' } },
    });
    expect(result).to.equal(null);
    expect(fake.keys()).to.deep.equal(['POST r:/1.0/images?recursion=1&project=p']);
    expect(fake.seen[0]?.request.api).to.deep.include({
      method: 'POST',
      wait: true,
      body: { source: { type: 'url' } },
    });
  });

  it('keeps a project already named in the path', async () => {
    const { fake, client } = fakeClient({ project: 'p' });
    fake.on('GET local:/1.0/images?project=q', '[]');
    await client.query('local', '/1.0/images?project=q');
    expect(fake.keys()).to.deep.equal(['GET local:/1.0/images?project=q']);
  });

  it('applies a mutator', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/images/${F0}`, fixture('image.incus.json'));
    const fp = await client.query(
      'local',
      `/1.0/images/${F0}`,
      (v) => (v as { fingerprint: string }).fingerprint,
    );
    expect(fp).to.equal(F0);
  });

  it('rejects ParseError keeping raw on non-JSON output', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0', 'not json');
    const err = await rejection(client.query('local', '/1.0'));
    expect(err).to.be.instanceOf(ParseError).with.property('raw', 'not json');
  });

  it('refuses a relative or spaced path, an unknown method and a BigInt body without sending', async () => {
    const { fake, client } = fakeClient();
    const errors = [
      await rejection(client.query('local', '1.0')),
      await rejection(client.query('local', '/1.0/images/a b')),
      await rejection(client.query('local', '/1.0', { method: 'HEAD' as 'GET' })),
      await rejection(client.query('local', '/1.0', { method: 'PUT', body: { n: 1n } })),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal([
      'path',
      'path',
      'method',
      'body',
    ]);
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('createClient', () => {
  it('uses the client project by default (?project= in requests, --project on commands)', async () => {
    const { fake, client } = fakeClient({ project: 'p' });
    fake.on(`GET local:/1.0/images/${F0}?project=p`, fixture('image.lxd.json'));
    fake.on('cli image list local: --format=json --project=p', '[]\n');
    await client.images.info('local', F0);
    await client.images.list('local');
    expect(fake.keys()).to.deep.equal([
      `GET local:/1.0/images/${F0}?project=p`,
      'cli image list local: --format=json --project=p',
    ]);
  });

  it('lets a call name another project', async () => {
    const { fake, client } = fakeClient({ project: 'p' });
    fake.on('GET local:/1.0?project=q', '{}');
    await client.query('local', '/1.0', { project: 'q' });
    expect(fake.keys()).to.deep.equal(['GET local:/1.0?project=q']);
  });

  it("uses defaultRemote for '' and undefined remotes", async () => {
    const { fake, client } = fakeClient({ defaultRemote: 'other' });
    fake.on('GET other:/1.0', '{}');
    await client.query('', '/1.0');
    await client.query(undefined, '/1.0');
    expect(fake.keys()).to.deep.equal(['GET other:/1.0', 'GET other:/1.0']);
  });

  it("uses 'local' when no defaultRemote is given", async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0', '{}');
    await client.query(undefined, '/1.0');
    expect(fake.keys()).to.deep.equal(['GET local:/1.0']);
  });

  it('stops a call with TimeoutError once the client timeout passes', async () => {
    const { fake, client } = fakeClient({ timeout: 30 });
    fake.on('GET local:/1.0', hang);
    const err = await rejection(client.query('local', '/1.0'));
    expect(err).to.be.instanceOf(TimeoutError);
  });

  it("lets a call's own timeout replace the client's", async () => {
    const { fake, client } = fakeClient({ timeout: 20 });
    fake.on('GET local:/1.0', answerAfter(80, '{"ok":true}'));
    expect(await client.query('local', '/1.0', { timeout: 10_000 })).to.deep.equal({ ok: true });
  });

  it("stops a call with AbortError when the caller's signal fires", async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0', hang);
    const controller = new AbortController();
    const pending = rejection(client.query('local', '/1.0', { signal: controller.signal }));
    await sleep(5);
    controller.abort();
    expect(await pending).to.be.instanceOf(AbortError);
  });

  it('never sends more than `concurrency` requests at once', async () => {
    const { fake, client } = fakeClient({ concurrency: 3 });
    fake.on('GET local:/1.0', answerAfter(5));
    await Promise.all(Array.from({ length: 10 }, () => client.query('local', '/1.0')));
    expect(fake.keys()).to.have.length(10);
    expect(fake.maxInFlight).to.equal(3);
  });

  it('sends one request at a time with concurrency 1', async () => {
    const { fake, client } = fakeClient({ concurrency: 1 });
    fake.on('GET local:/1.0', answerAfter(5));
    fake.on('GET local:/1.1', answerAfter(5));
    await Promise.all([client.query('local', '/1.0'), client.query('local', '/1.1')]);
    expect(fake.maxInFlight).to.equal(1);
  });

  it('names the transport and the binary', () => {
    const { client } = fakeClient({ binary: 'incus' });
    expect(client.transport).to.equal('cli');
    expect(client.binary).to.equal('incus');
    expect(createClient().binary).to.equal('lxc');
  });

  it('runs the given runner for the CLI transport', async () => {
    const run = stubRunner().resolves(ok('{"api_version":"1.0"}\n\n'));
    const client = createClient({ runner: run });
    expect(await client.query('local', '/1.0')).to.deep.equal({ api_version: '1.0' });
    sinon.assert.calledOnceWithMatch(run, ['query', 'local:/1.0'], { remote: 'local' });
  });

  it('refuses bad options synchronously', () => {
    for (const [options, field] of [
      [{ binary: '-lxc' }, 'binary'],
      [{ binary: '' }, 'binary'],
      [{ concurrency: 0 }, 'concurrency'],
      [{ timeout: 0 }, 'timeout'],
      [{ timeout: 2 ** 31 }, 'timeout'],
      [{ project: 'a/b' }, 'project'],
      [{ defaultRemote: '-r' }, 'defaultRemote'],
      [{ transport: 'http' as 'cli' }, 'transport'],
      [{ env: { 'A=B': 'x' } }, 'env'],
      [{ configDir: 'a\0b' }, 'configDir'],
    ] as const) {
      expect(() => createClient(options), JSON.stringify(options))
        .to.throw(ValidationError)
        .with.property('field', field);
    }
  });

  it('refuses options that are not an object', () => {
    expect(() => createClient(null as unknown as object))
      .to.throw(ValidationError)
      .with.property('field', 'options');
  });

  describe('with the real runner and the fake binary', () => {
    let tmp: string;
    before(() => {
      tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
    });
    after(() => {
      rmSync(tmp, { recursive: true, force: true });
    });

    it('sets LXD_CONF from configDir and LC_ALL=C', async () => {
      const client = createClient({ binary: FAKE, configDir: '/tmp/conf-lxd' });
      expect(client.binary).to.equal(FAKE);
      expect(await client.query('local', '/1.0')).to.deep.equal({
        args: ['query', 'local:/1.0'],
        LC_ALL: 'C',
        LXD_CONF: '/tmp/conf-lxd',
      });
    });

    it('sets INCUS_CONF for an incus binary', async () => {
      const incus = join(tmp, 'incus');
      symlinkSync(FAKE, incus);
      const result = await createClient({ binary: incus, configDir: '/tmp/conf-incus' }).query(
        'local',
        '/1.0',
      );
      expect(result)
        .to.deep.include({ INCUS_CONF: '/tmp/conf-incus' })
        .and.not.have.property('LXD_CONF');
    });
  });
});
