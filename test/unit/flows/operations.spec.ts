import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, fixture, OP_ID, operation, rejection } from '../helpers.js';
import { LxcError, NotFoundError, RemoteError, ValidationError } from '../../../lib/wire/errors.js';

const ID = '9f938863-13b2-4f03-8bd8-5493fd58781c';
const OP = fixture('operation-delete.lxd.json');
const CONNECT =
  'Head "https://127.0.0.1:1/x": Unable to connect to: 127.0.0.1:1 ([dial tcp 127.0.0.1:1: connect: connection refused])';
const FAILED = operation({ status: 'Failure', status_code: 400, err: CONNECT, resources: null });

describe('operations.info', () => {
  it('reads /1.0/operations/<id> into an Operation', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${ID}`, OP);
    const op = await client.operations.info('local', ID);
    expect(fake.keys()).to.deep.equal([`GET local:/1.0/operations/${ID}`]);
    expect(op).to.include({ id: ID, status_code: 103, may_cancel: false });
  });

  it('rejects NotFoundError for an unknown operation', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${ID}`, cliError('Operation not found'));
    expect(await rejection(client.operations.info('local', ID))).to.be.instanceOf(NotFoundError);
  });

  it('refuses an id with / or ? without sending anything', async () => {
    const { fake, client } = fakeClient();
    for (const id of ['a/b', 'x?y', '']) {
      const err = await rejection(client.operations.info('local', id));
      expect(err).to.be.instanceOf(ValidationError).with.property('field', 'id');
    }
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('operations.wait', () => {
  it('waits without a server timeout by default', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${ID}/wait?timeout=-1`, OP);
    await client.operations.wait('local', ID);
    expect(fake.keys()).to.deep.equal([`GET local:/1.0/operations/${ID}/wait?timeout=-1`]);
  });

  it('passes seconds and the project into the path', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${ID}/wait?timeout=5&project=p`, OP);
    await client.operations.wait('local', ID, { seconds: 5, project: 'p' });
    expect(fake.keys()).to.deep.equal([`GET local:/1.0/operations/${ID}/wait?timeout=5&project=p`]);
  });

  it('resolves to an operation still running when the seconds pass (LXD answers it)', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${ID}/wait?timeout=1`, OP);
    expect(await client.operations.wait('local', ID, { seconds: 1 })).to.include({
      status: 'Running',
    });
  });

  it('reads the operation when Incus answers a wait that timed out with an error', async () => {
    const { fake, client } = fakeClient();
    fake.on(
      `GET local:/1.0/operations/${OP_ID}/wait?timeout=1`,
      cliError('context deadline exceeded'),
    );
    fake.on(`GET local:/1.0/operations/${OP_ID}`, operation());
    const op = await client.operations.wait('local', OP_ID, { seconds: 1 });
    expect(op).to.include({ status: 'Running' });
    expect(fake.keys()).to.deep.equal([
      `GET local:/1.0/operations/${OP_ID}/wait?timeout=1`,
      `GET local:/1.0/operations/${OP_ID}`,
    ]);
  });

  it('rejects a failed operation (LXD answers exit 0) with its classified err', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=-1`, FAILED);
    const err = await rejection(client.operations.wait('local', OP_ID));
    expect(err).to.be.instanceOf(RemoteError);
    expect((err as Error).message).to.match(/^Head "https:\/\/127\.0\.0\.1:1\/x": Unable/);
  });

  it('rejects a failed operation that Incus answers with an error body', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=-1`, cliError(CONNECT));
    fake.on(`GET local:/1.0/operations/${OP_ID}`, FAILED);
    const err = await rejection(client.operations.wait('local', OP_ID));
    expect(err).to.be.instanceOf(RemoteError).with.property('message', CONNECT);
  });

  it('rejects with the wait error when the operation cannot be read either', async () => {
    const { fake, client } = fakeClient();
    const waitError = cliError('Unable to connect to: 127.0.0.1:1');
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=-1`, waitError);
    fake.on(`GET local:/1.0/operations/${OP_ID}`, cliError('Unable to connect again'));
    expect(await rejection(client.operations.wait('local', OP_ID))).to.equal(waitError);
  });

  it('rejects NotFoundError for an unknown operation without reading it', async () => {
    const { fake, client } = fakeClient();
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=-1`, cliError('Operation not found'));
    expect(await rejection(client.operations.wait('local', OP_ID))).to.be.instanceOf(NotFoundError);
    expect(fake.keys()).to.have.length(1);
  });

  it('refuses non-integer seconds without sending anything', async () => {
    const { fake, client } = fakeClient();
    for (const seconds of [1.5, -2, '5' as unknown as number]) {
      const err = await rejection(client.operations.wait('local', ID, { seconds }));
      expect(err).to.be.instanceOf(ValidationError).with.property('field', 'seconds');
    }
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('operations.cancel', () => {
  it('sends DELETE to the operation and resolves to undefined', async () => {
    const { fake, client } = fakeClient();
    fake.on(`DELETE local:/1.0/operations/${ID}`, '');
    const result = await client.operations.cancel('local', ID).then((value: unknown) => value);
    expect(result).to.equal(undefined);
    expect(fake.keys()).to.deep.equal([`DELETE local:/1.0/operations/${ID}`]);
  });

  it('rejects with what the daemon says when the operation cannot be cancelled', async () => {
    const { fake, client } = fakeClient();
    fake.on(`DELETE local:/1.0/operations/${ID}`, cliError("This operation can't be cancelled"));
    const err = await rejection(client.operations.cancel('local', ID));
    expect(err)
      .to.be.instanceOf(LxcError)
      .with.property('message', "This operation can't be cancelled");
  });
});
