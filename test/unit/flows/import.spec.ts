import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { cliError, F0, F1, fixture, OP_ID, operation, rejection } from '../helpers.js';
import { AbortError, RemoteError, ValidationError } from '../../../lib/wire/errors.js';

const IMAGE = fixture('image.lxd.json');
// an alias of another image (one that points at the image already is not written again)
const ALIAS = fixture('alias.lxd.json').replace(F0, F1);
const RUNNING = operation();
const done = (metadata: Record<string, unknown> = {}) =>
  operation({ status: 'Success', status_code: 200, metadata });

describe('images.import', () => {
  let tmp: string;
  let file: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
    file = join(tmp, 'image.tar.gz');
    writeFileSync(file, 'data');
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('uploads the file with its flags, points the aliases at it and reads it back', async () => {
    const { fake, client } = fakeClient({ project: 'p' });
    fake.uploaded = F0;
    fake.on('POST local:/1.0/images/aliases?project=p', '');
    fake.on(`GET local:/1.0/images/${F0}?project=p`, IMAGE);
    const image = await client.images.import('local', file, {
      aliases: ['a'],
      public: true,
      properties: { os: 'x' },
    });
    expect(image.fingerprint).to.equal(F0);
    expect(fake.uploads).to.have.length(1);
    expect(fake.uploads[0]?.target).to.deep.equal({ remote: 'local', project: 'p' });
    expect(fake.uploads[0]?.upload).to.deep.include({
      source: { kind: 'files', files: [file] },
      properties: { os: 'x' },
      public: true,
    });
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases?project=p',
      `GET local:/1.0/images/${F0}?project=p`,
    ]);
    expect(fake.body('POST local:/1.0/images/aliases?project=p')).to.deep.equal({
      name: 'a',
      target: F0,
    });
  });

  it('hands the upload a progress handler that never goes backwards', async () => {
    const { fake, client } = fakeClient();
    fake.uploaded = F0;
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    const percents: (number | undefined)[] = [];
    await client.images.import('local', file, { onProgress: (e) => percents.push(e.percent) });
    const report = fake.uploads[0]?.upload.onProgress;
    for (const percent of [10, 50, 30, 100]) report?.({ stage: 'import', label: 'x', percent });
    expect(percents).to.deep.equal([10, 50, 100]);
  });

  it('moves an alias that exists to the new image, guarded by its ETag', async () => {
    const { fake, client } = fakeClient();
    fake.uploaded = F0;
    fake.on('POST local:/1.0/images/aliases', cliError('Alias already exists'));
    fake.on('GET local:/1.0/images/aliases/a', { body: ALIAS, etag: '"e1"' });
    fake.on('PUT local:/1.0/images/aliases/a', '');
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    await client.images.import('local', file, { aliases: ['a'] });
    const put = fake.sent('PUT local:/1.0/images/aliases/a')[0]?.api;
    expect(put?.body).to.deep.equal({ target: F0, description: '' });
    expect(put?.etag).to.equal('"e1"');
  });

  it('when aborted in its last steps, puts the moved alias back and deletes the image', async () => {
    const { fake, client } = fakeClient();
    const controller = new AbortController();
    fake.uploaded = F0;
    fake.on('POST local:/1.0/images/aliases', cliError('Alias already exists'));
    fake.on('GET local:/1.0/images/aliases/a', ALIAS);
    fake.on('PUT local:/1.0/images/aliases/a', () => {
      controller.abort();
      return '';
    });
    // the one ownership rule reads the image before deleting it (uploaded since the upload began)
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    fake.on(`DELETE local:/1.0/images/${F0}`, '');
    const error = await rejection(
      client.images.import('local', file, { aliases: ['a'], signal: controller.signal }),
    );
    expect(error).to.be.instanceOf(AbortError);
    expect(fake.keys()).to.deep.equal([
      'POST local:/1.0/images/aliases',
      'GET local:/1.0/images/aliases/a',
      'PUT local:/1.0/images/aliases/a',
      'PUT local:/1.0/images/aliases/a',
      `GET local:/1.0/images/${F0}`,
      `DELETE local:/1.0/images/${F0}`,
    ]);
    const previous = JSON.parse(ALIAS) as { target: string; description: string };
    expect(fake.sent('PUT local:/1.0/images/aliases/a')[1]?.api?.body).to.deep.equal({
      target: previous.target,
      description: previous.description,
    });
    expect(fake.sent(`DELETE local:/1.0/images/${F0}`)[0]?.api?.wait).to.equal(true);
  });

  it('refuses bad flags or a missing file without uploading', async () => {
    const { fake, client } = fakeClient();
    const errors = [
      await rejection(client.images.import('local', file, { aliases: ['-a'] })),
      await rejection(client.images.import('local', join(tmp, 'nosuch'))),
    ];
    expect(errors.map((e) => (e as ValidationError).field)).to.deep.equal(['aliases[0]', 'source']);
    expect(fake.uploads).to.deep.equal([]);
  });
});

describe('images.importFromUrl', () => {
  it('POSTs a url source, waits for the operation and reads the image back', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images', RUNNING);
    fake.on(`GET local:/1.0/operations/${OP_ID}/wait?timeout=30`, done({ fingerprint: F0 }));
    fake.on(`GET local:/1.0/images/${F0}`, IMAGE);
    const image = await client.images.importFromUrl('local', 'https://example.com/i');
    expect(image.fingerprint).to.equal(F0);
    expect(fake.body('POST local:/1.0/images')).to.deep.equal({
      source: { type: 'url', url: 'https://example.com/i' },
      public: false,
      properties: {},
    });
  });

  it('rejects with the classified error of a failed download', async () => {
    const { fake, client } = fakeClient();
    fake.on('POST local:/1.0/images', RUNNING);
    fake.on(
      `GET local:/1.0/operations/${OP_ID}/wait?timeout=30`,
      operation({ status: 'Failure', status_code: 400, err: 'Unable to connect to: example.com' }),
    );
    const err = await rejection(client.images.importFromUrl('local', 'https://example.com/i'));
    expect(err).to.be.instanceOf(RemoteError);
  });

  it('refuses a URL that is not https without sending anything', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.importFromUrl('local', 'http://example.com/i'));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'url');
    expect(fake.keys()).to.deep.equal([]);
  });
});
