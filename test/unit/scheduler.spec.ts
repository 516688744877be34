import { expect } from 'chai';
import { Scheduler } from '../../lib/scheduler.js';
import { rejection } from './helpers.js';

// A task that stays running until released, recording starts and concurrency.
function tracker() {
  const started: number[] = [];
  const release = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  let running = 0;
  let most = 0;
  const task = (id: number) => () =>
    new Promise<number>((resolve, reject) => {
      started.push(id);
      most = Math.max(most, ++running);
      const done = () => running--;
      release.set(id, {
        ok: () => {
          done();
          resolve(id);
        },
        fail: (e) => {
          done();
          reject(e);
        },
      });
    });
  return { started, release, task, most: () => most };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('scheduler: Scheduler', () => {
  it('never runs more than `limit` tasks at once', async () => {
    const s = new Scheduler(2);
    const t = tracker();
    const all = Promise.all([1, 2, 3, 4, 5].map((id) => s.run(t.task(id))));
    for (let i = 0; i < 10; i++) {
      await tick();
      for (const id of [...t.started]) t.release.get(id)?.ok();
    }
    expect(await all).to.deep.equal([1, 2, 3, 4, 5]);
    expect(t.most()).to.equal(2);
  });

  it('starts waiting tasks in the order they were queued', async () => {
    const s = new Scheduler(1);
    const t = tracker();
    const all = Promise.all([1, 2, 3, 4].map((id) => s.run(t.task(id))));
    await tick();
    expect(t.started).to.deep.equal([1]);
    for (const id of [1, 2, 3, 4]) {
      t.release.get(id)?.ok();
      await tick();
    }
    await all;
    expect(t.started).to.deep.equal([1, 2, 3, 4]);
  });

  it('frees the slot of a task that rejects', async () => {
    const s = new Scheduler(1);
    const t = tracker();
    const first = rejection(s.run(t.task(1)));
    const second = s.run(t.task(2));
    await tick();
    expect(t.started).to.deep.equal([1]);
    const boom = new Error('boom');
    t.release.get(1)?.fail(boom);
    expect(await first).to.equal(boom);
    await tick();
    expect(t.started).to.deep.equal([1, 2]);
    t.release.get(2)?.ok();
    expect(await second).to.equal(2);
  });

  it('runs everything at once with an Infinity limit', async () => {
    const s = new Scheduler(Infinity);
    const t = tracker();
    const all = Promise.all([1, 2, 3].map((id) => s.run(t.task(id))));
    await tick();
    expect(t.started).to.deep.equal([1, 2, 3]);
    for (const id of [1, 2, 3]) t.release.get(id)?.ok();
    await all;
  });
});
