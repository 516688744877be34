import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  AbortError,
  SyncError,
  TimeoutError,
  type Client,
  type ProgressEvent,
  type SyncStatus,
} from '../../lib/index.js';
import {
  sha256Files,
  startCluster,
  type Cluster,
  type Sandbox,
  type SandboxBinary,
  type TestImage,
} from '../../lib/testing/index.js';
import { trustRemote } from '../../lib/testing/sandbox.js';
import { countingClient } from '../support/counting.js';
import { getWorld, newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { rejectionOf } from '../support/procs.js';
import { runningTasks } from '../support/publish-stage.js';
import { startThrottleProxy, type ThrottleProxy } from '../support/throttle-proxy.js';

const TARGETS = ['sync1', 'sync2', 'sync3'];
const CLUSTER = ['cl1', 'cl2', 'cl3'];

// One three-member cluster per daemon, shared by the specs of both transports, stopped at the end.
const clusters = new Map<SandboxBinary, Promise<Cluster>>();
after(async function () {
  this.timeout(120_000);
  const started = await Promise.allSettled(clusters.values());
  clusters.clear();
  for (const c of started) if (c.status === 'fulfilled') await c.value.stop();
});

// The cluster of a daemon, its members the remotes cl1…cl3 of `main`'s client (added once).
async function clusterFor(binary: SandboxBinary, main: Sandbox): Promise<Cluster> {
  let cluster = clusters.get(binary);
  if (!cluster) {
    cluster = (async () => {
      const { ca } = await getWorld();
      const started = await startCluster({ binary, env: { SSL_CERT_FILE: ca.caCert } });
      for (const [i, member] of started.members.entries())
        await started.addTo(main, CLUSTER[i]!, member);
      return started;
    })();
    clusters.set(binary, cluster);
  }
  return cluster;
}

// The sync targets again, as remotes slow1…slow3 of `main` reached through a proxy that passes
// 512 KiB/s towards them: an upload of megabytes takes seconds however loaded the machine is.
const SLOW = ['slow1', 'slow2', 'slow3'];
const proxies = new Map<SandboxBinary, Promise<ThrottleProxy[]>>();
after(async function () {
  const started = await Promise.allSettled(proxies.values());
  proxies.clear();
  for (const p of started) if (p.status === 'fulfilled') for (const x of p.value) await x.close();
});
// Starts the proxies to a daemon's sync targets and makes them remotes of `main` (once).
function slowTargets(main: Sandbox, targets: Sandbox[]): Promise<ThrottleProxy[]> {
  let started = proxies.get(main.binary);
  if (!started) {
    started = (async () => {
      const all = await Promise.all(targets.map((t) => startThrottleProxy(t.address!, 512 * 1024)));
      for (const [i, target] of targets.entries())
        await trustRemote(main.run, SLOW[i]!, {
          binary: target.binary,
          run: target.run,
          url: all[i]!.url,
        });
      return all;
    })();
    proxies.set(main.binary, started);
  }
  return started;
}

// Makes the sync targets remotes of `main`'s client config once (both transports share it).
async function trustTargets(main: Sandbox, targets: Sandbox[]): Promise<void> {
  const names = await main.client.remotes.list((remotes) => remotes.map((r) => r.name));
  for (const [i, target] of targets.entries())
    if (!names.includes(TARGETS[i]!)) await main.addRemote(TARGETS[i]!, target);
}

// The status of each target, by remote.
function statuses(
  results: readonly { remote: string; status: SyncStatus }[],
): Record<string, SyncStatus> {
  return Object.fromEntries(results.map((r) => [r.remote, r.status]));
}

eachDaemon('images.sync', function (d) {
  let client: Client;
  let targets: Sandbox[];
  let targetClients: Client[];
  const tag = d.tag;
  before(async function () {
    this.timeout(120_000);
    client = d.client;
    targets = await Promise.all(TARGETS.map((key) => d.sandboxFor(key)));
    targetClients = targets.map((t) => d.clientFor(t));
    await trustTargets(d.sandbox, targets);
  });

  // Deletes the image from every target that has it.
  const clean = async (fingerprint: string): Promise<void> => {
    for (const c of targetClients)
      if (await c.images.exists('local', fingerprint)) await c.images.delete('local', fingerprint);
  };

  for (const mode of ['pull', 'push', 'relay', 'auto'] as const) {
    it(`${mode}: copies to every target with progress per target; then present, then updated`, async function () {
      const img = await newImage();
      await client.images.import('local', img.path, {
        aliases: [`src-${mode}-${tag}`],
        properties: { origin: tag },
      });
      const events: ProgressEvent[] = [];
      const options = {
        mode,
        aliases: [`app-${tag}`],
        onProgress: (e: ProgressEvent) => events.push(e),
      };
      const first = await client.images.sync('local', `src-${mode}-${tag}`, TARGETS, options);
      expect(first.fingerprint).to.equal(img.fingerprint);
      expect(statuses(first.results)).to.deep.equal({
        sync1: 'copied',
        sync2: 'copied',
        sync3: 'copied',
      });
      const how = mode === 'auto' ? 'pull' : mode;
      for (const r of first.results)
        expect(r.actions[0]).to.deep.equal({
          action: 'transfer',
          how,
          fingerprint: img.fingerprint,
        });
      for (const c of targetClients) {
        // the copy has the source's properties, in every mode
        expect(await c.images.getProperty('local', img.fingerprint, 'origin')).to.equal(tag);
      }
      for (const c of targetClients)
        expect(await c.images.aliases.info('local', `app-${tag}`, (a) => a.target)).to.equal(
          img.fingerprint,
        );
      for (const remote of TARGETS)
        expect(
          events.some((e) => e.remote === remote),
          `progress of ${remote}`,
        ).to.equal(true);
      const again = await client.images.sync('local', img.fingerprint, TARGETS, {
        mode,
        aliases: [`app-${tag}`],
      });
      expect(statuses(again.results)).to.deep.equal({
        sync1: 'present',
        sync2: 'present',
        sync3: 'present',
      });
      const edited = await client.images.sync('local', img.fingerprint, ['sync2'], {
        mode,
        properties: { stage: 'prod' },
      });
      expect(edited.results[0]).to.deep.include({ remote: 'sync2', status: 'updated' });
      expect(
        await targetClients[1]!.images.getProperty('local', img.fingerprint, 'stage'),
      ).to.equal('prod');
      await clean(img.fingerprint);
    });
  }

  it('relay: reads the source once for every target (counted)', async function () {
    const img = await newImage({ filler: 1_000_000 });
    await client.images.import('local', img.path);
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    await counting.client.images.sync('local', img.fingerprint, TARGETS, { mode: 'relay' });
    const kinds = counting.sent.map(({ request }) =>
      request.spool
        ? 'spool'
        : request.upload
          ? 'upload'
          : request.relay
            ? 'relay'
            : request.download
              ? 'download'
              : undefined,
    );
    expect(kinds.filter((k) => k === 'spool')).to.have.length(1);
    expect(kinds.filter((k) => k === 'upload')).to.have.length(3);
    expect(kinds.filter((k) => k === 'relay' || k === 'download')).to.deep.equal([]);
    for (const c of targetClients)
      expect(await c.images.exists('local', img.fingerprint)).to.equal(true);
    await clean(img.fingerprint);
  });

  it('a dry run resolves the inventory: which target holds the image, under which alias', async function () {
    const [img, other] = [await newImage(), await newImage()];
    await client.images.import('local', img.path);
    await targetClients[0]!.images.import('local', img.path, { aliases: [`inv-${tag}`] });
    await targetClients[1]!.images.import('local', other.path, { aliases: [`inv-${tag}`] });
    const counting = countingClient(d.binary, d.sandbox.env, d.transport);
    const plan = await counting.client.images.sync('local', img.fingerprint, TARGETS, {
      aliases: [`inv-${tag}`],
      dryRun: true,
    });
    expect(plan.results.map((r) => [r.remote, r.status, r.present, r.aliases])).to.deep.equal([
      ['sync1', 'present', true, { [`inv-${tag}`]: img.fingerprint }],
      ['sync2', 'copied', false, { [`inv-${tag}`]: other.fingerprint }],
      ['sync3', 'copied', false, { [`inv-${tag}`]: null }],
    ]);
    expect(counting.writes()).to.deep.equal([]);
    expect(await targetClients[1]!.images.exists('local', img.fingerprint)).to.equal(false);
    await clean(img.fingerprint);
    await clean(other.fingerprint);
  });

  it('keep: deletes older images of the product on each target once the alias moved', async function () {
    const product = { variant: 'default', architecture: 'x86_64' };
    const versions = [1, 2, 3].map(() => newImage({ os: `synckeep-${tag}`, release: '1' }));
    const [v1, v2, v3] = (await Promise.all(versions)) as [TestImage, TestImage, TestImage];
    for (const v of [v1, v2, v3]) {
      await client.images.import('local', v.path, { properties: product });
      await client.images.sync('local', v.fingerprint, ['sync1'], {
        aliases: [`keep-${tag}`],
        properties: product,
        keep: 2,
      });
    }
    const held = await targetClients[0]!.images.fingerprints('local');
    expect(held).to.include.members([v2.fingerprint, v3.fingerprint]);
    expect(held).to.not.include(v1.fingerprint);
    await clean(v2.fingerprint);
    await clean(v3.fingerprint);
  });

  it('keep: never deletes an older image of the product that an alias still uses', async function () {
    const product = { variant: 'default', architecture: 'x86_64' };
    const own = (): Promise<TestImage> => newImage({ os: `syncpin-${tag}`, release: '1' });
    const [pinned, older, img] = [await own(), await own(), await own()];
    const target = targetClients[0]!;
    await target.images.import('local', pinned.path, {
      aliases: [`pinned-${tag}`],
      properties: product,
    });
    await target.images.import('local', older.path, { properties: product });
    await client.images.import('local', img.path, { properties: product });
    const result = await client.images.sync('local', img.fingerprint, ['sync1'], {
      aliases: [`pin-app-${tag}`],
      keep: 1,
    });
    expect(result.results[0]!.actions).to.deep.equal([
      { action: 'transfer', how: 'pull', fingerprint: img.fingerprint },
      { action: 'alias', name: `pin-app-${tag}`, target: img.fingerprint, from: null },
      { action: 'delete', fingerprint: older.fingerprint },
    ]);
    expect(await target.images.exists('local', older.fingerprint)).to.equal(false);
    expect(await target.images.aliases.info('local', `pinned-${tag}`, (a) => a.target)).to.equal(
      pinned.fingerprint,
    );
    await clean(pinned.fingerprint);
    await clean(img.fingerprint);
  });

  it('a timeout that strikes mid-transfer rejects with TimeoutError: no new image, no operation left', async function () {
    this.timeout(300_000);
    await slowTargets(d.sandbox, targets);
    const img = await newImage({ filler: 16_000_000 });
    await client.images.import('local', img.path);
    // the uploads take half a minute: the timeout doubles until one strikes once they have begun
    const sent: Record<string, number> = {};
    for (let timeout = 250; Object.keys(sent).length === 0; timeout *= 2) {
      const when = `timeout ${timeout} ms`;
      const onProgress = ({ remote, percent }: ProgressEvent): void => {
        if (remote !== undefined && SLOW.includes(remote)) sent[remote] = percent ?? 0;
      };
      const options = { mode: 'relay' as const, aliases: [`to-${tag}`], timeout, onProgress };
      const error = await rejectionOf(client.images.sync('local', img.fingerprint, SLOW, options));
      expect(error, when).to.be.instanceOf(TimeoutError);
      // once the source is read, the cause says what each target holds (a timeout that struck
      // before, while the image was read on the source, reached no target)
      const { cause } = error as TimeoutError;
      if (cause instanceof SyncError) {
        const remotes = cause.results.map((r) => r.remote);
        expect(remotes, when).to.deep.equal(SLOW);
        for (const r of cause.results) expect(r.status, when).to.be.oneOf(['failed', 'skipped']);
      } else expect(sent, when).to.deep.equal({});
      for (const [i, c] of targetClients.entries()) {
        const where = `${when}, ${TARGETS[i]!}`;
        expect(await c.images.exists('local', img.fingerprint), where).to.equal(false);
        expect(await c.images.exists('local', `to-${tag}`), where).to.equal(false);
        expect(await runningTasks(c), where).to.deep.equal([]);
      }
      expect(await runningTasks(client), when).to.deep.equal([]);
    }
    // it struck mid-upload: the bytes sent so far fit in no socket buffer of a 16 MB upload
    expect(Math.min(...Object.values(sent)), JSON.stringify(sent)).to.be.below(100);
  });

  it('a timeout that does not strike changes nothing: every target copied', async function () {
    const img = await newImage({ filler: 1_000_000 });
    await client.images.import('local', img.path);
    const result = await client.images.sync('local', img.fingerprint, TARGETS, {
      mode: 'relay',
      aliases: [`ok-${tag}`],
      timeout: 600_000,
    });
    expect(statuses(result.results)).to.deep.equal({
      sync1: 'copied',
      sync2: 'copied',
      sync3: 'copied',
    });
    for (const c of targetClients)
      expect(await c.images.info('local', `ok-${tag}`, (i) => i.fingerprint)).to.equal(
        img.fingerprint,
      );
    await clean(img.fingerprint);
  });

  it('a target killed mid-transfer fails alone: SyncError, the others copied, no wrong image after its restart', async function () {
    this.timeout(300_000);
    const img = await newImage({ filler: 24_000_000 });
    await client.images.import('local', img.path);
    const dead = targets[1]!;
    let killed: Promise<void> | undefined;
    const onProgress = (e: ProgressEvent): void => {
      if (e.remote === 'sync2' && (e.percent ?? 0) >= 1) killed ??= dead.kill();
    };
    const error = await client.images
      .sync('local', img.fingerprint, TARGETS, { mode: 'relay', onProgress })
      .catch((e: unknown) => e);
    await killed;
    expect(killed, 'the kill happened').to.not.equal(undefined);
    expect(error).to.be.instanceOf(SyncError);
    const results = (error as SyncError).results;
    expect(statuses(results)).to.deep.equal({ sync1: 'copied', sync2: 'failed', sync3: 'copied' });
    // failFast: the dead target first, one at a time: the others are not started
    const skipped = await client.images
      .sync('local', img.fingerprint, ['sync2', 'sync1', 'sync3'], {
        failFast: true,
        concurrency: 1,
      })
      .catch((e: unknown) => e);
    expect(statuses((skipped as SyncError).results)).to.deep.equal({
      sync2: 'failed',
      sync1: 'skipped',
      sync3: 'skipped',
    });
    await dead.restart();
    const revived = d.clientFor(dead);
    const held = await revived.images.list('local');
    const tmp = await mkdtemp(join((await getWorld()).tmp, 'revived-'));
    try {
      for (const image of held) {
        const out = await revived.images.export('local', image.fingerprint, tmp);
        expect(await sha256Files(...out.files), 'an image of the right content').to.equal(
          image.fingerprint,
        );
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const healed = await client.images.sync('local', img.fingerprint, TARGETS, { mode: 'relay' });
    expect(statuses(healed.results).sync2).to.be.oneOf(['copied', 'present']);
    await clean(img.fingerprint);
  });

  it('an abort undoes per target what was made: no new image, the moved alias back', async function () {
    const [img, old] = [await newImage({ filler: 8_000_000 }), await newImage()];
    await client.images.import('local', img.path);
    await targetClients[0]!.images.import('local', old.path, { aliases: [`ab-${tag}`] });
    const controller = new AbortController();
    const onProgress = (e: ProgressEvent): void => {
      if (e.remote !== undefined && e.remote !== 'local' && (e.percent ?? 0) >= 1)
        controller.abort();
    };
    const error = await client.images
      .sync('local', img.fingerprint, TARGETS, {
        mode: 'relay',
        aliases: [`ab-${tag}`],
        onProgress,
        signal: controller.signal,
      })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AbortError);
    // its cause says what each target holds: none finished, so each was undone or not started
    const { results } = (error as AbortError).cause as SyncError;
    expect(results.map((r) => r.remote)).to.deep.equal(TARGETS);
    for (const r of results) expect(r.status, r.remote).to.be.oneOf(['failed', 'skipped']);
    for (const c of targetClients)
      expect(await c.images.exists('local', img.fingerprint)).to.equal(false);
    expect(
      await targetClients[0]!.images.aliases.info('local', `ab-${tag}`, (a) => a.target),
    ).to.equal(old.fingerprint);
    await clean(old.fingerprint);
  });

  it('copies to one member of a cluster; the others are its cluster peers', async function () {
    this.timeout(300_000);
    const cluster = await clusterFor(d.binary, d.sandbox);
    const img = await newImage();
    await client.images.import('local', img.path);
    const result = await client.images.sync(
      'local',
      img.fingerprint,
      ['cl2', 'sync1', 'cl1', 'cl3'],
      {
        aliases: [`cl-${tag}`],
      },
    );
    expect(result.results.map((r) => [r.remote, r.status, r.via])).to.deep.equal([
      ['cl2', 'copied', undefined],
      ['sync1', 'copied', undefined],
      ['cl1', 'cluster-peer', 'cl2'],
      ['cl3', 'cluster-peer', 'cl2'],
    ]);
    for (const member of cluster.members) {
      const image = await cluster.client.images.info(member.remote, `cl-${tag}`);
      expect(image.fingerprint, member.name).to.equal(img.fingerprint);
    }
    await cluster.client.images.delete('n1', img.fingerprint);
    await clean(img.fingerprint);
  });
});
