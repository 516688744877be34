import { expect } from 'chai';
import { fakeSend } from '../../fake-transport.js';
import { F0, fixture, ok, OP_ID, operation, rejection, stubRunner } from '../../helpers.js';
import { AbortError } from '../../../../lib/wire/errors.js';
import type { Runner } from '../../../../lib/transport/cli/runner.js';
import { runWatched } from '../../../../lib/transport/cli/watchdog.js';

const never = new AbortController().signal;

describe('runWatched', function () {
  this.timeout(10_000);
  const WAIT = `GET local:/1.0/operations/${OP_ID}/wait?timeout=30`;
  const line = `DEBUG [...] Sending request to LXD method=GET url=http://unix.socket/1.0/operations/${OP_ID}`;

  // A client that prints its operation URL, then waits until it is killed.
  const stuck: Runner = (_args, options = {}) =>
    new Promise((_resolve, reject) => {
      options.onErrorLine?.(line);
      options.signal?.addEventListener('abort', () => {
        reject(new AbortError('killed'));
      });
    });

  it('resolves to what the client printed when it exits by itself', async () => {
    const { send } = fakeSend();
    const run = stubRunner().resolves(ok('out'));
    const watched = await runWatched({
      run,
      send,
      args: ['image', 'import'],
      options: { signal: never },
      watch: { remote: 'local' },
    });
    expect(watched).to.deep.equal({ result: { stdout: 'out', stderr: '' } });
    expect(run.firstCall.args[0]).to.deep.equal(['--debug', 'image', 'import']);
  });

  it('takes the outcome from the operation when the client misses its end (LXD 5.0.2)', async () => {
    const { fake, send } = fakeSend();
    fake.on(
      WAIT,
      operation({ status: 'Success', status_code: 200, metadata: { fingerprint: F0 } }),
    );
    const watched = await runWatched({
      run: stuck,
      send,
      args: ['image', 'import'],
      options: { signal: never },
      watch: { remote: 'local' },
    });
    expect(watched.operation?.metadata).to.deep.equal({ fingerprint: F0 });
  });

  it("rejects with the operation's error when it failed and the client hangs", async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT, operation({ status: 'Failure', status_code: 400, err: 'Image not found' }));
    const err = await rejection(
      runWatched({
        run: stuck,
        send,
        args: ['image', 'import'],
        options: { signal: never },
        watch: { remote: 'local' },
      }),
    );
    expect(err).to.have.property('name', 'NotFoundError');
  });

  it('cancels the operation and undoes it when the caller aborts', async () => {
    const { fake, send } = fakeSend();
    fake.on(
      WAIT,
      (_k, _r, signal) =>
        new Promise<string>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            reject(new AbortError('stopped'));
          });
        }),
    );
    // the operation stored an image (uploaded after it began): undoing it deletes that image
    const stored = { fingerprint: F0 };
    const began = '2000-01-01T00:00:00Z';
    fake.on(
      `GET local:/1.0/operations/${OP_ID}`,
      operation({ status: 'Success', status_code: 200, metadata: stored, created_at: began }),
    );
    fake.on(`GET local:/1.0/images/${F0}`, fixture('image.lxd.json'));
    fake.on(`DELETE local:/1.0/images/${F0}`, '');
    const controller = new AbortController();
    const pending = rejection(
      runWatched({
        run: stuck,
        send,
        args: ['image', 'import'],
        options: { signal: controller.signal },
        watch: { remote: 'local' },
        undo: 'stored',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await pending).to.be.instanceOf(AbortError);
    const undone = fake.keys().includes(`DELETE local:/1.0/images/${F0}`);
    expect(undone).to.equal(true);
  });
});
