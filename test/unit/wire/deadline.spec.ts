import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { thrown } from '../helpers.js';
import {
  interruption,
  MAX_TIMEOUT,
  startDeadline,
  throwIfInterrupted,
} from '../../../lib/wire/deadline.js';
import { AbortError, TimeoutError } from '../../../lib/wire/errors.js';

describe('startDeadline', () => {
  it('fires with a TimeoutError once the timeout passes', async () => {
    const deadline = startDeadline(10, undefined);
    expect(deadline.signal.aborted).to.equal(false);
    await sleep(30);
    expect(deadline.signal.reason).to.be.instanceOf(TimeoutError);
    expect((deadline.signal.reason as Error).message).to.equal('the call timed out after 10 ms');
  });

  it('never fires without a timeout or a signal', async () => {
    const deadline = startDeadline(undefined, undefined);
    await sleep(20);
    expect(deadline.signal.aborted).to.equal(false);
  });

  it("fires with an AbortError that keeps the caller's reason as its cause", () => {
    const controller = new AbortController();
    const deadline = startDeadline(undefined, controller.signal);
    const reason = new Error('user');
    controller.abort(reason);
    expect(deadline.signal.reason).to.be.instanceOf(AbortError).with.property('cause', reason);
  });

  it('fires at once for a signal that has already fired', () => {
    const deadline = startDeadline(1000, AbortSignal.abort());
    expect(deadline.signal.reason).to.be.instanceOf(AbortError);
    deadline.dispose();
  });

  it("lets an outer call's TimeoutError pass through an inner deadline unchanged", async () => {
    const outer = startDeadline(10, undefined);
    const inner = startDeadline(undefined, outer.signal);
    await sleep(30);
    expect(inner.signal.reason).to.be.instanceOf(TimeoutError);
    expect(inner.signal.reason).to.equal(outer.signal.reason);
  });

  it("lets an outer call's AbortError pass through an inner deadline unchanged", () => {
    const controller = new AbortController();
    const outer = startDeadline(undefined, controller.signal);
    const inner = startDeadline(1000, outer.signal);
    controller.abort();
    expect(inner.signal.reason).to.be.instanceOf(AbortError);
    expect(inner.signal.reason).to.equal(outer.signal.reason);
    inner.dispose();
  });

  it("stops the timer and the link to the caller's signal on dispose", async () => {
    const controller = new AbortController();
    const deadline = startDeadline(10, controller.signal);
    deadline.dispose();
    controller.abort();
    await sleep(30);
    expect(deadline.signal.aborted).to.equal(false);
  });

  it('knows the longest timeout a timer can hold', () => {
    expect(MAX_TIMEOUT).to.equal(2 ** 31 - 1);
  });
});

describe('interruption', () => {
  it('is undefined while the signal has not fired', () => {
    expect(interruption(new AbortController().signal)).to.equal(undefined);
  });

  it('gives a new TimeoutError with the details for a timeout', () => {
    const timeout = new TimeoutError('the call timed out after 5 ms');
    const err = interruption(AbortSignal.abort(timeout), { remote: 'r', command: ['x'] });
    expect(err).to.be.instanceOf(TimeoutError).and.not.equal(timeout);
    expect(err).to.include({ message: 'the call timed out after 5 ms', remote: 'r' });
    expect(err?.command).to.deep.equal(['x']);
  });

  it("gives an AbortError with the AbortError's message and cause", () => {
    const user = new Error('user');
    const err = interruption(AbortSignal.abort(new AbortError('stopped', { cause: user })));
    expect(err).to.be.instanceOf(AbortError);
    expect(err).to.include({ message: 'stopped', cause: user });
  });

  it('gives an AbortError whose cause is any other reason', () => {
    const err = interruption(AbortSignal.abort('why'), { remote: 'r' });
    expect(err).to.be.instanceOf(AbortError);
    expect(err).to.include({ message: 'the call was aborted', cause: 'why', remote: 'r' });
  });

  it('keeps a cause given in the details', () => {
    const own = new Error('own');
    const err = interruption(AbortSignal.abort('why'), { cause: own });
    expect(err?.cause).to.equal(own);
  });
});

describe('throwIfInterrupted', () => {
  it('throws the error of a fired signal and nothing otherwise', () => {
    const quiet = thrown(() => {
      throwIfInterrupted(new AbortController().signal);
    });
    const fired = thrown(() => {
      throwIfInterrupted(AbortSignal.abort());
    });
    expect(quiet).to.equal(undefined);
    expect(fired).to.be.instanceOf(AbortError);
  });
});
