import { expect } from 'chai';
import { rejection, tick } from '../helpers.js';
import { tracker } from './tracker.js';
import { KeyedLocks } from '../../../lib/call/locks.js';
import { AbortError } from '../../../lib/wire/errors.js';

describe('KeyedLocks', () => {
  it('runs tasks of one key one after another, in order', async () => {
    const locks = new KeyedLocks();
    const t = tracker();
    const all = Promise.all([1, 2, 3].map((id) => locks.run('k', t.task(id))));
    for (const id of [1, 2, 3]) {
      await tick();
      expect(t.started.at(-1)).to.equal(id);
      t.release.get(id)?.ok();
    }
    expect(await all).to.deep.equal([1, 2, 3]);
    expect(t.most()).to.equal(1);
  });

  it('runs tasks of different keys at the same time', async () => {
    const locks = new KeyedLocks();
    const t = tracker();
    const all = Promise.all([locks.run('a', t.task(1)), locks.run('b', t.task(2))]);
    await tick();
    expect(t.started).to.deep.equal([1, 2]);
    t.release.get(1)?.ok();
    t.release.get(2)?.ok();
    await all;
  });

  it('releases the key when a task rejects', async () => {
    const locks = new KeyedLocks();
    const t = tracker();
    const first = rejection(locks.run('k', t.task(1)));
    const second = locks.run('k', t.task(2));
    await tick();
    t.release.get(1)?.fail(new Error('boom'));
    expect(await first).to.be.instanceOf(Error);
    await tick();
    t.release.get(2)?.ok();
    expect(await second).to.equal(2);
  });

  it('stops waiting for the key when the signal fires', async () => {
    const locks = new KeyedLocks();
    const t = tracker();
    const controller = new AbortController();
    const first = locks.run('k', t.task(1));
    const waiting = rejection(locks.run('k', t.task(2), controller.signal));
    await tick();
    controller.abort();
    expect(await waiting).to.be.instanceOf(AbortError);
    t.release.get(1)?.ok();
    await first;
    expect(t.started).to.deep.equal([1]);
  });
});
