import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RemoteError,
  ValidationError,
  type Client,
  type Image,
  type ImageUsage,
} from '../../lib/index.js';
import {
  createInstance,
  deleteInstance,
  type InstanceHost,
  type Sandbox,
  type TestImage,
} from '../../lib/testing/index.js';
import { countingClient, type Sent } from '../support/counting.js';
import { newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { rejectionOf } from '../support/procs.js';
import {
  createProject,
  fingerprintsIn,
  fps,
  imported,
  instanceIn,
  PRODUCT,
  reasons,
  snapshotIn,
} from '../support/retention-stage.js';

// 50 image tarballs, made once (one after the other) and imported into a project of each run.
let crowd: Promise<TestImage[]> | undefined;
const fifty = (): Promise<TestImage[]> =>
  (crowd ??= (async () => {
    const made: TestImage[] = [];
    for (let i = 0; i < 50; i++) made.push(await newImage());
    return made;
  })());

// The usage of one image, by fingerprint.
function usageOf(usage: readonly ImageUsage[], image: Image): ImageUsage | undefined {
  return usage.find((u) => u.fingerprint === image.fingerprint && u.project === image.project);
}

// The sandbox's daemon, each command run in `project` (for the instance helpers).
function inProject(sandbox: Sandbox, project: string): InstanceHost {
  return { run: (args, options) => sandbox.run([...args, `--project=${project}`], options) };
}

// What a request reads or writes: its API path, or the arguments of its CLI command.
const whatOf = ({ request }: Sent): string =>
  request.api?.path ?? request.cli?.args.join(' ') ?? Object.keys(request).join(',');

eachDaemon('images.usage and images.prune', function (d) {
  let sandbox: Sandbox;
  let setup: Client; // imports and reads over REST: the quickest way to set a stage
  let client: Client;
  const name = (what: string): string => `${what}-${d.tag}`;
  let idle: { project: string; old: Image; aliased: Image };

  before(async function () {
    this.timeout(300_000);
    sandbox = await d.sandboxFor('retention');
    setup = d.clientFor(sandbox, { transport: 'rest' });
    client = d.clientFor(sandbox);
    // images for the idleness test, uploaded long before it runs (it is the last test)
    const project = await createProject(sandbox, name('idle'), true);
    const old = await imported(setup, project);
    const aliased = await imported(setup, project, { aliases: ['idle-old'] });
    idle = { project, old, aliased };
  });

  it('usage: the aliases, instances and snapshots of each image of the project', async function () {
    this.timeout(120_000);
    const project = await createProject(sandbox, name('use'), true);
    const a = await imported(setup, project, { aliases: ['web', 'web/2'] });
    const b = await imported(setup, project);
    const c = await imported(setup, project);
    await instanceIn(sandbox, project, b.fingerprint, 'c1');
    await snapshotIn(sandbox, project, 'c1', 'snap0');
    const usage = await client.images.usage('local', { project });
    expect(usage).to.have.length(3);
    expect(usageOf(usage, { ...a, project })).to.deep.equal({
      fingerprint: a.fingerprint,
      project,
      aliases: ['web', 'web/2'],
      instances: [],
      cached: false,
      lastUsedAt: null,
    });
    const used = usageOf(usage, { ...b, project });
    expect(used?.instances).to.deep.equal(['c1', 'c1/snap0']);
    expect(used?.lastUsedAt).to.be.instanceOf(Date); // the daemon stamps it when c1 is made
    expect(usageOf(usage, { ...c, project }))
      .to.include({ cached: false })
      .and.deep.include({
        aliases: [],
        instances: [],
      });
  });

  it('usage: one listing of the images and one of the instances, however many images (counted)', async function () {
    this.timeout(120_000);
    const project = await createProject(sandbox, name('count'), true);
    // the requests one usage call hands its transport (a fresh client each time: no warm cache)
    const counted = async (): Promise<{ usage: ImageUsage[]; sent: string[] }> => {
      const counting = countingClient(d.binary, sandbox.env, d.transport);
      const usage = await counting.client.images.usage('local', { project });
      return { usage, sent: counting.sent.map(whatOf).sort() };
    };
    await imported(setup, project);
    const one = await counted();
    for (let i = 0; i < 5; i++) await imported(setup, project);
    const six = await counted();
    expect(one.usage).to.have.length(1);
    expect(six.usage).to.have.length(6);
    expect(six.sent).to.deep.equal(one.sent);
    expect(six.sent.filter((what) => what === '/1.0/images')).to.have.length(1);
    expect(six.sent.filter((what) => what === '/1.0/instances')).to.have.length(1);
    expect(six.sent.filter((what) => /[0-9a-f]{64}/.test(what))).to.deep.equal([]);
  });

  it('usage of another project: allProjects, and the instances of a project that shares default’s images', async function () {
    this.timeout(120_000);
    const own = await createProject(sandbox, name('own'), true);
    const shared = await createProject(sandbox, name('shared'), false);
    const mine = await imported(setup, own);
    const base = await imported(setup, 'default');
    await instanceIn(sandbox, shared, base.fingerprint, 's1');
    await instanceIn(sandbox, own, mine.fingerprint, 'o1');
    try {
      const inDefault = await client.images.usage('local');
      expect(usageOf(inDefault, { ...base, project: 'default' })?.instances).to.deep.equal([
        `${shared}:s1`,
      ]);
      expect(inDefault.map((u) => u.project)).to.not.include(own);
      // from the sharing project, the images are default’s
      const fromShared = await client.images.usage('local', { project: shared });
      expect(usageOf(fromShared, { ...base, project: 'default' })?.instances).to.deep.equal([
        `${shared}:s1`,
      ]);
      const all = await client.images.usage('local', { allProjects: true });
      expect(usageOf(all, { ...mine, project: own })?.instances).to.deep.equal(['o1']);
      expect(usageOf(all, { ...base, project: 'default' })?.instances).to.deep.equal([
        `${shared}:s1`,
      ]);
    } finally {
      await sandbox.run(['delete', 's1', `--project=${shared}`]);
      await setup.images.delete('local', base.fingerprint);
    }
  });

  it('prune by expiry: dryRun first deletes nothing, then the same answer; aliased and used images kept', async function () {
    this.timeout(120_000);
    const project = await createProject(sandbox, name('exp'), true);
    const past = { expires_at: new Date('2001-02-03T04:05:06Z') };
    const gone = await imported(setup, project);
    const later = await imported(setup, project);
    const aliased = await imported(setup, project, { aliases: ['keep-me'] });
    const used = await imported(setup, project);
    for (const image of [gone, aliased, used])
      await setup.images.update('local', image.fingerprint, past, { project });
    await setup.images.update(
      'local',
      later.fingerprint,
      { expires_at: new Date('2099-01-01') },
      { project },
    );
    await instanceIn(sandbox, project, used.fingerprint, 'c1');
    await snapshotIn(sandbox, project, 'c1', 'snap0');
    const before = await fingerprintsIn(setup, project);
    const dry = await client.images.prune('local', { expired: true }, { dryRun: true, project });
    expect(await fingerprintsIn(setup, project)).to.deep.equal(before);
    expect(fps(dry.deleted)).to.deep.equal([gone.fingerprint]);
    expect(reasons(dry.kept)).to.deep.equal({
      [later.fingerprint]: 'not expired',
      [aliased.fingerprint]: 'alias keep-me',
      [used.fingerprint]: 'used by c1, c1/snap0',
    });
    const real = await client.images.prune('local', { expired: true }, { project });
    expect(fps(real.deleted)).to.deep.equal(fps(dry.deleted));
    expect(reasons(real.kept)).to.deep.equal(reasons(dry.kept));
    expect(real.deleted[0]?.expires_at?.toISOString()).to.equal('2001-02-03T04:05:06.000Z');
    expect(await fingerprintsIn(setup, project)).to.deep.equal(fps([later, aliased, used]));
  });

  it('dryRun with keep and with unusedFor deletes nothing, and answers what the prune then does', async function () {
    this.timeout(120_000);
    const project = await createProject(sandbox, name('dry'), true);
    const product = { properties: PRODUCT };
    const old = await imported(setup, project, product);
    const newest = await imported(setup, project, product);
    const aliased = await imported(setup, project, { aliases: ['dry-keep'] });
    const before = await fingerprintsIn(setup, project);
    const keep = await client.images.prune('local', { keep: 1 }, { dryRun: true, project });
    expect(fps(keep.deleted)).to.deep.equal([old.fingerprint]);
    expect(reasons(keep.kept)).to.deep.equal({
      [newest.fingerprint]: 'newest 1 of its product',
      [aliased.fingerprint]: 'alias dry-keep',
    });
    expect(await fingerprintsIn(setup, project)).to.deep.equal(before);
    const idle = await client.images.prune('local', { unusedFor: 0 }, { dryRun: true, project });
    expect(fps(idle.deleted)).to.deep.equal(fps([old, newest]));
    expect(reasons(idle.kept)).to.deep.equal({ [aliased.fingerprint]: 'alias dry-keep' });
    expect(await fingerprintsIn(setup, project)).to.deep.equal(before);
    const real = await client.images.prune('local', { keep: 1 }, { project });
    expect(fps(real.deleted)).to.deep.equal(fps(keep.deleted));
    expect(reasons(real.kept)).to.deep.equal(reasons(keep.kept));
    expect(await fingerprintsIn(setup, project)).to.deep.equal(fps([newest, aliased]));
  });

  it('prune by idleness measures from last_used_at: an older image used lately stays, a newer unused one goes', async function () {
    this.timeout(120_000);
    const project = await createProject(sandbox, name('last'), true);
    const host = inProject(sandbox, project);
    const a = await imported(setup, project);
    await sleep(2_000);
    const b = await imported(setup, project);
    await sleep(3_000);
    await createInstance(host, a.fingerprint, 'u1'); // made, not started: the daemon stamps A
    const used = await client.images.usage('local', { project });
    const lastUsedAt = usageOf(used, { ...a, project })?.lastUsedAt;
    expect(lastUsedAt).to.be.instanceOf(Date);
    expect(usageOf(used, { ...b, project })?.lastUsedAt).to.equal(null);
    await deleteInstance(host, 'u1'); // A is no longer in use
    await sleep(1_000);
    // the line: half a second after B's upload; A's last use is `margin` (≥ 2.5 s) after it
    const line = b.uploaded_at!.getTime() + 500;
    const margin = lastUsedAt!.getTime() - line;
    expect(margin, 'A was used seconds after B was uploaded').to.be.above(1_500);
    const start = Date.now();
    const unusedFor = start - line;
    // both uploads are outside the window: by uploaded_at alone, A would go too
    expect(start - a.uploaded_at!.getTime()).to.be.above(unusedFor);
    const dry = await client.images.prune('local', { unusedFor }, { dryRun: true, project });
    // the prune measured from a moment within [start, now]: A's use stayed inside if now - start < margin
    expect(Date.now() - start, 'the prune took longer than the margin').to.be.below(margin);
    expect(fps(dry.deleted)).to.deep.equal([b.fingerprint]);
    expect(reasons(dry.kept)).to.deep.equal({ [a.fingerprint]: 'used recently' });
    expect(await fingerprintsIn(setup, project)).to.deep.equal(fps([a, b]));
  });

  it('prune by keep: the newest n of each product; used and product-less images kept', async function () {
    this.timeout(120_000);
    const project = await createProject(sandbox, name('keep'), true);
    // the same creation date (makeImage's): the upload time decides, one after the other
    const product = { properties: PRODUCT };
    const oldest = await imported(setup, project, product);
    const older = await imported(setup, project, product);
    const old = await imported(setup, project, product);
    const newest = await imported(setup, project, product);
    const other = await imported(setup, project, { properties: { ...PRODUCT, release: '2' } });
    const bare = await imported(setup, project, { properties: { os: 'prodos', release: '1' } });
    await instanceIn(sandbox, project, oldest.fingerprint, 'c1');
    const result = await client.images.prune('local', { keep: 1 }, { project });
    expect(fps(result.deleted)).to.deep.equal(fps([older, old]));
    expect(reasons(result.kept)).to.deep.equal({
      [oldest.fingerprint]: 'used by c1',
      [newest.fingerprint]: 'newest 1 of its product',
      [other.fingerprint]: 'newest 1 of its product',
      [bare.fingerprint]: 'no product',
    });
    expect(await fingerprintsIn(setup, project)).to.deep.equal(fps([oldest, newest, other, bare]));
  });

  it('prunes 50 images at once', async function () {
    this.timeout(300_000);
    const project = await createProject(sandbox, name('fifty'), true);
    const images = await fifty();
    await Promise.all(images.map((image) => imported(setup, project, { image })));
    expect(await fingerprintsIn(setup, project)).to.have.length(50);
    const result = await client.images.prune('local', { unusedFor: 0 }, { project });
    expect(fps(result.deleted)).to.deep.equal(images.map((i) => i.fingerprint).sort());
    expect(result.kept).to.deep.equal([]);
    expect(await fingerprintsIn(setup, project)).to.deep.equal([]);
  });

  it('considers cached images only with cached: true', async function () {
    this.timeout(120_000);
    const project = await createProject(sandbox, name('cache'), true);
    await instanceIn(sandbox, project, 'ss:ssos', 'cc'); // the daemon caches the image
    await sandbox.run(['delete', 'cc', `--project=${project}`]);
    const [cached] = await setup.images.list('local', { project });
    expect(cached?.cached).to.equal(true);
    const skipped = await client.images.prune('local', { unusedFor: 0 }, { project });
    expect(skipped).to.deep.equal({
      deleted: [],
      kept: [{ fingerprint: cached?.fingerprint, reason: 'cached' }],
    });
    const pruned = await client.images.prune('local', { unusedFor: 0, cached: true }, { project });
    expect(fps(pruned.deleted)).to.deep.equal([cached?.fingerprint]);
    expect(await fingerprintsIn(setup, project)).to.deep.equal([]);
  });

  it('refuses bad policies before any request, and a public image server', async function () {
    const project = idle.project;
    const before = await fingerprintsIn(setup, project);
    const bad: unknown[] = [
      {},
      { keep: 0 },
      { keep: 1.5 },
      { unusedFor: -1 },
      { unusedFor: NaN },
      { unusedFor: Infinity },
      { expired: 'yes' },
      { keep: 1, nope: true },
      { cached: true },
    ];
    for (const policy of bad) {
      const error = await rejectionOf(
        client.images.prune('local', policy as { keep: number }, { project }),
      );
      expect(error, JSON.stringify(policy)).to.be.instanceOf(ValidationError);
    }
    expect(await fingerprintsIn(setup, project)).to.deep.equal(before);
    expect(await rejectionOf(client.images.prune('ss', { keep: 1 }))).to.be.instanceOf(RemoteError);
    expect(await rejectionOf(client.images.usage('ss'))).to.be.instanceOf(RemoteError);
  });

  it('prune by idleness: unused (or never used and uploaded) for longer than unusedFor', async function () {
    this.timeout(120_000);
    const { project, old, aliased } = idle;
    // at least 10 s between the old uploads and the new one (the other tests usually take longer)
    const oldest = Math.max(old.uploaded_at!.getTime(), aliased.uploaded_at!.getTime());
    await sleep(Math.max(0, oldest + 10_000 - Date.now()));
    const fresh = await imported(setup, project);
    const gap = fresh.uploaded_at!.getTime() - oldest;
    const start = Date.now();
    // the line between the old and the new uploads, measured back from now
    const unusedFor = Math.round(start - (oldest + gap / 2));
    const result = await client.images.prune('local', { unusedFor }, { project });
    // the prune measured from a moment within [start, now]: the line held if it took < gap / 2
    expect(Date.now() - start, 'the prune took longer than half the gap').to.be.below(gap / 2);
    expect(fps(result.deleted)).to.deep.equal([old.fingerprint]);
    expect(reasons(result.kept)).to.deep.equal({
      [aliased.fingerprint]: 'alias idle-old',
      [fresh.fingerprint]: 'used recently',
    });
  });
});
