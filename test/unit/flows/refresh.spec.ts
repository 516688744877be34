import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, F0, OP_ID, operation, rejection } from '../helpers.js';
import { ValidationError } from '../../../lib/wire/errors.js';

const RUNNING = operation();
const done = (metadata: Record<string, unknown> = {}) =>
  operation({ status: 'Success', status_code: 200, metadata });

describe('images.refresh', () => {
  it('POSTs the refresh, waits and says whether a newer version came', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/refresh`, RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done({ refreshed: true }));
    expect(await client.images.refresh('local', F0)).to.deep.equal({ refreshed: true });
  });

  it('resolves refreshed: false when the operation does not say so', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/refresh`, RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done());
    expect(await client.images.refresh('local', F0)).to.deep.equal({ refreshed: false });
  });

  it('keeps "Image source not found" (a local image) a plain LxcError', async () => {
    const { fake, client } = fakeClient();
    fake.on(`POST local:/1.0/images/${F0}/refresh`, cliError('Image source not found'));
    const err = await rejection(client.images.refresh('local', F0));
    expect(err).to.have.property('name', 'LxcError');
  });
});

describe('onProgress', () => {
  it('must be a function in every transfer, checked before anything is sent', async () => {
    const { fake, client } = fakeClient();
    const bad = { onProgress: 'log' as unknown as () => void };
    const attempts = [
      client.images.import('local', Buffer.from('x'), bad),
      client.images.importFromUrl('local', 'https://example.com/i', bad),
      client.images.copy('local', F0, 'r', bad),
      client.images.export('local', F0, tmpdir(), bad),
      client.images.refresh('local', F0, bad),
    ];
    for (const attempt of attempts)
      expect(await rejection(attempt))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'onProgress');
    expect(fake.keys()).to.deep.equal([]);
    expect(fake.uploads).to.deep.equal([]);
  });
});
