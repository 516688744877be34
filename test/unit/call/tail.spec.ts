import { expect } from 'chai';
import { z } from 'zod';
import { fakeCore } from '../core-parts.js';
import { rejection } from '../helpers.js';
import type { Mutator } from '../../../lib/call/core.js';
import { LxcError } from '../../../lib/wire/errors.js';

// Runs Core.call whose work resolves to `value`, with `tail` as the options and mutator slots.
function callWith<R>(
  value: unknown,
  optionsOrMutator?: object | Mutator<unknown, R>,
  mutator?: Mutator<unknown, R>,
): Promise<R> {
  const { core } = fakeCore();
  return core.call('local', [optionsOrMutator, mutator], () => Promise.resolve(value));
}

describe('mutator (Core.call)', () => {
  it('takes a function in the options slot as the mutator', async () => {
    expect(await callWith(2, (n) => (n as number) + 1)).to.equal(3);
  });

  it('keeps options and the mutator after them', async () => {
    expect(await callWith(2, { timeout: 1000 }, (n) => (n as number) * 10)).to.equal(20);
  });

  it('returns the value unchanged without a mutator', async () => {
    const value = { x: 1 };
    expect(await callWith(value)).to.equal(value);
    expect(await callWith(value, {})).to.equal(value);
  });

  it('awaits an async mutator', async () => {
    expect(await callWith(2, async (n) => Promise.resolve(`n=${n as number}`))).to.equal('n=2');
  });

  it('rejects with the very error a mutator throws, not wrapped', async () => {
    const boom = new Error('boom');
    const err = await rejection(
      callWith(1, () => {
        throw boom;
      }),
    );
    expect(err).to.equal(boom);
    expect(err).not.to.be.instanceOf(LxcError);
  });

  it('rejects with the very error an async mutator rejects with', async () => {
    const boom = new TypeError('async boom');
    expect(await rejection(callWith(1, {}, () => Promise.reject(boom)))).to.equal(boom);
  });

  it('is not called when the work fails', async () => {
    const { core } = fakeCore();
    let called = false;
    const err = await rejection(
      core.call(
        'local',
        [
          () => {
            called = true;
          },
          undefined,
        ],
        () => Promise.reject(new Error('work failed')),
      ),
    );
    expect(err).to.be.instanceOf(LxcError);
    expect(called).to.equal(false);
  });

  it('applies to what a request resolved to', async () => {
    const { fake, core } = fakeCore();
    fake.on('GET local:/1.0', '{"api_version":"1.0"}');
    const version = await core.call(
      'local',
      [(server: { api_version: string }) => server.api_version, undefined],
      (call) =>
        call.send({
          api: {
            method: 'GET',
            path: '/1.0',
            schema: z.object({ api_version: z.string() }),
          },
        }),
    );
    expect(version).to.equal('1.0');
  });
});
