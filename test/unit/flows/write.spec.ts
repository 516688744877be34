import { expect } from 'chai';
import { cliError, F0, fixture, rejection, thrown } from '../helpers.js';
import { fakeClient } from '../fake-transport.js';
import { setPropertyChange, unsetPropertyChange, writableBody } from '../../../lib/flows/write.js';
import { mergeOverCurrent } from '../../../lib/requests/write.js';
import { NotFoundError, ValidationError } from '../../../lib/wire/errors.js';
import { type Image, ImageSchema, type Operation } from '../../../lib/wire/schemas.js';

// The fixture image, edited: other profiles, public, auto-updating, expiring.
const CURRENT: Image = ImageSchema.parse({
  ...(JSON.parse(fixture('image.lxd.json')) as object),
  profiles: ['other'],
  public: true,
  auto_update: true,
  expires_at: '2030-01-02T03:04:05Z',
});

const IMAGE = fixture('image.lxd.json');
const IMAGE_KEY = `GET local:/1.0/images/${F0}`;
const PUT = `PUT local:/1.0/images/${F0}`;
const PATCH = `PATCH local:/1.0/images/${F0}`;
// The same image after earlier edits: other profiles, public, auto-updating, expiring.
const EDITED = JSON.stringify({
  ...(JSON.parse(IMAGE) as object),
  profiles: ['other'],
  public: true,
  auto_update: true,
  expires_at: '2030-01-02T03:04:05Z',
});

// A fake client whose image reads answer `current` first, then IMAGE; writes answer nothing.
function editing(current = IMAGE) {
  const stub = fakeClient();
  stub.fake.on(IMAGE_KEY, current, IMAGE).on(PUT, '').on(PATCH, '');
  return stub;
}

// True when A and B are the same type.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('unsetPropertyChange', () => {
  it('is a PUT over the current values with the properties less the key', () => {
    const change = unsetPropertyChange('os')(CURRENT);
    expect(change).to.deep.equal({
      method: 'PUT',
      body: {
        ...mergeOverCurrent(CURRENT, {}),
        properties: { description: 'Test image 0', release: '1.0' },
      },
    });
  });

  it('is a PUT of the same properties for a key that is not set', () => {
    expect(unsetPropertyChange('nosuch')(CURRENT).body.properties).to.deep.equal(
      CURRENT.properties,
    );
  });

  it('checks the key at once', () => {
    expect(thrown(() => unsetPropertyChange(''))).to.have.property('field', 'key');
  });
});

describe('writableBody', () => {
  it('keeps the writable fields and turns expires_at into LXD text', () => {
    expect(
      writableBody(
        {
          auto_update: true,
          public: false,
          profiles: ['default'],
          properties: { os: 'x\ny' },
          expires_at: null,
        },
        'body',
      ),
    ).to.deep.equal({
      auto_update: true,
      public: false,
      profiles: ['default'],
      properties: { os: 'x\ny' },
      expires_at: '1970-01-01T00:00:00Z',
    });
  });

  it('gives {} for undefined', () => {
    expect(writableBody(undefined, 'patch')).to.deep.equal({});
  });

  for (const [bad, field] of [
    [{ size: 1 }, 'body'],
    [{ public: 'yes' }, 'body'],
    [{ profiles: [''] }, 'body'],
    [{ expires_at: 'tomorrow' }, 'body'],
    [{ properties: { '-x': 'y' } }, 'body.properties'],
    [{ properties: { k: 'a\u0000' } }, 'body.properties.k'],
    [[], 'body'],
    [null, 'body'],
  ] as const) {
    it(`refuses ${JSON.stringify(bad)} naming ${field}`, () => {
      expect(thrown(() => writableBody(bad, 'body')))
        .to.be.instanceOf(ValidationError)
        .with.property('field', field);
    });
  }
});

describe('setPropertyChange', () => {
  it('is a PATCH of one property', () => {
    expect(setPropertyChange('user.k', 'v')(CURRENT)).to.deep.equal({
      method: 'PATCH',
      body: { properties: { 'user.k': 'v' } },
    });
  });

  it('checks the key and the value at once', () => {
    expect(thrown(() => setPropertyChange('a b', 'v'))).to.have.property('field', 'key');
    expect(thrown(() => setPropertyChange('k', 'a\u0000'))).to.have.property('field', 'value');
  });
});

describe('images.replace', () => {
  it('PUTs the body over the current writable fields and reads the image back', async () => {
    const { fake, client } = editing(EDITED);
    const image = await client.images.replace('local', F0, { properties: { os: 'x' } });
    expect(fake.keys()).to.deep.equal([IMAGE_KEY, PUT, IMAGE_KEY]);
    expect(fake.body(PUT)).to.deep.equal({
      auto_update: true,
      public: true,
      profiles: ['other'],
      expires_at: '2030-01-02T03:04:05.000Z',
      properties: { os: 'x' },
    });
    expect(image.fingerprint).to.equal(F0);
  });

  it('sends a Date expires_at as RFC 3339', async () => {
    const { fake, client } = editing();
    await client.images.replace('local', F0, { expires_at: new Date('2031-05-06T07:08:09Z') });
    expect(fake.body(PUT)).to.include({ expires_at: '2031-05-06T07:08:09.000Z' });
  });

  // 0001 would keep the old expiry; the epoch clears it
  it('clears expires_at with null', async () => {
    const { fake, client } = editing(EDITED);
    await client.images.replace('local', F0, { expires_at: null });
    expect(fake.body(PUT)).to.include({ expires_at: '1970-01-01T00:00:00Z' });
  });

  it('resolves an alias to its fingerprint before the PUT', async () => {
    const { fake, client } = editing();
    fake.on('GET local:/1.0/images/aliases/a', fixture('alias.lxd.json'));
    await client.images.replace('local', 'a', { public: true });
    expect(fake.keys()[0]).to.equal('GET local:/1.0/images/aliases/a');
    expect(fake.keys()).to.include(PUT);
  });

  it('sends the ETag it read with the PUT', async () => {
    const { fake, client } = fakeClient();
    fake.on(IMAGE_KEY, { body: IMAGE, etag: '"e1"' }).on(PUT, '');
    await client.images.replace('local', F0, { public: true });
    expect(fake.sent(PUT)[0]?.api?.etag).to.equal('"e1"');
  });

  it('refuses unknown fields, bad property keys and empty profiles without sending', async () => {
    const { fake, client } = fakeClient();
    for (const bad of [{ size: 1 }, { properties: { '-x': 'y' } }, { profiles: [''] }]) {
      const err = await rejection(client.images.replace('local', F0, bad));
      expect(err, JSON.stringify(bad)).to.be.instanceOf(ValidationError);
    }
    expect(fake.keys()).to.deep.equal([]);
  });

  it('refuses a bad fingerprint argument, naming it "fp"', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.replace('local', '-x', {}));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'fp');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.update', () => {
  it('PATCHes only the given fields', async () => {
    const { fake, client } = editing();
    await client.images.update('local', F0, { properties: { c: 'd' } });
    expect(fake.keys()).to.deep.equal([IMAGE_KEY, PATCH, IMAGE_KEY]);
    expect(fake.body(PATCH)).to.deep.equal({ properties: { c: 'd' } });
  });

  it('takes a mutator in the options slot', async () => {
    const { client } = editing();
    expect(await client.images.update('local', F0, { public: false }, (i) => i.public)).to.equal(
      false,
    );
  });

  // the daemons ignore `profiles` and `expires_at` in a PATCH
  it('applies profiles as a PUT (the daemon ignores them in a PATCH)', async () => {
    const { fake, client } = editing();
    await client.images.update('local', F0, { profiles: ['other'] });
    expect(fake.keys()).to.deep.equal([IMAGE_KEY, PUT, IMAGE_KEY]);
    expect(fake.body(PUT)).to.deep.include({ profiles: ['other'] });
  });

  it('applies expires_at as a PUT that merges the given properties in', async () => {
    const { fake, client } = editing(EDITED);
    await client.images.update('local', F0, {
      expires_at: '2032-01-01T00:00:00Z',
      properties: { os: 'new' },
    });
    expect(fake.body(PUT)).to.deep.equal({
      auto_update: true,
      public: true,
      profiles: ['other'],
      expires_at: '2032-01-01T00:00:00.000Z',
      properties: { description: 'Test image 0', os: 'new', release: '1.0' },
    });
  });
});

describe('images.delete', () => {
  it('waits by default and resolves to undefined', async () => {
    const { fake, client } = fakeClient();
    fake.on(`DELETE local:/1.0/images/${F0}`, '{"status":"Success"}\n\n');
    const result = await client.images.delete('local', F0).then((value: unknown) => value);
    expect(result).to.equal(undefined);
    expect(fake.keys()).to.deep.equal([`DELETE local:/1.0/images/${F0}`]);
    expect(fake.seen[0]?.request.api?.wait).to.equal(true);
  });

  it('resolves to the running Operation with wait: false', async () => {
    const { fake, client } = fakeClient();
    fake.on(`DELETE local:/1.0/images/${F0}`, fixture('operation-delete.incus.json'));
    const op = await client.images.delete('local', F0, { wait: false });
    expect(fake.seen[0]?.request.api?.wait).to.equal(false);
    expect(op).to.include({ status: 'Running', description: 'Deleting image' });
  });

  it('resolves an alias to its fingerprint first', async () => {
    const { fake, client } = fakeClient();
    fake.on('GET local:/1.0/images/aliases/a', fixture('alias.lxd.json'));
    fake.on(IMAGE_KEY, IMAGE);
    fake.on(`DELETE local:/1.0/images/${F0}`, '');
    await client.images.delete('local', 'a');
    expect(fake.keys().at(-1)).to.equal(`DELETE local:/1.0/images/${F0}`);
  });

  it('rejects NotFoundError when the image is gone', async () => {
    const { fake, client } = fakeClient();
    fake.on(`DELETE local:/1.0/images/${F0}`, cliError('Image not found'));
    expect(await rejection(client.images.delete('local', F0))).to.be.instanceOf(NotFoundError);
  });

  it('is typed Operation with wait: false and undefined otherwise', async () => {
    const { fake, client } = fakeClient();
    fake.on(`DELETE local:/1.0/images/${F0}`, fixture('operation-delete.incus.json'));
    const noWait = client.images.delete('local', F0, { wait: false });
    const waited = client.images.delete('local', F0);
    const waitedToo = client.images.delete('local', F0, { wait: true });
    const id: string = await client.images.delete('local', F0, { wait: false }, (op) => op.id);
    const types: [
      Equal<Awaited<typeof noWait>, Operation>,
      Equal<Awaited<typeof waited>, undefined>,
      Equal<Awaited<typeof waitedToo>, undefined>,
    ] = [true, true, true];
    expect(types).to.deep.equal([true, true, true]);
    expect(await noWait).to.include({ status: 'Running' });
    const results = await Promise.all([waited, waitedToo]).then((values: unknown[]) => values);
    expect(results).to.deep.equal([undefined, undefined]);
    expect(id).to.be.a('string');
    // a mutator of the waiting form gets `undefined`, never an Operation
    // @ts-expect-error the mutator's parameter must accept undefined
    const misuse = () => client.images.delete('local', F0, (op: Operation) => op.id);
    expect(misuse).to.be.a('function');
  });
});

describe('images.getProperty', () => {
  it('reads one key, undefined when absent (also for inherited names)', async () => {
    const { fake, client } = fakeClient();
    fake.on(IMAGE_KEY, IMAGE);
    expect(await client.images.getProperty('local', F0, 'os')).to.equal('testos');
    expect(await client.images.getProperty('local', F0, 'nosuch')).to.equal(undefined);
    expect(await client.images.getProperty('local', F0, 'constructor')).to.equal(undefined);
  });

  it('refuses a bad key without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.getProperty('local', F0, 'a b'));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'key');
    expect(fake.keys()).to.deep.equal([]);
  });
});

describe('images.setProperty', () => {
  it('PATCHes one key and resolves to the image read back', async () => {
    const { fake, client } = editing();
    const image = await client.images.setProperty('local', F0, 'user.owner', 'ops team');
    expect(fake.keys()).to.deep.equal([IMAGE_KEY, PATCH, IMAGE_KEY]);
    expect(fake.body(PATCH)).to.deep.equal({ properties: { 'user.owner': 'ops team' } });
    expect(image.fingerprint).to.equal(F0);
  });

  it('sends any text value: newlines, tabs, quotes, non-ASCII', async () => {
    const { fake, client } = editing();
    const value = 'line 1\nline 2\t"quoted" é';
    await client.images.setProperty('local', F0, 'k', value);
    expect(fake.body(PATCH)).to.deep.equal({ properties: { k: value } });
  });

  it('refuses a bad key, a NUL byte or a value over 64 KiB without sending anything', async () => {
    const { fake, client } = fakeClient();
    const errors = [
      await rejection(client.images.setProperty('local', F0, '-k', 'v')),
      await rejection(client.images.setProperty('local', F0, 'k', 'a\u0000b')),
      await rejection(client.images.setProperty('local', F0, 'k', 'x'.repeat(64 * 1024 + 1))),
      await rejection(client.images.setProperty('local', F0, 'k', 5 as unknown as string)),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal([
      'key',
      'value',
      'value',
      'value',
    ]);
    expect(fake.keys()).to.deep.equal([]);
  });

  it('accepts a value of exactly 64 KiB', async () => {
    const { fake, client } = editing();
    await client.images.setProperty('local', F0, 'k', 'x'.repeat(64 * 1024));
    expect(fake.keys()).to.include(PATCH);
  });
});

describe('images.unsetProperty', () => {
  it('PUTs the properties without the key, keeping the rest', async () => {
    const { fake, client } = editing(EDITED);
    await client.images.unsetProperty('local', F0, 'os');
    expect(fake.keys()).to.deep.equal([IMAGE_KEY, PUT, IMAGE_KEY]); // read, PUT, read back
    expect(fake.body(PUT)).to.deep.include({
      properties: { description: 'Test image 0', release: '1.0' },
      profiles: ['other'],
      public: true,
    });
  });

  it('refuses a bad key without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.unsetProperty('local', F0, ''));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'key');
    expect(fake.keys()).to.deep.equal([]);
  });
});
