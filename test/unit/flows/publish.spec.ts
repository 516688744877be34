import { expect } from 'chai';
import { type FakeAnswer, fakeClient, type FakeTransport } from '../fake-transport.js';
import { F0, fixture, OP_ID, operation, rejection } from '../helpers.js';
import {
  AbortError,
  ConflictError,
  InstanceRunningError,
  LxcError,
  ValidationError,
} from '../../../lib/wire/errors.js';

const IMAGE = fixture('image.lxd.json');
const STOP_ID = '11111111-2222-3333-4444-555555555555';
const INSTANCE = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({
    name: 'c1',
    status: 'Stopped',
    ephemeral: false,
    config: { 'image.os': 'testos', 'image.owner': 'ops', 'volatile.base_image': F0 },
    ...fields,
  });
// the publish started before the image fixture was uploaded (09:04:04): the image is its own
const PUBLISHED = operation({
  status: 'Success',
  status_code: 200,
  created_at: '2026-11-23T09:00:00Z',
  metadata: { fingerprint: F0, size: '123' },
});
const RUNNING = operation({ created_at: '2026-11-23T09:00:00Z' });
const WAIT = `GET local:/1.0/operations/${OP_ID}/wait?timeout=30`;
const STATE = 'PUT local:/1.0/instances/c1/state';

// A fake daemon with an instance c1 (stopped by default) that publishes to F0 (or as `waits` say).
function publishing(instance = INSTANCE(), ...waits: FakeAnswer[]): ReturnType<typeof fakeClient> {
  const made = fakeClient();
  made.fake.on('GET local:/1.0/instances/c1', instance);
  made.fake.on('POST local:/1.0/images', RUNNING);
  made.fake.on(WAIT, ...(waits.length > 0 ? waits : [PUBLISHED]));
  made.fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
  made.fake.on('POST local:/1.0/images/aliases', '');
  return made;
}

describe('images.publish', () => {
  it('publishes a stopped instance with its properties merged, then points the aliases', async () => {
    const { fake, client } = publishing();
    const image = await client.images.publish('local', 'c1', {
      aliases: ['a1'],
      properties: { os: 'mine' },
    });
    expect(image.fingerprint).to.equal(F0);
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0/instances/c1',
      'POST local:/1.0/images',
      WAIT,
      'POST local:/1.0/images/aliases',
      `GET local:/1.0/images/${F0}`,
    ]);
    expect(fake.body('POST local:/1.0/images')).to.deep.include({
      properties: { os: 'mine', owner: 'ops' },
    });
  });

  it('reads a snapshot, and publishes it even while the instance runs', async () => {
    const { fake, client } = publishing();
    fake.on('GET local:/1.0/instances/c1/snapshots/s0', INSTANCE({ name: 's0', status: '' }));
    await client.images.publish('local', 'c1/s0');
    expect(fake.keys()[0]).to.equal('GET local:/1.0/instances/c1/snapshots/s0');
    expect(fake.body('POST local:/1.0/images')).to.deep.equal({
      source: { type: 'snapshot', name: 'c1/s0' },
      public: false,
    });
  });

  it('refuses a running instance without force, before the POST', async () => {
    const { fake, client } = publishing(INSTANCE({ status: 'Running' }));
    const error = await rejection(client.images.publish('local', 'c1'));
    expect(error).to.be.instanceOf(InstanceRunningError).with.property('instance', 'c1');
    expect(fake.keys()).to.deep.equal(['GET local:/1.0/instances/c1']);
  });

  // A fake with a running ephemeral c1: PATCHes, a stop operation, then the start.
  function forced(fake: FakeTransport): void {
    fake.on('PATCH local:/1.0/instances/c1', '');
    fake.on(STATE, operation({ id: STOP_ID }), '');
    fake.on(
      `GET local:/1.0/operations/${STOP_ID}/wait?timeout=30`,
      operation({ id: STOP_ID, status: 'Success', status_code: 200 }),
    );
  }

  it('force: keeps an ephemeral instance through the stop, publishes, starts it again', async () => {
    const { fake, client } = publishing(INSTANCE({ status: 'Running', ephemeral: true }));
    forced(fake);
    await client.images.publish('local', 'c1', { force: true });
    expect(fake.keys()).to.deep.equal([
      'GET local:/1.0/instances/c1',
      'PATCH local:/1.0/instances/c1',
      STATE,
      `GET local:/1.0/operations/${STOP_ID}/wait?timeout=30`,
      'PATCH local:/1.0/instances/c1',
      'POST local:/1.0/images',
      WAIT,
      `GET local:/1.0/images/${F0}`,
      STATE,
    ]);
    const patches = fake.sent('PATCH local:/1.0/instances/c1').map((r) => r.api?.body);
    expect(patches).to.deep.equal([{ ephemeral: false }, { ephemeral: true }]);
    const states = fake.sent(STATE).map((r) => r.api?.body);
    expect(states).to.deep.equal([
      { action: 'stop', timeout: -1, force: true },
      { action: 'start', timeout: -1 },
    ]);
    expect(fake.sent(STATE)[1]?.api?.wait).to.equal(true);
  });

  it('force: starts the instance again when the publish fails, and rejects with that failure', async () => {
    const failure = operation({
      status: 'Failure',
      status_code: 400,
      err: 'exec: "pigz": executable file not found in $PATH',
    });
    const { fake, client } = publishing(INSTANCE({ status: 'Running' }), failure);
    forced(fake);
    const error = await rejection(
      client.images.publish('local', 'c1', { force: true, aliases: ['a'] }),
    );
    expect(error).to.be.instanceOf(LxcError).with.property('message').that.includes('pigz');
    expect(fake.keys().at(-1)).to.equal(STATE);
    expect(fake.keys()).to.not.include('POST local:/1.0/images/aliases');
  });

  it('the same image already stored is a ConflictError naming it; no alias is pointed', async () => {
    const { fake, client } = publishing(
      INSTANCE(),
      operation({ status: 'Failure', status_code: 400, err: `The image already exists: ${F0}` }),
    );
    const error = await rejection(client.images.publish('local', 'c1', { aliases: ['a'] }));
    expect(error).to.be.instanceOf(ConflictError).with.property('message').that.includes(F0);
    expect(fake.keys()).to.not.include('POST local:/1.0/images/aliases');
  });

  it('an instance that started meanwhile is an InstanceRunningError too', async () => {
    const { client } = publishing(
      INSTANCE(),
      operation({
        status: 'Failure',
        status_code: 400,
        err: 'Cannot export a running instance as an image',
      }),
    );
    expect(await rejection(client.images.publish('local', 'c1'))).to.be.instanceOf(
      InstanceRunningError,
    );
  });

  it('aborted while it runs: waits for the publish, deletes its image, says the work was undone', async () => {
    const controller = new AbortController();
    const { fake, client } = publishing(
      INSTANCE(),
      () => {
        controller.abort(); // the wait is cut short, as a destroyed request would be
        return new Error('aborted');
      },
      PUBLISHED,
    );
    fake.on(`GET local:/1.0/operations/${OP_ID}`, RUNNING, PUBLISHED);
    fake.on(`DELETE local:/1.0/images/${F0}`, '');
    const error = await rejection(
      client.images.publish('local', 'c1', { aliases: ['a'], signal: controller.signal }),
    );
    expect(error).to.be.instanceOf(AbortError);
    expect((error as Error).message).to.match(/deleted the image it made.*undone, not cancelled/);
    expect(fake.keys()).to.include(`DELETE local:/1.0/images/${F0}`);
    expect(fake.keys()).to.not.include('POST local:/1.0/images/aliases');
    expect(fake.keys()).to.not.include(`DELETE local:/1.0/operations/${OP_ID}`);
  });

  it('checks everything before a request', async () => {
    const { fake, client } = publishing();
    const attempts = [
      client.images.publish('local', 'a/b/c'),
      client.images.publish('local', 'c1', { compression: 'lz4' }),
      client.images.publish('local', 'c1', { aliases: ['-x'] }),
      client.images.publish('local', 'c1', { properties: { 'bad key': 'v' } }),
      client.images.publish('local', 'c1', { force: 'yes' as unknown as boolean }),
    ];
    for (const attempt of attempts)
      expect(await rejection(attempt)).to.be.instanceOf(ValidationError);
    expect(fake.keys()).to.deep.equal([]);
  });
});
