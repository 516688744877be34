import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { rejection } from '../helpers.js';
import { RemoteDirectory } from '../../../lib/call/remotes.js';
import { RemoteError, ValidationError } from '../../../lib/wire/errors.js';
import type { Remote } from '../../../lib/wire/schemas.js';

const never = new AbortController().signal;
const REMOTES: Remote[] = [
  { name: 'images', url: 'https://images.example', protocol: 'simplestreams', public: true },
  { name: 'r', url: 'https://127.0.0.1:8443', protocol: 'lxd', public: false },
];

// A directory over a listing that counts its calls and answers `answers` in turn.
function directory(...answers: (Remote[] | Error)[]) {
  const calls = { count: 0 };
  const dir = new RemoteDirectory(() => {
    const answer = answers[Math.min(calls.count++, answers.length - 1)] ?? [];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }, 'incus');
  return { dir, calls };
}

describe('remotes.list', () => {
  it("resolves to the transport's remotes, read afresh on each call", async () => {
    const { fake, client } = fakeClient();
    const names = await client.remotes.list((list) => list.map((r) => r.name));
    await client.remotes.list();
    expect(names).to.deep.equal(['local', 'images', 'r']);
    expect(fake.remoteListings).to.equal(2);
  });

  it('refuses bad options without listing', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.remotes.list({ timeout: 0 }));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'timeout');
    expect(fake.remoteListings).to.equal(0);
  });
});

describe('RemoteDirectory', () => {
  it('knows local without a listing', async () => {
    const { dir, calls } = directory(REMOTES);
    expect(await dir.get('local', never)).to.deep.include({
      name: 'local',
      url: 'unix://',
      protocol: 'incus',
      public: false,
    });
    expect(await dir.isPublic('local', never)).to.equal(false);
    expect(calls.count).to.equal(0);
  });

  it('lists once for many lookups, made together or one after another', async () => {
    const { dir, calls } = directory(REMOTES);
    const [a, b] = await Promise.all([dir.get('r', never), dir.isPublic('images', never)]);
    expect(a.name).to.equal('r');
    expect(b).to.equal(true);
    expect(await dir.isPublic('r', never)).to.equal(false);
    expect(calls.count).to.equal(1);
  });

  it('lists again once for a name it does not know', async () => {
    const added = [...REMOTES, { name: 'new', url: 'u', protocol: 'lxd', public: false }];
    const { dir, calls } = directory(REMOTES, added);
    await dir.get('r', never);
    expect((await dir.get('new', never)).name).to.equal('new');
    expect(calls.count).to.equal(2);
  });

  it('rejects RemoteError for a name that is not listed', async () => {
    const { dir } = directory(REMOTES);
    const err = await rejection(dir.get('nosuch', never));
    expect(err).to.be.instanceOf(RemoteError).with.property('remote', 'nosuch');
    expect((err as Error).message).to.equal('The remote "nosuch" doesn\'t exist');
  });

  it('does not keep a failed listing', async () => {
    const boom = new Error('boom');
    const { dir, calls } = directory(boom, REMOTES);
    expect(await rejection(dir.get('r', never))).to.equal(boom);
    expect((await dir.get('r', never)).name).to.equal('r');
    expect(calls.count).to.equal(2);
  });

  it('lists afresh on list()', async () => {
    const { dir, calls } = directory(REMOTES);
    await dir.list(never);
    await dir.list(never);
    expect(calls.count).to.equal(2);
  });
});
