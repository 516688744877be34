import { expect } from 'chai';
import { fakeCore } from '../core-parts.js';
import { type FakeAnswer, fakeClient } from '../fake-transport.js';
import { F0, F1, fixture, rejection, tick } from '../helpers.js';
import { imageGuard } from '../../../lib/requests/write.js';
import { WRITE_ATTEMPTS } from '../../../lib/call/guard.js';
import type { Image } from '../../../lib/wire/schemas.js';
import { ConflictError } from '../../../lib/wire/errors.js';

const IMAGE = fixture('image.lxd.json');
const GET = `GET local:/1.0/images/${F0}`;
const PATCH = `PATCH local:/1.0/images/${F0}`;
const stale = () => new ConflictError("ETag doesn't match", { status: 412 });

// An answer that takes a turn of the event loop, so that overlapping requests would show.
const slowly =
  (body: string): FakeAnswer =>
  async () => {
    await tick();
    return body;
  };

describe('readModifyWrite', () => {
  it('reads again and writes again when the write meets a newer version (412)', async () => {
    const { fake, client } = fakeClient();
    fake.on(GET, { body: IMAGE, etag: '"1"' }, { body: IMAGE, etag: '"2"' }, IMAGE);
    fake.on(PATCH, stale(), '');
    await client.images.setProperty('local', F0, 'k', 'v');
    expect(fake.keys()).to.deep.equal([GET, PATCH, GET, PATCH, GET]);
    expect(fake.sent(PATCH).map((r) => r.api?.etag)).to.deep.equal(['"1"', '"2"']);
    expect(fake.body(PATCH, 1)).to.deep.equal({ properties: { k: 'v' } });
  });

  it(`rejects ConflictError after ${WRITE_ATTEMPTS} stale writes in a row`, async () => {
    const { fake, client } = fakeClient();
    fake.on(GET, IMAGE).on(PATCH, stale());
    const err = await rejection(client.images.setProperty('local', F0, 'k', 'v'));
    expect(err).to.be.instanceOf(ConflictError);
    expect((err as ConflictError).message).to.match(/kept changing/);
    expect((err as ConflictError).cause).to.be.instanceOf(ConflictError);
    expect(fake.sent(PATCH)).to.have.length(WRITE_ATTEMPTS);
    expect(fake.sent(GET)).to.have.length(WRITE_ATTEMPTS);
  });

  it('does not retry a conflict that is not a stale ETag', async () => {
    const { fake, client } = fakeClient();
    const conflict = new ConflictError('Alias "a" already exists', { status: 409 });
    fake.on(GET, IMAGE).on(PATCH, conflict);
    expect(await rejection(client.images.setProperty('local', F0, 'k', 'v'))).to.equal(conflict);
    expect(fake.sent(PATCH)).to.have.length(1);
  });

  it('retries an alias PUT on a stale ETag too', async () => {
    const { fake, client } = fakeClient();
    const alias = 'local:/1.0/images/aliases/a';
    fake.on(`GET ${alias}`, fixture('alias.lxd.json')).on(`PUT ${alias}`, stale(), '');
    await client.images.aliases.update('local', 'a', { description: 'd' });
    expect(fake.sent(`PUT ${alias}`)).to.have.length(2);
  });

  it('runs 50 concurrent writes to one image one at a time, losing none', async () => {
    const { fake, client } = fakeClient();
    fake.on(GET, slowly(IMAGE)).on(PATCH, slowly(''));
    const values = Array.from({ length: 50 }, (_, i) => `v${i}`);
    await Promise.all(values.map((v) => client.images.setProperty('local', F0, 'k', v)));
    expect(fake.maxInFlight).to.equal(1);
    expect(fake.keys()).to.deep.equal(values.flatMap(() => [GET, PATCH, GET]));
    const written = fake
      .sent(PATCH)
      .map((r) => (r.api?.body as { properties: { k: string } }).properties.k);
    expect(written).to.have.members(values);
  });

  it('lets writes to different images run at the same time', async () => {
    const { fake, client } = fakeClient();
    fake.on(GET, slowly(IMAGE)).on(PATCH, slowly(''));
    fake.on(`GET local:/1.0/images/${F1}`, slowly(IMAGE.replaceAll(F0, F1)));
    fake.on(`PATCH local:/1.0/images/${F1}`, slowly(''));
    await Promise.all([
      client.images.setProperty('local', F0, 'k', 'a'),
      client.images.setProperty('local', F1, 'k', 'b'),
    ]);
    expect(fake.maxInFlight).to.equal(2);
  });

  it('rejects with a failed read without writing', async () => {
    const { fake, core } = fakeCore();
    let wrote = false;
    const boom = new ConflictError('gone', { status: 412 });
    fake.on(GET, boom);
    const guard = imageGuard(F0, () => {
      wrote = true;
      return { method: 'PATCH', body: {} };
    });
    const err = await rejection(
      core.call('local', [{}, undefined], (call) => call.send({ guard })),
    );
    expect(err).to.equal(boom);
    expect(wrote).to.equal(false);
  });

  it('resolves to what it reads back under the lock', async () => {
    const { fake, core } = fakeCore();
    fake.on(GET, { body: IMAGE, etag: '"e"' }, IMAGE.replace('"public": false', '"public": true'));
    fake.on(PATCH, '');
    const seen: unknown[] = [];
    const guard = imageGuard(F0, (current) => {
      seen.push(current.fingerprint);
      return { method: 'PATCH', body: { public: true } };
    });
    const result = await core.call<object, Image, Image>('local', [{}, undefined], (call) =>
      call.send({ guard }),
    );
    expect(seen).to.deep.equal([F0]);
    expect(fake.sent(PATCH)[0]?.api?.etag).to.equal('"e"');
    expect(result.public).to.equal(true);
  });
});
