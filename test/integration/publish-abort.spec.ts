import { expect } from 'chai';
import {
  AbortError,
  TimeoutError,
  type Client,
  type ProgressEvent,
  type PublishOptions,
} from '../../lib/index.js';
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

  // Publishes the 30 MiB instance with xz, aborted as `cut` says, and checks that nothing changed.
  async function abortedPublish(cut: (options: PublishOptions) => PublishOptions): Promise<Error> {
    const before = await fingerprints(client);
    const options = cut({ compression: 'xz', aliases: [alias], properties: { abort: d.tag } });
    const error = (await rejectionOf(client.images.publish('local', big, options))) as Error;
    expect(error).to.satisfy((e: unknown) => e instanceof AbortError || e instanceof TimeoutError);
    // a publish that had started was waited for and undone; one cut before its POST says nothing
    if (error.message.includes('publish')) expect(error.message).to.match(/undone, not cancelled/);
    expect(await fingerprints(client)).to.deep.equal(before);
    expect(await client.images.aliases.info('local', alias, (a) => a.target)).to.equal(
      stage.baseFingerprint,
    );
    expect(await runningTasks(client)).to.deep.equal([]);
    return error;
  }

  it('aborted at 0 ms (a signal already aborted): nothing changes', async function () {
    const controller = new AbortController();
    controller.abort();
    const error = await abortedPublish((o) => ({ ...o, signal: controller.signal }));
    expect(error).to.be.instanceOf(AbortError);
  });

  for (const timeout of [300, 1500]) {
    it(`timed out after ${timeout} ms: the image it made is deleted, no alias moved`, async function () {
      const error = await abortedPublish((o) => ({ ...o, timeout }));
      expect(error).to.be.instanceOf(TimeoutError);
    });
  }

  it('aborted at its end (the 100% event, before the aliases move): undone too', async function () {
    const controller = new AbortController();
    const error = await abortedPublish((o) => ({
      ...o,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.percent === 100) controller.abort();
      },
    }));
    expect(error).to.be.instanceOf(AbortError);
    expect(error.message).to.match(/deleted the image it made/);
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
