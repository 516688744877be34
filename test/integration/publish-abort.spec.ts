import { expect } from 'chai';
import {
  AbortError,
  TimeoutError,
  type Client,
  type ProgressEvent,
  type PublishOptions,
} from '../../lib/index.js';
import { countingClient, type Sent } from '../support/counting.js';
import { eachDaemon } from '../support/matrix.js';
import { rejectionOf } from '../support/procs.js';
import {
  fingerprints,
  instance,
  manyInstances,
  needContainers,
  runningTasks,
  stageFor,
  type Stage,
} from '../support/publish-stage.js';

eachDaemon('images.publish progress, aborts and concurrency', function (d) {
  let stage: Stage;
  let client: Client;
  let big: string;
  const alias = `abort-${d.tag}`;
  before(async function () {
    this.timeout(300_000);
    stage = await stageFor(d.binary);
    client = d.clientFor(stage.sandbox);
    big = await instance(stage, `big-${d.tag}`, { image: stage.big });
    await client.images.aliases.create('local', { name: alias, target: stage.baseFingerprint });
  });

  it('reports stage publish from the operation, never backwards, ending at 100', async function () {
    const events: ProgressEvent[] = [];
    const started = performance.now();
    const image = await client.images.publish('local', big, {
      compression: 'xz',
      properties: { progress: d.tag },
      onProgress: (event) => events.push(event),
    });
    const took = performance.now() - started;
    expect(events.every((e) => e.stage === 'publish')).to.equal(true);
    const percents = events.map((e) => e.percent ?? -1);
    expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
    expect(events.at(-1)?.percent).to.equal(100);
    // the operation is read once a second while it runs: a publish of seconds reports its packing
    if (took > 2500) expect(events.some((e) => e.label === 'Image pack')).to.equal(true);
    await client.images.delete('local', image.fingerprint);
  });

  // True for the request that starts a publish (`POST /1.0/images` of an instance).
  const isPublish = ({ request }: Sent): boolean =>
    request.api?.method === 'POST' &&
    request.api.path === '/1.0/images' &&
    (request.api.body as { source?: { type?: string } }).source?.type === 'instance';

  // Publishes the 30 MiB instance with xz, aborted as `cut` says, and checks that nothing changed;
  // `started` says whether the publish's POST reached the transport (it is sent uncut: from then
  // on the publish runs on the daemon whatever the call's signal does).
  async function abortedPublish(
    cut: (options: PublishOptions) => PublishOptions,
  ): Promise<{ error: Error; started: boolean }> {
    const before = await fingerprints(client);
    const counting = countingClient(d.binary, stage.sandbox.env, d.transport);
    const options = cut({ compression: 'xz', aliases: [alias], properties: { abort: d.tag } });
    const publishing = counting.client.images.publish('local', big, options);
    const error = (await rejectionOf(publishing)) as Error;
    expect(error).to.satisfy((e: unknown) => e instanceof AbortError || e instanceof TimeoutError);
    // a publish that had started was waited for and undone; one cut before its POST says nothing
    const started = counting.sent.some(isPublish);
    if (started) expect(error.message).to.match(/undone, not cancelled/);
    else expect(error.message).to.not.match(/publish/);
    expect(await fingerprints(client)).to.deep.equal(before);
    expect(await client.images.aliases.info('local', alias, (a) => a.target)).to.equal(
      stage.baseFingerprint,
    );
    expect(await runningTasks(client)).to.deep.equal([]);
    return { error, started };
  }

  it('aborted at 0 ms (a signal already aborted): nothing changes', async function () {
    const controller = new AbortController();
    controller.abort();
    const { error, started } = await abortedPublish((o) => ({ ...o, signal: controller.signal }));
    expect(error).to.be.instanceOf(AbortError);
    expect(started, 'a call aborted before it began sends no publish').to.equal(false);
  });

  for (const timeout of [300, 1500]) {
    it(`timed out after ${timeout} ms: the image it made is deleted, no alias moved`, async function () {
      const { error, started } = await abortedPublish((o) => ({ ...o, timeout }));
      expect(error).to.be.instanceOf(TimeoutError);
      // at 1500 ms the POST is long sent (here after 2 to 90 ms): the timeout hits a running
      // publish; at 300 ms a cold client on a busy machine might still be before it
      if (timeout >= 1500) expect(started, 'the timeout hit a running publish').to.equal(true);
    });
  }

  it('aborted at its end (the 100% event, before the aliases move): undone too', async function () {
    const controller = new AbortController();
    const { error } = await abortedPublish((o) => ({
      ...o,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.percent === 100) controller.abort();
      },
    }));
    expect(error).to.be.instanceOf(AbortError);
    expect(error.message).to.match(/deleted the image it made/);
  });

  it('aborted by its signal while the publish operation runs (its first progress event): undone', async function () {
    const controller = new AbortController();
    let first: ProgressEvent | undefined;
    const { error, started } = await abortedPublish((o) => ({
      ...o,
      signal: controller.signal,
      onProgress: (event) => {
        first ??= event;
        controller.abort();
      },
    }));
    expect(started).to.equal(true);
    // an event below 100 comes from the running operation's progress (the end reports 100)
    expect(first?.stage).to.equal('publish');
    expect(first?.percent ?? 0, JSON.stringify(first)).to.be.below(100);
    expect(error).to.be.instanceOf(AbortError);
    expect(error.message).to.match(/deleted the image it made; no alias was moved/);
  });

  it('an aborted forced publish starts the instance again', async function () {
    needContainers(this, stage);
    const name = await instance(stage, `abf-${d.tag}`, { start: true });
    const controller = new AbortController();
    const before = await fingerprints(client);
    const error = await rejectionOf(
      client.images.publish('local', name, {
        force: true,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.percent === 100) controller.abort();
        },
      }),
    );
    expect(error).to.be.instanceOf(AbortError);
    expect(await fingerprints(client)).to.deep.equal(before);
    expect(
      await client.query(
        'local',
        `/1.0/instances/${name}`,
        (v) => (v as { status: string }).status,
      ),
    ).to.equal('Running');
  });

  it('20 concurrent publishes of 20 instances all land with their aliases', async function () {
    this.timeout(300_000);
    const names = await manyInstances(d.binary, stage, 20);
    const images = await Promise.all(
      names.map((name, i) =>
        client.images.publish('local', name, {
          aliases: [`${name}-${d.tag}`],
          properties: { n: String(i), tag: d.tag },
        }),
      ),
    );
    expect(new Set(images.map((image) => image.fingerprint)).size).to.equal(20);
    for (const [i, image] of images.entries()) {
      expect(image.properties.n).to.equal(String(i));
      const target = await client.images.aliases.info(
        'local',
        `${names[i]!}-${d.tag}`,
        (a) => a.target,
      );
      expect(target).to.equal(image.fingerprint);
    }
    await Promise.all(images.map((image) => client.images.delete('local', image.fingerprint)));
  });
});
