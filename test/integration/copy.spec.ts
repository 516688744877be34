import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortError, type Client, type ProgressEvent } from '../../lib/index.js';
import type { Sandbox } from '../../lib/testing/index.js';
import { clearDaemonCache, getWorld, newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { startPolling } from '../support/poll.js';
import { processesWith, rejectionOf } from '../support/procs.js';

// Makes `peer` a remote of `main`'s client config once (the specs of both transports share it).
async function trustOnce(main: Sandbox, peer: Sandbox): Promise<void> {
  const names = await main.client.remotes.list((remotes) => remotes.map((r) => r.name));
  if (!names.includes('peer')) await main.addRemote('peer', peer);
  await peer.run(['profile', 'create', 'web']).catch(() => undefined);
  await peer
    .run(['project', 'create', 'target', '--config=features.images=true'])
    .catch(() => undefined);
}

// True when no operation of the client's `local` remote is running.
async function noRunningOperations(client: Client): Promise<boolean> {
  const ops = await client.query<Record<string, unknown>>('local', '/1.0/operations', (v) =>
    v === null ? {} : (v as Record<string, unknown>),
  );
  const running = (ops.running ?? []) as unknown[];
  return running.length === 0;
}

eachDaemon('images.copy and refresh', function (d) {
  let main: Sandbox;
  let peer: Sandbox;
  let client: Client;
  let peerClient: Client;
  const tag = d.tag;
  before(async function () {
    main = d.sandbox;
    client = d.client;
    peer = await d.sandboxFor('peer');
    peerClient = d.clientFor(peer);
    await trustOnce(main, peer);
  });

  it('copies from a simplestreams server with aliases, autoUpdate and progress', async function () {
    const image = (await getWorld()).catalog.copyos;
    const events: ProgressEvent[] = [];
    const copied = await client.images.copy('ss', 'copyos', 'local', {
      aliases: [`c/${tag}`],
      autoUpdate: true,
      onProgress: (event) => events.push(event),
    });
    expect(copied.fingerprint).to.equal(image.fingerprint);
    expect(copied.auto_update).to.equal(true);
    expect(copied.update_source?.protocol).to.equal('simplestreams');
    expect(copied.aliases.map((a) => a.name)).to.deep.equal([`c/${tag}`]);
    expect(events.length).to.be.above(0);
    expect(events.every((e) => e.stage === 'copy' && typeof e.percent === 'number')).to.equal(true);
    const percents = events.map((e) => e.percent ?? 0);
    expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
    await client.images.delete('local', image.fingerprint);
  });

  for (const mode of ['pull', 'push', 'relay'] as const) {
    it(`copies to another daemon in ${mode} mode, with progress`, async function () {
      const image = await newImage();
      await client.images.import('local', image.path, { aliases: [`src-${mode}-${tag}`] });
      const events: ProgressEvent[] = [];
      const copied = await client.images.copy('local', `src-${mode}-${tag}`, 'peer', {
        mode,
        aliases: [`dst-${mode}-${tag}`],
        copyAliases: true,
        public: true,
        profiles: ['default', 'web'],
        onProgress: (event) => events.push(event),
      });
      expect(copied.fingerprint).to.equal(image.fingerprint);
      expect(copied.public).to.equal(true);
      expect(copied.profiles).to.deep.equal(['default', 'web']);
      expect(copied.aliases.map((a) => a.name).sort()).to.deep.equal([
        `dst-${mode}-${tag}`,
        `src-${mode}-${tag}`,
      ]);
      expect(
        await peerClient.images.info('local', `dst-${mode}-${tag}`, (i) => i.fingerprint),
      ).to.equal(image.fingerprint);
      expect(events.length).to.be.above(0);
      const percents = events.flatMap((e) => (e.percent === undefined ? [] : [e.percent]));
      expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
    });
  }

  it('moves a taken alias on the target with one guarded write: concurrent readers never find it missing', async function () {
    const [old, image] = [await newImage(), await newImage({ filler: 2_000_000 })];
    const name = `taken-${tag}`;
    await peerClient.images.import('local', old.path, { aliases: [name] });
    await client.images.import('local', image.path);
    const reader = d.clientFor(peer);
    const info = (): Promise<string> => reader.images.aliases.info('local', name, (a) => a.target);
    const get = (): Promise<string> =>
      reader.images.getByAlias('local', name, (i) => i.fingerprint);
    const polling = startPolling([info, get, info, get]);
    const copied = await client.images
      .copy('local', image.fingerprint, 'peer', { aliases: [name] })
      .finally(() => polling.stop());
    const { seen, reads, misses } = await polling.stop();
    expect(misses).to.deep.equal([]);
    expect(reads).to.be.above(0);
    expect([...seen]).to.satisfy((all: string[]) =>
      all.every((t) => t === old.fingerprint || t === image.fingerprint),
    );
    expect(copied.aliases.map((a) => a.name)).to.deep.equal([name]);
    expect(await info()).to.equal(image.fingerprint);
  });

  it('copies into a target project', async function () {
    const image = await newImage();
    await client.images.import('local', image.path);
    const copied = await client.images.copy('local', image.fingerprint, 'peer', {
      targetProject: 'target',
    });
    expect(copied.fingerprint).to.equal(image.fingerprint);
    expect(
      await peerClient.images.exists('local', image.fingerprint, { project: 'target' }),
    ).to.equal(true);
    expect(await peerClient.images.exists('local', image.fingerprint)).to.equal(false);
  });

  for (const mode of ['pull', 'push', 'relay'] as const) {
    it(`a ${mode} copy aborted at any point keeps the image the target had, lands no new one, and leaves no operation`, async function () {
      const had = await newImage();
      const fresh = await newImage();
      await client.images.import('local', had.path);
      await client.images.import('local', fresh.path);
      const before = await peerClient.images.import('local', had.path);
      const copy = (fingerprint: string, delay: number): Promise<unknown> =>
        client.images
          .copy('local', fingerprint, 'peer', { mode, signal: AbortSignal.timeout(delay) })
          .then(
            () => 'resolved',
            (error: unknown) => (error instanceof AbortError ? 'aborted' : error),
          );
      for (const delay of [10, 40, 160]) {
        const when = `after ${delay} ms`;
        expect(await copy(had.fingerprint, delay), when).to.be.oneOf(['resolved', 'aborted']);
        const after = await peerClient.images.info('local', had.fingerprint);
        expect(after.uploaded_at, when).to.deep.equal(before.uploaded_at);
        const outcome = await copy(fresh.fingerprint, delay);
        expect(outcome, when).to.be.oneOf(['resolved', 'aborted']);
        const landed = await peerClient.images.exists('local', fresh.fingerprint);
        expect(landed, when).to.equal(outcome === 'resolved');
        expect(await noRunningOperations(client), when).to.equal(true);
        expect(await noRunningOperations(peerClient), when).to.equal(true);
        if (landed) await peerClient.images.delete('local', fresh.fingerprint);
      }
    });
  }

  it('refresh says false when up to date and true after a newer version is published', async function () {
    const { server, catalog } = await getWorld();
    const copied = await client.images.copy('ss', `refos-${tag}`, 'local', {
      aliases: [`r/${tag}`],
      autoUpdate: true,
    });
    expect(copied.fingerprint).to.equal(catalog.refos[tag]?.fingerprint);
    expect(await client.images.refresh('local', `r/${tag}`)).to.deep.equal({
      refreshed: false,
    });
    const v2 = await newImage({ os: `refos-${tag}` });
    server.publish({
      os: `refos-${tag}`,
      release: '1.0',
      aliases: [`refos-${tag}`],
      version: '20261124_0000',
      image: v2,
    });
    // the daemon caches the simplestreams index for an hour
    await clearDaemonCache(main);
    expect(await client.images.refresh('local', `r/${tag}`, (r) => r.refreshed)).to.equal(true);
    expect(await client.images.info('local', `r/${tag}`, (i) => i.fingerprint)).to.equal(
      v2.fingerprint,
    );
  });

  it('a refresh of an image without a source is a plain LxcError', async function () {
    const image = await newImage();
    await client.images.import('local', image.path);
    const error = await rejectionOf(client.images.refresh('local', image.fingerprint));
    expect((error as Error).name).to.equal('LxcError');
  });

  describe('in the middle of a slow transfer', function () {
    afterEach(async function () {
      (await getWorld()).server.throttle(null);
    });

    for (const how of ['timeout', 'abort'] as const) {
      it(`${how} stops the copy (${how === 'timeout' ? 'TimeoutError' : 'AbortError'}), cancels the server's operation, and nothing lands`, async function () {
        const { server, catalog } = await getWorld();
        server.throttle(200_000);
        const controller = new AbortController();
        let started = false;
        const options =
          how === 'timeout'
            ? { timeout: 3000 }
            : {
                signal: controller.signal,
                onProgress: () => {
                  if (!started)
                    setTimeout(() => {
                      controller.abort();
                    }, 300);
                  started = true;
                },
              };
        const error = await rejectionOf(client.images.copy('ss', `slow-${how}`, 'local', options));
        expect((error as Error).name).to.equal(how === 'timeout' ? 'TimeoutError' : 'AbortError');
        expect(await processesWith(`ss:slow-${how}`)).to.deep.equal([]);
        expect(await noRunningOperations(client)).to.equal(true);
        server.throttle(null);
        await sleep(3000);
        const fingerprint =
          how === 'timeout' ? catalog.slowTimeout.fingerprint : catalog.slowAbort.fingerprint;
        expect(await client.images.exists('local', fingerprint)).to.equal(false);
      });
    }

    it('an export aborted mid-way leaves no file', async function () {
      const image = await newImage({ filler: 150_000_000 });
      await client.images.import('local', image.path);
      const dir = join((await getWorld()).tmp, `abort-export-${tag}`);
      await mkdir(dir, { recursive: true });
      const controller = new AbortController();
      const error = await rejectionOf(
        client.images.export('local', image.fingerprint, join(dir, 'out.tar.gz'), {
          signal: controller.signal,
          onProgress: () => {
            controller.abort();
          },
        }),
      );
      expect((error as Error).name).to.equal('AbortError');
      expect(await readdir(dir)).to.deep.equal([]);
      await client.images.delete('local', image.fingerprint);
    });
  });
});
