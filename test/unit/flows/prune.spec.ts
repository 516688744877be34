import { inspect } from 'node:util';
import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, rejection, tick } from '../helpers.js';
import { pruneImages } from '../../../lib/flows/prune.js';
import { keepRules } from '../../../lib/requests/retention.js';
import { AbortError, LxcError, RemoteError, ValidationError } from '../../../lib/wire/errors.js';
import { PruneError, type PruneResult } from '../../../lib/wire/prune-error.js';
import { ImageSchema } from '../../../lib/wire/schemas.js';
import { fakeCore } from '../core-parts.js';
import { daemonWith, fp, KEYS, rawImage, rawInstance } from '../retention-fakes.js';

const DAY = 86_400_000;
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
const del = (d: string, project = ''): string =>
  `DELETE local:/1.0/images/${fp(d)}${project === '' ? '' : `?project=${project}`}`;
const PRODUCT = { os: 'alpine', release: '3.19', variant: 'default', architecture: 'amd64' };

describe('images.prune', () => {
  it('deletes what the policy selects, keeps what is used, each delete under the image’s lock', async () => {
    const images = [
      rawImage('1', { expires_at: ago(DAY) }),
      rawImage('2', { expires_at: ago(DAY), aliases: [{ name: 'web', description: '' }] }),
      rawImage('3', { expires_at: ago(DAY) }),
      rawImage('4'),
    ];
    const { fake, client } = daemonWith(images, [rawInstance('c1', fp('0'), { snap0: fp('3') })]);
    fake.on(del('1'), '');
    const result = await client.images.prune('local', { expired: true });
    expect(result.deleted.map((i) => i.fingerprint)).to.deep.equal([fp('1')]);
    expect(result.kept).to.deep.equal([
      { fingerprint: fp('2'), reason: 'alias web' },
      { fingerprint: fp('3'), reason: 'used by c1/snap0' },
      { fingerprint: fp('4'), reason: 'never expires' },
    ]);
    expect(fake.sent(del('1'))).to.have.length(1);
    expect(fake.sent(del('1'))[0]?.api).to.include({ method: 'DELETE', wait: true });
  });

  it('a write to an image waits while the prune deletes it (the client’s lock on the image)', async () => {
    const { fake, client } = daemonWith([rawImage('1', { expires_at: ago(1) })]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.on(del('1'), () => gate.then(() => ''));
    fake.on(`GET local:/1.0/images/${fp('1')}`, cliError('Image not found'));
    const pruned = client.images.prune('local', { expired: true });
    for (let i = 0; i < 20 && fake.inFlight === 0; i++) await tick();
    const write = rejection(client.images.setProperty('local', fp('1'), 'k', 'v'));
    for (let i = 0; i < 20; i++) await tick();
    expect(fake.keys().at(-1)).to.equal(del('1'));
    release();
    await pruned;
    await write;
    expect(fake.keys().slice(-2)).to.deep.equal([del('1'), `GET local:/1.0/images/${fp('1')}`]);
  });

  it('dryRun resolves the same answer and deletes nothing', async () => {
    const images = [
      rawImage('1', { uploaded_at: ago(3 * DAY) }),
      rawImage('2', { uploaded_at: ago(1) }),
    ];
    const { fake, client } = daemonWith(images);
    const result = await client.images.prune('local', { unusedFor: 2 * DAY }, { dryRun: true });
    expect(result.deleted.map((i) => i.fingerprint)).to.deep.equal([fp('1')]);
    expect(result.kept).to.deep.equal([{ fingerprint: fp('2'), reason: 'used recently' }]);
    expect(fake.keys().filter((k) => k.startsWith('DELETE'))).to.deep.equal([]);
  });

  it('deletes 50 at once through the client’s concurrency limit, without a listener warning', async () => {
    const digits = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(2, '0'));
    const { fake, client } = daemonWith(digits.map((d) => rawImage(d, { expires_at: ago(1) })));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    for (const d of digits) fake.on(del(d), () => gate.then(() => ''));
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const pruned = client.images.prune('local', { expired: true });
      for (let i = 0; i < 20 && fake.inFlight < 8; i++) await tick();
      expect(fake.inFlight).to.equal(8); // the default limit, all of it used
      release();
      expect((await pruned).deleted).to.have.length(50);
      expect(fake.maxInFlight).to.equal(8);
      await tick();
      expect(warnings).to.deep.equal([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a delete that fails: the others still run, and a PruneError says which were deleted', async () => {
    const images = ['1', '2', '3'].map((d) => rawImage(d, { expires_at: ago(1) }));
    const { fake, client } = daemonWith([...images, rawImage('4')]);
    fake.on(del('1'), '');
    fake.on(del('2'), cliError('Image is being used by another operation'));
    fake.on(del('3'), cliError('Image not found')); // gone already: it counts as deleted
    const error = await rejection(client.images.prune('local', { expired: true }));
    expect(error).to.be.instanceOf(PruneError).and.be.instanceOf(LxcError);
    const pruned = error as PruneError;
    expect(pruned.code).to.equal('ERR_LXC_PRUNE');
    expect(pruned.deleted.map((i) => i.fingerprint)).to.deep.equal([fp('1'), fp('3')]);
    expect(pruned.failed.map((f) => [f.fingerprint, f.error.message])).to.deep.equal([
      [fp('2'), 'Image is being used by another operation'],
    ]);
    expect(pruned.kept).to.deep.equal([{ fingerprint: fp('4'), reason: 'never expires' }]);
    expect(pruned.message).to.match(
      /^1 of 3 images could not be deleted \(2 were\): 222222222222: Image is being/,
    );
  });

  it('deletes in the call’s project, where it listed', async () => {
    const projects = [
      { name: 'default', config: {} },
      { name: 'own', config: { 'features.images': 'true' } },
    ];
    const images = [rawImage('1', { expires_at: ago(1) })];
    const instances = [rawInstance('c1', fp('1'))]; // default's c1: not a user
    const { fake, client } = daemonWith(images, instances, { projects, project: 'own' });
    fake.on(del('1', 'own'), '');
    const result = await client.images.prune('local', { expired: true });
    expect(result.deleted.map((i) => i.project)).to.deep.equal(['own']);
    expect(fake.sent(del('1', 'own'))).to.have.length(1);
  });

  it('an abort stops the prune with an AbortError', async () => {
    const { fake, client } = daemonWith([rawImage('1', { expires_at: ago(1) })]);
    const controller = new AbortController();
    fake.on(del('1'), (_key, _request, signal) => {
      controller.abort();
      signal.throwIfAborted();
      return '';
    });
    const error = await rejection(
      client.images.prune('local', { expired: true }, { signal: controller.signal }),
    );
    expect(error).to.be.instanceOf(AbortError);
  });

  it('refuses bad policies and flags before any request', async () => {
    const bad: unknown[] = [
      undefined,
      null,
      [],
      {},
      { expired: false },
      { cached: true },
      { keep: 0 },
      { keep: -1 },
      { keep: 1.5 },
      { keep: '2' },
      { unusedFor: -1 },
      { unusedFor: 0.5 },
      { unusedFor: NaN },
      { unusedFor: Infinity },
      { unusedFor: 2 ** 60 },
      { expired: 'yes' },
      { expired: true, cached: 1 },
      { expired: true, keepp: 2 },
      { expired: true, only: () => true },
    ];
    for (const policy of bad) {
      const { fake, client } = fakeClient();
      const error = await rejection(client.images.prune('local', policy as { keep: number }));
      expect(error, inspect(policy)).to.be.instanceOf(ValidationError);
      expect(fake.keys()).to.deep.equal([]);
    }
    const { fake, client } = fakeClient();
    const flag = await rejection(
      client.images.prune('local', { keep: 1 }, { dryRun: 1 as unknown as boolean }),
    );
    expect(flag).to.be.instanceOf(ValidationError).with.property('field', 'dryRun');
    expect(fake.keys()).to.deep.equal([]);
  });

  it('refuses a public image server', async () => {
    const { client } = fakeClient();
    expect(await rejection(client.images.prune('images', { keep: 1 }))).to.be.instanceOf(
      RemoteError,
    );
  });
});

describe('pruneImages (ensure’s keep)', () => {
  it('keeps the newest n of one product only, never an aliased one', async () => {
    const made = (d: string, created: string, fields: Record<string, unknown> = {}) =>
      rawImage(d, { created_at: created, properties: PRODUCT, ...fields });
    const images = [
      made('1', '2026-01-01T00:00:00Z'),
      made('2', '2026-02-01T00:00:00Z', { aliases: [{ name: 'old', description: '' }] }),
      made('3', '2026-03-01T00:00:00Z'),
      made('4', '2026-04-01T00:00:00Z'),
      rawImage('5', {
        created_at: '2020-01-01T00:00:00Z',
        properties: { ...PRODUCT, release: '3.18' },
      }),
    ];
    const { fake, core } = fakeCore();
    fake.on(KEYS.server, JSON.stringify({ api_extensions: ['instance_all_projects'] }));
    fake.on(KEYS.projects, JSON.stringify([{ name: 'default' }]));
    fake.on(KEYS.images, JSON.stringify(images));
    fake.on(KEYS.instances, '[]');
    fake.on(del('1'), '');
    // as `ensure` has it: read by `info`, which names no project on LXD
    const newest = ImageSchema.parse(images[3]);
    expect(newest.project).to.equal(undefined);
    const rules = keepRules(2, newest);
    const result = await core.call<object, PruneResult, PruneResult>('local', [], (call) =>
      pruneImages(call, rules, { dryRun: false }),
    );
    expect(result.deleted.map((i) => i.fingerprint)).to.deep.equal([fp('1')]);
    expect(result.kept.map((k) => [k.fingerprint[0], k.reason])).to.deep.equal([
      ['2', 'alias old'],
      ['3', 'newest 2 of its product'],
      ['4', 'newest 2 of its product'],
    ]);
  });
});
