import { expect } from 'chai';
import { type FakeAnswer, fakeSend } from '../fake-transport.js';
import { cliError, OP_ID, operation, rejection, thrown } from '../helpers.js';
import { hasEnded, settle, waitOperation } from '../../../lib/operation/wait.js';
import { AbortError, LxcError, NotFoundError, RemoteError } from '../../../lib/wire/errors.js';
import { type Operation, OperationSchema } from '../../../lib/wire/schemas.js';

const TARGET = { remote: 'local' };
const OP = `GET local:/1.0/operations/${OP_ID}`;
const WAIT = (seconds: number) => `GET local:/1.0/operations/${OP_ID}/wait?timeout=${seconds}`;
const RUNNING = operation({ status: 'Running', status_code: 103 });
const SUCCESS = operation({ status: 'Success', status_code: 200, metadata: { fingerprint: 'f' } });
const never = new AbortController().signal;

const parsed = (text: string): Operation => OperationSchema.parse(JSON.parse(text));

describe('waitOperation', () => {
  it('waits again while LXD answers the operation as running, then resolves to it', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(30), RUNNING, SUCCESS);
    const op = await waitOperation({ send, target: TARGET, id: OP_ID, signal: never });
    expect(op).to.include({ status: 'Success', status_code: 200 });
    expect(fake.keys()).to.deep.equal([WAIT(30), WAIT(30)]);
  });

  it('hands each running read to onRunning, with 1-second waits', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(1), RUNNING, RUNNING, SUCCESS);
    const seen: string[] = [];
    await waitOperation({
      send,
      target: TARGET,
      id: OP_ID,
      signal: never,
      onRunning: (op) => seen.push(op.status),
    });
    expect(seen).to.deep.equal(['Running', 'Running']);
  });

  it('takes the seconds and the target project into the wait', async () => {
    const { fake, send } = fakeSend();
    fake.on(`${WAIT(5)}&project=p`, SUCCESS);
    await waitOperation({
      send,
      target: { remote: 'local', project: 'p' },
      id: OP_ID,
      signal: never,
      seconds: 5,
    });
    expect(fake.keys()).to.deep.equal([`${WAIT(5)}&project=p`]);
  });

  it('reads the operation after an Incus wait that timed out, and waits on while it runs', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(30), cliError('context deadline exceeded'), SUCCESS);
    fake.on(OP, RUNNING);
    const op = await waitOperation({ send, target: TARGET, id: OP_ID, signal: never });
    expect(op.status).to.equal('Success');
    expect(fake.keys()).to.deep.equal([WAIT(30), OP, WAIT(30)]);
  });

  it('resolves once a read after a failed wait shows success', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(30), cliError('context deadline exceeded'));
    fake.on(OP, SUCCESS);
    expect(
      (await waitOperation({ send, target: TARGET, id: OP_ID, signal: never })).status,
    ).to.equal('Success');
  });

  it('rejects a failed operation with its classified error', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(30), operation({ status: 'Failure', status_code: 400, err: 'Image not found' }));
    const err = await rejection(waitOperation({ send, target: TARGET, id: OP_ID, signal: never }));
    expect(err).to.be.instanceOf(NotFoundError).with.property('message', 'Image not found');
    expect(err).to.have.property('remote', 'local');
  });

  it('rejects a failed operation that an Incus wait answered with an error body', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(30), cliError('Unable to connect to: 127.0.0.1:1'));
    fake.on(
      OP,
      operation({ status: 'Failure', status_code: 400, err: 'Unable to connect to: 127.0.0.1:1' }),
    );
    expect(
      await rejection(waitOperation({ send, target: TARGET, id: OP_ID, signal: never })),
    ).to.be.instanceOf(RemoteError);
  });

  it('rethrows a wait error that is no timeout while the operation still runs', async () => {
    const { fake, send } = fakeSend();
    const failure = cliError('Unable to connect to: 127.0.0.1:1');
    fake.on(WAIT(30), failure).on(OP, RUNNING);
    expect(
      await rejection(waitOperation({ send, target: TARGET, id: OP_ID, signal: never })),
    ).to.equal(failure);
  });

  it('rejects NotFoundError for an unknown operation without reading it', async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT(30), cliError('Operation not found'));
    expect(
      await rejection(waitOperation({ send, target: TARGET, id: OP_ID, signal: never })),
    ).to.be.instanceOf(NotFoundError);
    expect(fake.keys()).to.deep.equal([WAIT(30)]);
  });

  it('rejects without reading the operation once the signal has fired', async () => {
    const { fake, send } = fakeSend();
    const controller = new AbortController();
    const hang: FakeAnswer = (_k, _r, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(new AbortError('stopped'));
        });
      });
    fake.on(WAIT(30), hang);
    const pending = rejection(
      waitOperation({ send, target: TARGET, id: OP_ID, signal: controller.signal }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).to.be.instanceOf(AbortError);
    expect(fake.keys()).to.deep.equal([WAIT(30)]);
  });
});

describe('hasEnded', () => {
  it('is true for success, failure and cancelled, false while running or pending', () => {
    for (const [code, ended] of [
      [200, true],
      [400, true],
      [401, true],
      [103, false],
      [104, false],
      [105, false],
    ] as const) {
      expect(hasEnded(parsed(operation({ status_code: code }))), String(code)).to.equal(ended);
    }
  });
});

describe('settle', () => {
  it('resolves to a successful operation', () => {
    const op = parsed(SUCCESS);
    expect(settle(op, 'local')).to.equal(op);
  });

  it('throws the classified err of a failed one', () => {
    const op = parsed(
      operation({ status: 'Failure', status_code: 400, err: 'Alias "a" already exists' }),
    );
    expect(thrown(() => settle(op, 'local'))).to.have.property('name', 'ConflictError');
  });

  it('names the status when a cancelled operation has no err', () => {
    const op = parsed(operation({ status: 'Cancelled', status_code: 401 }));
    const err = thrown(() => settle(op, 'local'));
    expect(err)
      .to.be.instanceOf(LxcError)
      .with.property('message', 'the operation ended as Cancelled');
  });
});
