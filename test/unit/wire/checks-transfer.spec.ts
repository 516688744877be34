import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { expect } from 'chai';
import { rejection, thrown } from '../helpers.js';
import {
  checkCopy,
  checkImportFlags,
  type CopyFlags,
  exportTarget,
  uploadSource,
} from '../../../lib/wire/checks-transfer.js';
import { ValidationError } from '../../../lib/wire/errors.js';

const SOURCE = { remote: 'local', project: 'p' };

describe('uploadSource', () => {
  let tmp: string;
  let file: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
    file = join(tmp, 'image.tar.gz');
    writeFileSync(file, 'data');
    writeFileSync(join(tmp, 'rootfs.squashfs'), 'root');
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('takes a path as one file, made absolute', async () => {
    expect(await uploadSource(relative(process.cwd(), file))).to.deep.equal({
      kind: 'files',
      files: [file],
    });
  });

  it('takes {metadata, rootfs} as two files, metadata first', async () => {
    const rootfs = join(tmp, 'rootfs.squashfs');
    expect(await uploadSource({ metadata: file, rootfs })).to.deep.equal({
      kind: 'files',
      files: [file, rootfs],
    });
  });

  it('takes bytes as a stream of them', async () => {
    const source = await uploadSource(new TextEncoder().encode('bytes'));
    expect(source.kind).to.equal('stream');
    expect(source.kind === 'stream' && (await text(source.stream))).to.equal('bytes');
  });

  it('takes a Readable as it is', async () => {
    const stream = Readable.from(['x']);
    expect(await uploadSource(stream)).to.deep.equal({ kind: 'stream', stream });
  });

  it('refuses a path that is missing or not a file, naming the field', async () => {
    const missing = await rejection(uploadSource(join(tmp, 'nosuch')));
    const dir = await rejection(uploadSource(tmp));
    const rootfs = await rejection(uploadSource({ metadata: file, rootfs: join(tmp, 'no') }));
    expect(missing).to.be.instanceOf(ValidationError).with.property('field', 'source');
    expect(dir).to.be.instanceOf(ValidationError).with.property('field', 'source');
    expect(rootfs).to.be.instanceOf(ValidationError).with.property('field', 'source.rootfs');
  });

  it('refuses anything else', async () => {
    for (const bad of [42, {}, null, ''] as unknown as string[]) {
      expect(await rejection(uploadSource(bad)), JSON.stringify(bad))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'source');
    }
  });
});

describe('checkImportFlags', () => {
  it('applies the defaults', () => {
    expect(checkImportFlags({})).to.deep.equal({
      aliases: [],
      public: false,
      properties: {},
      onProgress: undefined,
    });
  });

  it('keeps valid flags', () => {
    const onProgress = () => undefined;
    expect(
      checkImportFlags({ aliases: ['a/b'], public: true, properties: { os: 'x' }, onProgress }),
    ).to.deep.equal({ aliases: ['a/b'], public: true, properties: { os: 'x' }, onProgress });
  });

  for (const [flags, field] of [
    [{ aliases: ['ok', '-bad'] }, 'aliases[1]'],
    [{ aliases: 'a' }, 'aliases'],
    [{ public: 1 }, 'public'],
    [{ properties: { k: 'a\u0000' } }, 'properties.k'],
  ] as const) {
    it(`refuses ${JSON.stringify(flags)} naming ${field}`, () => {
      expect(thrown(() => checkImportFlags(flags as object)))
        .to.be.instanceOf(ValidationError)
        .with.property('field', field);
    });
  }
});

describe('checkCopy', () => {
  it('applies the defaults: pull, the same project on the target, a container', () => {
    expect(checkCopy(SOURCE, 'r', {})).to.deep.equal({
      to: { remote: 'r', project: 'p' },
      mode: 'pull',
      aliases: [],
      copyAliases: false,
      autoUpdate: false,
      public: false,
      profiles: undefined,
      type: 'container',
      onProgress: undefined,
    });
  });

  it('takes the target project, the mode, the profiles and vm', () => {
    const checked = checkCopy(SOURCE, 'r', {
      targetProject: 'q',
      mode: 'push',
      profiles: ['default'],
      vm: true,
      aliases: ['a'],
      copyAliases: true,
      public: true,
    });
    expect(checked).to.deep.include({
      to: { remote: 'r', project: 'q' },
      mode: 'push',
      profiles: ['default'],
      type: 'virtual-machine',
      aliases: ['a'],
      copyAliases: true,
      public: true,
    });
  });

  for (const [targetRemote, flags, field] of [
    ['-r', {}, 'targetRemote'],
    ['r', { mode: 'fast' }, 'mode'],
    ['r', { autoUpdate: true, mode: 'push' }, 'autoUpdate'],
    ['r', { autoUpdate: true, mode: 'relay' }, 'autoUpdate'],
    ['r', { targetProject: 'a/b' }, 'targetProject'],
    ['r', { profiles: ['-x'] }, 'profiles[0]'],
    ['r', { aliases: [''] }, 'aliases[0]'],
    ['r', { vm: 'yes' }, 'vm'],
  ] as const) {
    it(`refuses ${JSON.stringify({ targetRemote, ...flags })} naming ${field}`, () => {
      expect(thrown(() => checkCopy(SOURCE, targetRemote, flags as unknown as CopyFlags)))
        .to.be.instanceOf(ValidationError)
        .with.property('field', field);
    });
  }

  it('allows autoUpdate in pull mode', () => {
    expect(checkCopy(SOURCE, 'r', { autoUpdate: true }).autoUpdate).to.equal(true);
  });
});

describe('exportTarget', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
    mkdirSync(join(tmp, 'dir'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes into a directory that exists', async () => {
    expect(await exportTarget(join(tmp, 'dir'))).to.deep.equal({ dir: join(tmp, 'dir') });
  });

  it('writes to a file path whose folder exists, made absolute', async () => {
    const file = join(tmp, 'dir', 'image.tar.gz');
    expect(await exportTarget(relative(process.cwd(), file))).to.deep.equal({
      dir: join(tmp, 'dir'),
      file,
    });
  });

  it('refuses a file path whose folder is missing', async () => {
    const err = await rejection(exportTarget(join(tmp, 'nosuch', 'image.tar.gz')));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'destination');
  });

  it('accepts a file name of 255 bytes and refuses a longer one', async () => {
    const ok = await exportTarget(join(tmp, 'x'.repeat(255)));
    const err = await rejection(exportTarget(join(tmp, 'x'.repeat(256))));
    expect(ok.file).to.equal(join(tmp, 'x'.repeat(255)));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'destination');
  });

  it('refuses an empty path', async () => {
    expect(await rejection(exportTarget(''))).to.be.instanceOf(ValidationError);
  });
});
