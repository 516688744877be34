import { expect } from 'chai';
import { fakeClient, type FakeTransport } from '../fake-transport.js';
import { cliError, F0, F1, fixture, rejection } from '../helpers.js';
import { AbortError, LxcError, SyncError, ValidationError } from '../../../lib/wire/errors.js';
import type { ProgressEvent } from '../../../lib/wire/progress.js';

const IMAGE = fixture('image.lxd.json');
const ABSENT = cliError('Image not found');
const TARGETS = ['r1', 'r2', 'r3'];
const server = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ environment: { addresses: [], certificate: 'C', ...fields } });

/** Which targets hold the image, and which cannot be reached. */
interface World {
  present?: string[];
  down?: string[];
  /** Members of one cluster (they share its certificate). */
  cluster?: string[];
}

// A fake with the source `local` (F0, not on the network: auto mode relays) and targets r1…r3.
function syncing(world: World = {}): {
  fake: FakeTransport;
  client: ReturnType<typeof fakeClient>['client'];
} {
  const made = fakeClient();
  const { fake } = made;
  for (const name of TARGETS)
    fake.remotes.push({
      name,
      url: `https://10.0.0.${name.slice(1)}:8443`,
      protocol: 'lxd',
      public: false,
    });
  fake.uploaded = F0;
  fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
  fake.on('GET local:/1.0', server());
  for (const name of TARGETS) {
    if (world.down?.includes(name))
      fake.on(`GET ${name}:/1.0`, cliError(`Unable to connect to: ${name}`));
    else if (world.cluster?.includes(name))
      fake.on(`GET ${name}:/1.0`, server({ certificate: 'CLUSTER', server_clustered: true }));
    else fake.on(`GET ${name}:/1.0`, server({ certificate: `C-${name}` }));
    if (world.present?.includes(name)) fake.on(`GET ${name}:/1.0/images/${F0}`, IMAGE);
    else fake.on(`GET ${name}:/1.0/images/${F0}`, ABSENT, IMAGE);
  }
  return made;
}

// The writes a fake saw (uploads are recorded apart).
function writes(fake: FakeTransport): string[] {
  return fake.keys().filter((key) => /^(POST|PUT|PATCH|DELETE) /.test(key));
}

describe('images.sync', () => {
  it('relays to every target from one read of the source, uploads carrying the fingerprint', async () => {
    const { fake, client } = syncing();
    const events: ProgressEvent[] = [];
    const result = await client.images.sync('local', F0, TARGETS, {
      mode: 'relay',
      onProgress: (event) => events.push(event),
    });
    expect(fake.spools).to.have.length(1);
    expect(fake.spools[0]?.closed).to.equal(true);
    expect(fake.uploads.map((u) => u.target.remote).sort()).to.deep.equal(TARGETS);
    for (const { upload } of fake.uploads) {
      expect(upload.fingerprint).to.equal(F0);
      // the source's properties travel with the image, as a pull copies them
      expect(upload.properties).to.deep.equal({
        description: 'Test image 0',
        os: 'testos',
        release: '1.0',
      });
      expect(upload.source).to.deep.equal({ kind: 'files', files: ['/spooled'] });
    }
    for (const { upload } of fake.uploads)
      upload.onProgress?.({ stage: 'import', label: 'Uploading', percent: 50 });
    expect(events.map((e) => e.remote).sort()).to.deep.equal(TARGETS);
    expect(result.fingerprint).to.equal(F0);
    expect(result.results).to.deep.equal(
      TARGETS.map((remote) => ({
        remote,
        status: 'copied',
        actions: [{ action: 'transfer', how: 'relay', fingerprint: F0 }],
      })),
    );
  });

  it('in auto mode relays to targets that cannot reach a source that is not on the network', async () => {
    const { fake, client } = syncing();
    const result = await client.images.sync('local', F0, ['r1']);
    expect(result.results[0]?.actions).to.deep.equal([
      { action: 'transfer', how: 'relay', fingerprint: F0 },
    ]);
    expect(fake.spools).to.have.length(1);
  });

  it('reports a target that has the image as present, and one whose alias it moved as updated', async () => {
    const { fake, client } = syncing({ present: ['r1', 'r2'] });
    fake.on('POST r2:/1.0/images/aliases', '');
    // the image's aliases are `a`, `zz2` and `p/q r` (the fixture's)
    const result = await client.images.sync('local', F0, ['r1', 'r2'], { aliases: ['a'] });
    expect(result.results.map((r) => r.status)).to.deep.equal(['present', 'present']);
    const second = await client.images.sync('local', F0, ['r2'], { aliases: ['new'] });
    expect(second.results[0]).to.deep.include({ status: 'updated' });
    expect(writes(fake)).to.deep.equal(['POST r2:/1.0/images/aliases']);
    expect(fake.uploads).to.deep.equal([]);
  });

  it('copies to one member of a cluster and reports the others as its cluster peers', async () => {
    const { fake, client } = syncing({ cluster: ['r2', 'r3'] });
    const result = await client.images.sync('local', F0, ['r2', 'r1', 'r3'], { mode: 'relay' });
    expect(fake.uploads.map((u) => u.target.remote).sort()).to.deep.equal(['r1', 'r2']);
    expect(result.results.map((r) => [r.remote, r.status, r.via])).to.deep.equal([
      ['r2', 'copied', undefined],
      ['r1', 'copied', undefined],
      ['r3', 'cluster-peer', 'r2'],
    ]);
  });

  it('finishes the other targets when one fails, then rejects with a SyncError listing all', async () => {
    const { client } = syncing({ down: ['r2'] });
    const error = await rejection(client.images.sync('local', F0, TARGETS, { mode: 'relay' }));
    expect(error).to.be.instanceOf(SyncError).and.instanceOf(LxcError);
    const sync = error as SyncError;
    expect(sync.code).to.equal('ERR_LXC_SYNC');
    expect(sync.fingerprint).to.equal(F0);
    expect(sync.results.map((r) => [r.remote, r.status])).to.deep.equal([
      ['r1', 'copied'],
      ['r2', 'failed'],
      ['r3', 'copied'],
    ]);
    expect(sync.results[1]?.error).to.be.instanceOf(LxcError);
    expect(sync.message).to.include('r2');
  });

  it('with failFast, skips the targets not started once one failed', async () => {
    const { fake, client } = syncing();
    fake.uploaded = cliError('disk full');
    const error = await rejection(
      client.images.sync('local', F0, TARGETS, { mode: 'relay', failFast: true, concurrency: 1 }),
    );
    const results = (error as SyncError).results;
    expect(results.map((r) => r.status)).to.deep.equal(['failed', 'skipped', 'skipped']);
    expect(results[1]?.error?.message).to.include('failFast');
    expect(fake.uploads).to.have.length(1);
  });

  it('works on `concurrency` targets at once', async () => {
    const { fake, client } = syncing();
    let running = 0;
    let most = 0;
    const send = fake.send.bind(fake);
    fake.send = async (target, request, signal) => {
      if (!request.upload) return send(target, request, signal);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return send(target, request, signal);
    };
    await client.images.sync('local', F0, TARGETS, { mode: 'relay', concurrency: 2 });
    expect(most).to.equal(2);
  });

  it('a dry run resolves what each target holds and what would be done, and writes nothing', async () => {
    const { fake, client } = syncing({ present: ['r1'] });
    fake.on('GET r1:/1.0/images/aliases/a', fixture('alias.lxd.json'));
    fake.on('GET r2:/1.0/images/aliases/a', fixture('alias.lxd.json').replace(F0, F1));
    const result = await client.images.sync('local', F0, ['r1', 'r2'], {
      aliases: ['a'],
      dryRun: true,
      mode: 'push',
    });
    expect(result.results).to.deep.equal([
      { remote: 'r1', status: 'present', actions: [], present: true, aliases: { a: F0 } },
      {
        remote: 'r2',
        status: 'copied',
        actions: [
          { action: 'transfer', how: 'push', fingerprint: F0 },
          { action: 'alias', name: 'a', target: F0, from: F1 },
        ],
        present: false,
        aliases: { a: F1 },
      },
    ]);
    expect(writes(fake)).to.deep.equal([]);
    expect(fake.uploads).to.deep.equal([]);
    expect(fake.spools).to.deep.equal([]);
  });

  it('when aborted, undoes per target what it made and rejects as aborted', async () => {
    const { fake, client } = syncing();
    const controller = new AbortController();
    fake.on('POST r1:/1.0/images/aliases', cliError('Alias "web" already exists'));
    fake.on('GET r1:/1.0/images/aliases/web', fixture('alias.lxd.json').replace(F0, F1));
    fake.on('PUT r1:/1.0/images/aliases/web', () => {
      controller.abort();
      return '';
    });
    fake.on(`DELETE r1:/1.0/images/${F0}`, '');
    const error = await rejection(
      client.images.sync('local', F0, ['r1'], {
        mode: 'relay',
        aliases: ['web'],
        signal: controller.signal,
      }),
    );
    expect(error).to.be.instanceOf(AbortError);
    const puts = fake.sent('PUT r1:/1.0/images/aliases/web').map((r) => r.api?.body);
    expect(puts).to.deep.equal([
      { target: F0, description: '' },
      { target: F1, description: '' },
    ]);
    expect(fake.keys()).to.include(`DELETE r1:/1.0/images/${F0}`);
    expect(fake.spools[0]?.closed).to.equal(true);
  });

  it('when aborted, its cause is a SyncError saying what each target holds: done, undone, not started', async () => {
    const { fake, client } = syncing();
    const controller = new AbortController();
    const send = fake.send.bind(fake);
    fake.send = (target, request, signal) => {
      if (request.upload && target.remote === 'r2') controller.abort();
      return send(target, request, signal);
    };
    fake.on(`DELETE r2:/1.0/images/${F0}`, '');
    const error = await rejection(
      client.images.sync('local', F0, TARGETS, {
        mode: 'relay',
        concurrency: 1,
        signal: controller.signal,
      }),
    );
    expect(error).to.be.instanceOf(AbortError);
    const cause = (error as AbortError).cause;
    expect(cause).to.be.instanceOf(SyncError);
    const { results } = cause as SyncError;
    expect(results.map((r) => [r.remote, r.status])).to.deep.equal([
      ['r1', 'copied'],
      ['r2', 'failed'],
      ['r3', 'skipped'],
    ]);
    expect(results[1]?.error?.message).to.match(/^stopped here, and what it made was undone: /);
    expect(results[2]?.error?.message).to.match(/^not started: /);
    expect(fake.uploads.map((u) => u.target.remote)).to.deep.equal(['r1', 'r2']);
  });

  it('when aborted while it reads the targets, every target is reported not started', async () => {
    const { fake, client } = syncing();
    const controller = new AbortController();
    const send = fake.send.bind(fake);
    fake.send = (target, request, signal) => {
      if (target.remote === 'r2') controller.abort();
      return send(target, request, signal);
    };
    const error = await rejection(
      client.images.sync('local', F0, TARGETS, { mode: 'relay', signal: controller.signal }),
    );
    expect(error).to.be.instanceOf(AbortError);
    const { results } = (error as AbortError).cause as SyncError;
    expect(results.map((r) => [r.remote, r.status])).to.deep.equal([
      ['r1', 'skipped'],
      ['r2', 'skipped'],
      ['r3', 'skipped'],
    ]);
    expect(fake.uploads).to.deep.equal([]);
    expect(writes(fake)).to.deep.equal([]);
  });

  it("when aborted, the abort's own reason stays in the chain", async () => {
    const { fake, client } = syncing();
    const controller = new AbortController();
    const reason = new Error('operator pressed stop');
    const send = fake.send.bind(fake);
    fake.send = (target, request, signal) => {
      if (request.upload) controller.abort(reason);
      return send(target, request, signal);
    };
    fake.on(`DELETE r1:/1.0/images/${F0}`, '');
    const error = await rejection(
      client.images.sync('local', F0, ['r1'], { mode: 'relay', signal: controller.signal }),
    );
    expect(error).to.be.instanceOf(AbortError);
    const cause = (error as AbortError).cause as SyncError;
    expect(cause).to.be.instanceOf(SyncError);
    expect(cause.cause).to.equal(reason);
  });

  it('refuses bad input before anything runs', async () => {
    const { fake, client } = syncing();
    const cases: [unknown, Record<string, unknown>, string][] = [
      ['r1', {}, 'targets'],
      [['r1', ''], {}, 'targets[1]'],
      [['r1', 'local'], {}, 'targets[1]'],
      [['r1', 'r1'], {}, 'targets[1]'],
      [['r1'], { concurrency: 0 }, 'concurrency'],
      [['r1'], { mode: 'copy' }, 'mode'],
      [['r1'], { autoUpdate: true, mode: 'relay' }, 'autoUpdate'],
      [['r1'], { keep: -1 }, 'keep'],
    ];
    for (const [targets, options, field] of cases) {
      const error = await rejection(client.images.sync('local', F0, targets as string[], options));
      expect(error, field).to.be.instanceOf(ValidationError).with.property('field', field);
    }
    expect(fake.keys()).to.deep.equal([]);
  });
});
