import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import sinon from 'sinon';
import { createClient } from '../../lib/client.js';
import { ParseError, ValidationError } from '../../lib/errors.js';
import { argv, F0, fixture, ok, rejection, stubClient } from './helpers.js';

const FAKE = fileURLToPath(new URL('../fixtures/fake-lxc.mjs', import.meta.url));

describe('query', () => {
  it('GETs a path and resolves to the parsed JSON', async () => {
    const { run, client } = stubClient();
    run.resolves(ok('{\n\t"api_version": "1.0"\n}\n\n'));
    expect(await client.query('local', '/1.0')).to.deep.equal({ api_version: '1.0' });
    expect(argv(run)).to.deep.equal(['query', 'local:/1.0']);
  });

  it('sends project as ?project=, method, --wait and body as --data=', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(''));
    const result = await client.query('r', '/1.0/images?recursion=1', {
      project: 'p',
      method: 'POST',
      wait: true,
      body: { source: { type: 'url' } },
    });
    expect(result).to.equal(null);
    expect(argv(run)).to.deep.equal([
      'query',
      '--request=POST',
      '--wait',
      '--data={"source":{"type":"url"}}',
      'r:/1.0/images?recursion=1&project=p',
    ]);
  });

  it('applies a mutator', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('image.incus.json')));
    const fp = await client.query(
      'local',
      `/1.0/images/${F0}`,
      (v) => (v as { fingerprint: string }).fingerprint,
    );
    expect(fp).to.equal(F0);
  });

  it('rejects ParseError keeping raw on non-JSON output', async () => {
    const { run, client } = stubClient();
    run.resolves(ok('not json'));
    const err = await rejection(client.query('local', '/1.0'));
    expect(err).to.be.instanceOf(ParseError).with.property('raw', 'not json');
  });

  it('refuses a relative or spaced path and an unknown method without running', async () => {
    const { run, client } = stubClient();
    const errors = [
      await rejection(client.query('local', '1.0')),
      await rejection(client.query('local', '/1.0/images/a b')),
      await rejection(client.query('local', '/1.0', { method: 'HEAD' as 'GET' })),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal([
      'path',
      'path',
      'method',
    ]);
    sinon.assert.notCalled(run);
  });
});

describe('createClient', () => {
  it('uses the client project by default (?project= in queries, --project elsewhere)', async () => {
    const { run, client } = stubClient({ project: 'p' });
    run.onCall(0).resolves(ok(fixture('image.lxd.json')));
    run.onCall(1).resolves(ok('[]\n'));
    await client.images.info('local', F0);
    await client.images.list('local');
    expect(argv(run, 0).at(-1)).to.equal(`local:/1.0/images/${F0}?project=p`);
    expect(argv(run, 1).at(-1)).to.equal('--project=p');
  });

  it("uses defaultRemote for '' and undefined remotes", async () => {
    const { run, client } = stubClient({ defaultRemote: 'other' });
    run.resolves(ok('{}'));
    await client.query('', '/1.0');
    await client.query(undefined, '/1.0');
    expect([argv(run, 0).at(-1), argv(run, 1).at(-1)]).to.deep.equal(['other:/1.0', 'other:/1.0']);
  });

  it("uses 'local' when no defaultRemote is given", async () => {
    const { run, client } = stubClient();
    run.resolves(ok('{}'));
    await client.query(undefined, '/1.0');
    expect(argv(run).at(-1)).to.equal('local:/1.0');
  });

  it('passes the client timeout to the runner unless a call sets its own', async () => {
    const { run, client } = stubClient({ timeout: 1234 });
    run.resolves(ok('{}'));
    await client.query('local', '/1.0');
    await client.query('local', '/1.0', { timeout: 5 });
    sinon.assert.calledWithMatch(run.firstCall, sinon.match.array, {
      timeout: 1234,
      remote: 'local',
    });
    sinon.assert.calledWithMatch(run.secondCall, sinon.match.array, { timeout: 5 });
  });

  it('never runs more than `concurrency` processes at once', async () => {
    let release = (): void => undefined;
    const { run, client } = stubClient({ concurrency: 1 });
    run.callsFake(
      () =>
        new Promise(
          (resolve) =>
            (release = () => {
              resolve(ok('{}'));
            }),
        ),
    );
    const both = Promise.all([client.query('local', '/1.0'), client.query('local', '/1.1')]);
    await new Promise((resolve) => setImmediate(resolve));
    sinon.assert.calledOnce(run);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    sinon.assert.calledTwice(run);
    release();
    await both;
  });

  it('refuses bad options synchronously', () => {
    for (const [options, field] of [
      [{ binary: '-lxc' }, 'binary'],
      [{ concurrency: 0 }, 'concurrency'],
      [{ timeout: 0 }, 'timeout'],
      [{ project: 'a/b' }, 'project'],
      [{ defaultRemote: '-r' }, 'defaultRemote'],
    ] as const) {
      expect(() => createClient(options))
        .to.throw(ValidationError)
        .with.property('field', field);
    }
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
