import { expect } from 'chai';
import { fakeSend } from '../fake-transport.js';
import { cliError, fixture, OP_ID, operation, rejection } from '../helpers.js';
import { cancelOperation, waitOrCancel } from '../../../lib/operation/cancel.js';
import { AbortError } from '../../../lib/wire/errors.js';

const TARGET = { remote: 'local' };
const OP = `GET local:/1.0/operations/${OP_ID}`;
const WAIT = (seconds: number) => `GET local:/1.0/operations/${OP_ID}/wait?timeout=${seconds}`;
const CANCEL = `DELETE local:/1.0/operations/${OP_ID}`;
const RUNNING = operation({ status: 'Running', status_code: 103 });
const SUCCESS = operation({ status: 'Success', status_code: 200, metadata: { fingerprint: 'f' } });
const never = new AbortController().signal;

describe('cancelOperation', () => {
  it('cancels an operation that may be cancelled and waits for it to end', async () => {
    const { fake, send } = fakeSend();
    fake.on(OP, operation({ may_cancel: true }));
    fake.on(CANCEL, '');
    fake.on(WAIT(30), operation({ status: 'Cancelled', status_code: 401 }));
    await cancelOperation({ send, target: TARGET, id: OP_ID, undo: 'stored' });
    // cancelled, it stored nothing: nothing is undone
    expect(fake.keys()).to.deep.equal([OP, CANCEL, WAIT(30)]);
  });

  it('lets an operation that cannot be cancelled end, then undoes what it made', async () => {
    const { fake, send } = fakeSend();
    const began = '2000-01-01T00:00:00Z';
    const stored = operation({
      status: 'Success',
      status_code: 200,
      metadata: { fingerprint: 'f' },
      created_at: began,
    });
    fake.on(OP, RUNNING).on(WAIT(30), stored);
    // the image it stored was uploaded after the operation began: it is the call's to delete
    fake.on('GET local:/1.0/images/f', fixture('image.lxd.json'));
    fake.on('DELETE local:/1.0/images/f', '');
    await cancelOperation({ send, target: TARGET, id: OP_ID, undo: 'stored' });
    expect(fake.keys()).to.deep.equal([
      OP,
      WAIT(30),
      'GET local:/1.0/images/f',
      'DELETE local:/1.0/images/f',
    ]);
  });

  it('swallows the errors of a daemon that is gone', async () => {
    const { fake, send } = fakeSend();
    fake.on(OP, cliError('Unable to connect to: 127.0.0.1:1'));
    expect(await rejection(cancelOperation({ send, target: TARGET, id: OP_ID }))).to.equal(
      undefined,
    );
  });
});

describe('waitOrCancel', () => {
  it('cancels the operation when the signal fires during the wait, then rejects', async () => {
    const { fake, send } = fakeSend();
    const controller = new AbortController();
    fake.on(
      WAIT(30),
      (_k, _r, signal) =>
        new Promise<string>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            reject(new AbortError('stopped'));
          });
        }),
    );
    fake.on(OP, operation({ may_cancel: true, status: 'Cancelled', status_code: 401 }));
    const pending = rejection(
      waitOrCancel({ send, target: TARGET, id: OP_ID, signal: controller.signal }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).to.be.instanceOf(AbortError);
    expect(fake.keys()).to.deep.equal([WAIT(30), OP]);
  });

  it('resolves like waitOperation when nothing fires', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(30), SUCCESS);
    expect(
      (await waitOrCancel({ send, target: TARGET, id: OP_ID, signal: never })).status,
    ).to.equal('Success');
  });
});
