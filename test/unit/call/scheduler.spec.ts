import { expect } from 'chai';
import { rejection, tick } from '../helpers.js';
import { tracker } from './tracker.js';
import { Scheduler } from '../../../lib/call/scheduler.js';
import { startDeadline } from '../../../lib/wire/deadline.js';
import { AbortError, TimeoutError } from '../../../lib/wire/errors.js';

describe('Scheduler', () => {
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

  it('takes a queued task whose signal fires out of the queue: it rejects at once and never starts', async () => {
    const s = new Scheduler(1);
    const t = tracker();
    const controller = new AbortController();
    const first = s.run(t.task(1));
    const queued = rejection(s.run(t.task(2), controller.signal));
    await tick();
    controller.abort(new AbortError('stop'));
    const err = await queued;
    expect(err).to.be.instanceOf(AbortError).with.property('message', 'stop');
    t.release.get(1)?.ok();
    await first;
    await tick();
    expect(t.started).to.deep.equal([1]);
  });

  it('keeps the order of the other queued tasks when one leaves the queue', async () => {
    const s = new Scheduler(1);
    const t = tracker();
    const controller = new AbortController();
    const all = [
      s.run(t.task(1)),
      rejection(s.run(t.task(2), controller.signal)),
      s.run(t.task(3)),
      s.run(t.task(4)),
    ];
    await tick();
    controller.abort();
    for (const id of [1, 3, 4]) {
      await tick();
      t.release.get(id)?.ok();
    }
    await Promise.all(all);
    expect(t.started).to.deep.equal([1, 3, 4]);
  });

  it('gives a TimeoutError to a queued task whose deadline passes', async () => {
    const s = new Scheduler(1);
    const t = tracker();
    const deadline = startDeadline(10, undefined);
    const first = s.run(t.task(1));
    const err = await rejection(s.run(t.task(2), deadline.signal));
    expect(err).to.be.instanceOf(TimeoutError);
    t.release.get(1)?.ok();
    await first;
    deadline.dispose();
  });

  it('rejects without queueing when the signal has already fired', async () => {
    const s = new Scheduler(1);
    const t = tracker();
    const err = await rejection(s.run(t.task(1), AbortSignal.abort()));
    expect(err).to.be.instanceOf(AbortError);
    expect(t.started).to.deep.equal([]);
  });

  it('ignores a signal that fires once the task has started', async () => {
    const s = new Scheduler(1);
    const t = tracker();
    const controller = new AbortController();
    const running = s.run(t.task(1), controller.signal);
    await tick();
    controller.abort();
    t.release.get(1)?.ok();
    expect(await running).to.equal(1);
  });
});
