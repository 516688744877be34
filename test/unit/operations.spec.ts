import { expect } from 'chai';
import sinon from 'sinon';
import { NotFoundError, RemoteError, ValidationError } from '../../lib/errors.js';
import { argv, cliError, fixture, ok, rejection, stubClient } from './helpers.js';

const OP = fixture('operation-delete.lxd.json');
const ID = '9f938863-13b2-4f03-8bd8-5493fd58781c';
const FAILED = JSON.stringify({
  ...(JSON.parse(OP) as object),
  status: 'Failure',
  status_code: 400,
  err: 'Head "https://127.0.0.1:1/x": Unable to connect to: 127.0.0.1:1 ([dial tcp 127.0.0.1:1: connect: connection refused])',
  resources: null,
});

describe('operations.info', () => {
  it('reads /1.0/operations/<id> into an Operation', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(OP));
    const op = await client.operations.info('local', ID);
    expect(argv(run)).to.deep.equal(['query', `local:/1.0/operations/${ID}`]);
    expect(op).to.include({ id: ID, status_code: 103, may_cancel: false });
  });

  it('rejects NotFoundError for an unknown operation', async () => {
    const { run, client } = stubClient();
    run.rejects(cliError('Operation not found'));
    expect(await rejection(client.operations.info('local', ID))).to.be.instanceOf(NotFoundError);
  });

  it('refuses an id with / or ? without running', async () => {
    const { run, client } = stubClient();
    for (const id of ['a/b', 'x?y', '']) {
      const err = await rejection(client.operations.info('local', id));
      expect(err).to.be.instanceOf(ValidationError).with.property('field', 'id');
    }
    sinon.assert.notCalled(run);
  });
});

describe('operations.wait', () => {
  it('waits without a server timeout by default', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(OP));
    await client.operations.wait('local', ID);
    expect(argv(run)).to.deep.equal(['query', `local:/1.0/operations/${ID}/wait?timeout=-1`]);
  });

  it('passes seconds and the project into the path', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(OP));
    await client.operations.wait('local', ID, { seconds: 5, project: 'p' });
    expect(argv(run).at(-1)).to.equal(`local:/1.0/operations/${ID}/wait?timeout=5&project=p`);
  });

  it('rejects a failed operation (LXD answers exit 0) with its classified err', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(FAILED));
    const err = await rejection(client.operations.wait('local', ID));
    expect(err).to.be.instanceOf(RemoteError);
    expect((err as Error).message).to.match(/^Head "https:\/\/127\.0\.0\.1:1\/x": Unable/);
  });

  it('refuses non-integer seconds without running', async () => {
    const { run, client } = stubClient();
    const err = await rejection(client.operations.wait('local', ID, { seconds: 1.5 }));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'seconds');
    sinon.assert.notCalled(run);
  });
});

describe('operations.cancel', () => {
  it('sends DELETE to the operation and resolves', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(''));
    expect(await rejection(client.operations.cancel('local', ID))).to.equal(undefined);
    expect(argv(run)).to.deep.equal(['query', '--request=DELETE', `local:/1.0/operations/${ID}`]);
  });
});

describe('remotes.list', () => {
  it('turns the LXD map of Go-cased fields into an array', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('remote-list.lxd.json')));
    const remotes = await client.remotes.list();
    expect(argv(run)).to.deep.equal(['remote', 'list', '--format=json']);
    expect(remotes.map((r) => r.name)).to.deep.equal([
      'dead',
      'images',
      'local',
      'ss',
      'ubuntu',
      'ubuntu-daily',
    ]);
    expect(remotes[1]).to.deep.include({
      name: 'images',
      url: 'https://images.linuxcontainers.org',
      protocol: 'simplestreams',
      public: true,
      static: false,
    });
    expect(remotes[0]).to.include({ protocol: 'lxd', auth_type: 'tls' });
  });

  it('reads the Incus map (local is incus)', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('remote-list.incus.json')));
    const local = await client.remotes.list((list) => list.find((r) => r.name === 'local'));
    expect(local).to.deep.include({ url: 'unix://', protocol: 'incus', static: true });
  });

  // LXD 5.0 lists `local` with `Protocol: ""`
  it('gives protocol "lxd" for the LXD local remote', async () => {
    const { run, client } = stubClient();
    run.resolves(ok(fixture('remote-list.lxd.json')));
    const local = await client.remotes.list((list) => list.find((r) => r.name === 'local'));
    expect(local?.protocol).to.equal('lxd');
  });
});
