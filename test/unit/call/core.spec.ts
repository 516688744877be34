import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { z } from 'zod';
import { fakeCore } from '../core-parts.js';
import { rejection } from '../helpers.js';
import type { Call } from '../../../lib/call/call.js';
import {
  AbortError,
  LxcError,
  NotFoundError,
  TimeoutError,
  ValidationError,
} from '../../../lib/wire/errors.js';

const DEFAULTS = { remote: 'def', project: 'p0', timeout: 500 };

// Runs Core.call with `options` and resolves to the call its work was given.
async function callOf(remote: string | undefined, options?: object): Promise<Call> {
  const { core } = fakeCore(DEFAULTS);
  let seen: Call | undefined;
  await core.call(remote, [options, undefined], (call) => {
    seen = call;
    return Promise.resolve();
  });
  if (!seen) throw new Error('the work did not run');
  return seen;
}

describe('Core.call', () => {
  it('applies the default remote and project for an undefined or empty remote', async () => {
    for (const remote of [undefined, '']) {
      expect((await callOf(remote)).target).to.deep.equal({ remote: 'def', project: 'p0' });
    }
  });

  it("lets the call's options override the project", async () => {
    expect((await callOf('r', { project: 'p1' })).target).to.deep.equal({
      remote: 'r',
      project: 'p1',
    });
  });

  it('leaves the project out when neither the call nor the client names one', async () => {
    const { core } = fakeCore({ remote: 'local' });
    const target = await core.call(undefined, [undefined, undefined], (call) =>
      Promise.resolve(call.target),
    );
    expect(target).to.deep.equal({ remote: 'local', project: undefined });
  });

  it('marks a call with a timeout or a signal as bounded', async () => {
    const { core } = fakeCore({ remote: 'local' });
    const bounded = (options?: object) =>
      core.call(undefined, [options, undefined], (call) => Promise.resolve(call.bounded));
    expect(await bounded()).to.equal(false);
    expect(await bounded({ timeout: 1000 })).to.equal(true);
    expect(await bounded({ signal: new AbortController().signal })).to.equal(true);
    expect((await callOf('r')).bounded).to.equal(true); // the client's default timeout
  });

  it('passes the options to the work', async () => {
    const { core } = fakeCore();
    const options = { project: 'p', extra: 1 };
    const given = await core.call('local', [options, undefined], (_call, o) => Promise.resolve(o));
    expect(given).to.equal(options);
  });

  for (const [remote, options, field] of [
    ['-r', {}, 'remote'],
    ['r', { project: 'a/b' }, 'project'],
    ['r', { timeout: 0 }, 'timeout'],
    ['r', { timeout: 2 ** 31 }, 'timeout'],
    ['r', { signal: {} }, 'signal'],
    ['r', null, 'options'],
    ['r', 'x', 'options'],
  ] as const) {
    it(`refuses bad options (${field}: ${JSON.stringify(options)}) without running the work`, async () => {
      const { fake, core } = fakeCore();
      let ran = false;
      const err = await rejection(
        core.call(remote, [options as object, undefined], () => {
          ran = true;
          return Promise.resolve();
        }),
      );
      expect(err).to.be.instanceOf(ValidationError).with.property('field', field);
      expect(ran).to.equal(false);
      expect(fake.keys()).to.deep.equal([]);
    });
  }

  it('refuses a mutator that is not a function', async () => {
    const { core } = fakeCore();
    const err = await rejection(
      core.call('local', [{}, 5 as unknown as () => 1], () => Promise.resolve(1)),
    );
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'mutator');
  });

  it('passes an LxcError from the work through unchanged', async () => {
    const { core } = fakeCore();
    const notFound = new NotFoundError('Image not found');
    const err = await rejection(
      core.call('local', [{}, undefined], () => Promise.reject(notFound)),
    );
    expect(err).to.equal(notFound);
  });

  it('turns any other failure into an LxcError that keeps it as its cause', async () => {
    const { core } = fakeCore();
    const boom = new TypeError('boom');
    const err = await rejection(core.call('r', [{}, undefined], () => Promise.reject(boom)));
    expect(err).to.be.instanceOf(LxcError);
    expect(err).to.include({ message: 'boom', remote: 'r', cause: boom });
  });

  it('turns a non-Error failure into an LxcError too', async () => {
    const { core } = fakeCore();
    const err = await rejection(
      core.call('local', [{}, undefined], () => Promise.reject(new Error('x', { cause: 1 }))),
    );
    const text = await rejection(
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error on purpose
      core.call('local', [{}, undefined], () => Promise.reject('plain text')),
    );
    expect(err).to.be.instanceOf(LxcError);
    expect(text).to.be.instanceOf(LxcError).with.property('message', 'plain text');
  });

  it('turns a failure after the timeout into a TimeoutError that keeps it as its cause', async () => {
    const { core } = fakeCore();
    const late = new Error('socket closed');
    const err = await rejection(
      core.call('local', [{ timeout: 10 }, undefined], async () => {
        await sleep(30);
        throw late;
      }),
    );
    expect(err).to.be.instanceOf(TimeoutError).with.property('cause', late);
  });

  it("fires the call's signal with a TimeoutError when the timeout passes", async () => {
    const { core } = fakeCore();
    const reason = await core.call('local', [{ timeout: 10 }, undefined], async (call) => {
      await sleep(30);
      return call.signal.reason as unknown;
    });
    expect(reason).to.be.instanceOf(TimeoutError);
  });

  it("fires the call's signal with an AbortError when the caller aborts", async () => {
    const { core } = fakeCore();
    const controller = new AbortController();
    const reason = await core.call(
      'local',
      [{ signal: controller.signal }, undefined],
      async (call) => {
        controller.abort(new Error('user'));
        await Promise.resolve();
        return call.signal.reason as unknown;
      },
    );
    expect(reason).to.be.instanceOf(AbortError);
  });

  it('stops the timer once the call has ended', async () => {
    const { core } = fakeCore();
    const signal = await core.call<object, AbortSignal, AbortSignal>(
      'local',
      [{ timeout: 10 }, undefined],
      (call) => Promise.resolve(call.signal),
    );
    await sleep(30);
    expect(signal.aborted).to.equal(false);
  });

  it('counts the timeout from the moment the call is made, waiting for a slot included', async () => {
    const { fake, core } = fakeCore({ remote: 'local' }, 1);
    let release = (): void => undefined;
    fake.on(
      'GET local:/1.0',
      () =>
        new Promise<string>((resolve) => {
          release = () => {
            resolve('{}');
          };
        }),
    );
    const first = core.call('local', [{}, undefined], (call) => call.send(request()));
    await sleep(5);
    const second = await rejection(
      core.call('local', [{ timeout: 20 }, undefined], (call) => call.send(request())),
    );
    expect(second).to.be.instanceOf(TimeoutError);
    expect(fake.keys()).to.deep.equal(['GET local:/1.0']); // the second never started
    release();
    await first;
  });
});

// GET /1.0 with any answer.
function request() {
  return { api: { method: 'GET' as const, path: '/1.0', schema: z.unknown(), global: true } };
}
