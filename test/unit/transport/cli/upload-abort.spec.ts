import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { cutUnlessSent } from '../../../../lib/transport/cli/upload-abort.js';
import { AbortError } from '../../../../lib/wire/errors.js';

// A child that waits (a stand-in for an upload's client); its reads are those of its start.
function waiting(): ChildProcess {
  return spawn('sleep', ['30'], { stdio: 'ignore' });
}

describe('the abort rule of a CLI upload', () => {
  it('kills a client that has not read the whole image yet', async () => {
    const child = waiting();
    const calls = new AbortController();
    const cut = cutUnlessSent(calls.signal, 1e15);
    cut.onSpawn(child.pid ?? 0);
    const exited = once(child, 'exit');
    calls.abort(new AbortError('stop'));
    await once(cut.signal, 'abort');
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).to.equal('SIGKILL');
    expect(cut.signal.reason).to.be.instanceOf(AbortError);
    cut.dispose();
  });

  it('lets a client that has read the whole image go on (its operation will be undone)', async () => {
    const child = waiting();
    const calls = new AbortController();
    const cut = cutUnlessSent(calls.signal, 0);
    cut.onSpawn(child.pid ?? 0);
    calls.abort(new AbortError('stop'));
    // it is paused while its reads are counted, then continued: wait until it runs again
    let state = 'T';
    for (let i = 0; i < 100 && state === 'T'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]?.[0] ?? '';
    }
    expect(state).to.not.equal('T');
    expect(cut.signal.aborted).to.equal(false);
    expect(child.exitCode).to.equal(null);
    cut.dispose();
    child.kill('SIGKILL');
  });

  it('cuts at once when no client has started', () => {
    const calls = new AbortController();
    calls.abort();
    expect(cutUnlessSent(calls.signal, 10).signal.aborted).to.equal(true);
  });
});
