import { expect } from 'chai';
import { finish, splitTail, type Mutator } from '../../lib/mutator.js';
import { rejection } from './helpers.js';

describe('mutator: splitTail', () => {
  const mutator: Mutator<number, number> = (n) => n + 1;

  it('takes a function in the options slot as the mutator', () => {
    expect(splitTail<{ a?: number }, number, number>(mutator, undefined)).to.deep.equal([
      undefined,
      mutator,
    ]);
  });

  it('keeps options and the mutator after them', () => {
    const options = { a: 1 };
    expect(splitTail(options, mutator)).to.deep.equal([options, mutator]);
  });

  it('gives [undefined, undefined] when neither is given', () => {
    expect(splitTail(undefined, undefined)).to.deep.equal([undefined, undefined]);
  });
});

describe('mutator: finish', () => {
  it('returns the value unchanged without a mutator', async () => {
    const value = { x: 1 };
    expect(await finish(value, undefined)).to.equal(value);
  });

  it('resolves to what a sync mutator returns', async () => {
    expect(await finish(2, (n: number) => n * 10)).to.equal(20);
  });

  it('awaits an async mutator', async () => {
    expect(await finish(2, async (n: number) => Promise.resolve(`n=${n}`))).to.equal('n=2');
  });

  it('rejects with the very error a mutator throws', async () => {
    const boom = new Error('boom');
    const err = await rejection(
      finish(1, () => {
        throw boom;
      }),
    );
    expect(err).to.equal(boom);
  });

  it('rejects with the very error an async mutator rejects with', async () => {
    const boom = new TypeError('async boom');
    expect(await rejection(finish(1, () => Promise.reject(boom)))).to.equal(boom);
  });
});
