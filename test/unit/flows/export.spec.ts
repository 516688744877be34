import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fakeClient } from '../fake-transport.js';
import { F0, rejection } from '../helpers.js';
import { finalNames } from '../../../lib/flows/export.js';
import { ParseError, ValidationError } from '../../../lib/wire/errors.js';

describe('images.export', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("writes a unified image into a directory under the server's name", async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { [`${F0}.tar.gz`]: 'unified' };
    const result = await client.images.export('local', F0, tmp);
    expect(result).to.deep.equal({ fingerprint: F0, files: [join(tmp, `${F0}.tar.gz`)] });
    expect(readdirSync(tmp)).to.deep.equal([`${F0}.tar.gz`]);
    expect(fake.downloads[0]?.download.fingerprint).to.equal(F0);
  });

  it('writes a split image to <file> (metadata) and <file>.root (rootfs)', async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { [`${F0}.squashfs`]: 'rootfs', [`meta-${F0}.tar.xz`]: 'meta' };
    const file = join(tmp, 'alpine');
    const result = await client.images.export('local', F0, file);
    expect(result.files).to.deep.equal([file, `${file}.root`]);
    expect(readFileSync(file, 'utf8')).to.equal('meta');
    expect(readFileSync(`${file}.root`, 'utf8')).to.equal('rootfs');
    expect(readdirSync(tmp).sort()).to.deep.equal(['alpine', 'alpine.root']);
  });

  it('refuses a split image whose <file>.root name is too long, leaving nothing behind', async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { [`${F0}.squashfs`]: 'rootfs', [`meta-${F0}.tar.xz`]: 'meta' };
    const err = await rejection(client.images.export('local', F0, join(tmp, 'x'.repeat(252))));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'destination');
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('rejects ParseError for an export of more than two files, leaving nothing behind', async () => {
    const { fake, client } = fakeClient();
    fake.downloadFiles = { a: '1', b: '2', c: '3' };
    expect(await rejection(client.images.export('local', F0, tmp))).to.be.instanceOf(ParseError);
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('refuses a destination whose folder is missing without downloading', async () => {
    const { fake, client } = fakeClient();
    const err = await rejection(client.images.export('local', F0, join(tmp, 'no', 'x')));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'destination');
    expect(fake.downloads).to.deep.equal([]);
  });
});

describe('finalNames', () => {
  it("keeps the server's names in a directory", () => {
    expect(finalNames(['meta-x.tar.xz', 'x.squashfs'], '/d', undefined)).to.deep.equal([
      '/d/meta-x.tar.xz',
      '/d/x.squashfs',
    ]);
  });

  it('names a unified file <file>, and a split rootfs <file>.root', () => {
    expect(finalNames(['x.tar.gz'], '/d', '/d/a.tar.gz')).to.deep.equal(['/d/a.tar.gz']);
    expect(finalNames(['meta-x.tar.xz', 'x.squashfs'], '/d', '/d/a')).to.deep.equal([
      '/d/a',
      '/d/a.root',
    ]);
  });
});
