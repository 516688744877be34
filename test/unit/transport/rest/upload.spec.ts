import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { safeName } from '../../../../lib/transport/rest/download.js';
import { quoted, uploadBody } from '../../../../lib/transport/rest/upload.js';

describe('REST uploads and downloads', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-rest-unit-'));
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('sends a split image as multipart whose Content-Length is its exact size', async () => {
    writeFileSync(join(tmp, 'meta.tar.gz'), 'metadata bytes');
    writeFileSync(join(tmp, 'root "fs".tar.gz'), Buffer.alloc(1000, 7));
    const upload = {
      source: {
        kind: 'files' as const,
        files: [join(tmp, 'meta.tar.gz'), join(tmp, 'root "fs".tar.gz')],
      },
      properties: { os: 'a b', k: 'x&y=z' },
      public: true,
    };
    const { body, length, headers } = await uploadBody(upload, 'X-Incus');
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const sent = Buffer.concat(chunks);
    expect(sent.length).to.equal(length);
    expect(headers['Content-Length']).to.equal(length);
    expect(headers['X-Incus-public']).to.equal('true');
    expect(new URLSearchParams(headers['X-Incus-properties'] as string).get('k')).to.equal('x&y=z');
    const text = sent.toString('latin1');
    expect(text.indexOf('name="metadata"')).to.be.below(text.indexOf('name="rootfs"'));
    expect(text).to.include('filename="root _fs_.tar.gz"');
  });

  it('streams a Readable as octet-stream without a length', async () => {
    const upload = {
      source: { kind: 'stream' as const, stream: Readable.from([Buffer.from('x')]) },
      properties: {},
      public: false,
    };
    const { length, headers } = await uploadBody(upload, 'X-LXD');
    expect(length).to.equal(undefined);
    expect(headers).to.deep.equal({ 'Content-Type': 'application/octet-stream' });
  });

  it('keeps file names in header values printable and quoted', () => {
    expect(quoted('a"b\\c\n图.tar')).to.equal('a_b_c__.tar');
  });

  it('takes a plain file name from the daemon, and nothing that could leave the folder', () => {
    expect(safeName('abc.tar.gz', 'fb')).to.equal('abc.tar.gz');
    expect(safeName('../../etc/passwd', 'fb')).to.equal('passwd');
    expect(safeName('..', 'fb')).to.equal('fb');
    expect(safeName('.hidden', 'fb')).to.equal('fb');
    expect(safeName(undefined, 'fb')).to.equal('fb');
  });
});
