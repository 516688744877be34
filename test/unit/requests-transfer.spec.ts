import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { expect } from 'chai';
import { ParseError, ValidationError } from '../../lib/errors.js';
import {
  checkCopy,
  pullRequest,
  pushExportRequest,
  pushTokenRequest,
  type CheckedCopy,
  type CopyFlags,
} from '../../lib/requests/copy.js';
import { exportTarget, finalNames } from '../../lib/requests/export.js';
import {
  checkImageUrl,
  checkImportFlags,
  importedFingerprint,
  undoImport,
  uploadSource,
  urlImportRequest,
} from '../../lib/requests/import.js';
import type { Request } from '../../lib/requests/request.js';
import { ImageSchema, OperationSchema } from '../../lib/schemas.js';
import { F0, fixture, operation, rejection, thrown } from './helpers.js';

const SOURCE = { remote: 'local', project: 'p' };
const op = (fields: Record<string, unknown>) =>
  OperationSchema.parse(JSON.parse(operation(fields)));

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

describe('checkImageUrl', () => {
  it('accepts an https URL', () => {
    expect(checkImageUrl('https://example.com/image?x=1')).to.equal(
      'https://example.com/image?x=1',
    );
  });

  it('refuses http, spaces, control characters, non-URLs and non-strings', () => {
    for (const bad of ['http://example.com/i', 'https://a b', 'https://a\n', 'nope', 5]) {
      expect(
        thrown(() => checkImageUrl(bad)),
        String(bad),
      )
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'url');
    }
  });
});

describe('urlImportRequest', () => {
  it("POSTs a url source with the flags' public and properties", () => {
    const request = urlImportRequest('https://example.com/i', checkImportFlags({ public: true }));
    expect(request).to.deep.include({
      method: 'POST',
      path: '/1.0/images',
      body: { source: { type: 'url', url: 'https://example.com/i' }, public: true, properties: {} },
    });
  });
});

describe('importedFingerprint', () => {
  it("reads the operation's metadata.fingerprint", () => {
    expect(importedFingerprint(op({ metadata: { fingerprint: F0 } }), 'local')).to.equal(F0);
  });

  it('throws ParseError when it is missing or not a full fingerprint', () => {
    for (const metadata of [{}, { fingerprint: 'a50c' }]) {
      expect(thrown(() => importedFingerprint(op({ metadata }), 'local')))
        .to.be.instanceOf(ParseError)
        .with.property('remote', 'local');
    }
  });
});

describe('undoImport', () => {
  // A send that answers the image read with `uploaded` as its upload time.
  const sender = (sent: Request[], uploaded: string) => (request: Request) => {
    sent.push(request);
    const image = { ...(JSON.parse(fixture('image.lxd.json')) as object), uploaded_at: uploaded };
    return Promise.resolve(
      (request.api?.method === 'GET' ? ImageSchema.parse(image) : undefined) as never,
    );
  };
  const CREATED = '2026-01-01T10:00:00.5Z';

  it('deletes the image the operation made (uploaded since it began), waiting', async () => {
    const sent: Request[] = [];
    const made = op({ metadata: { fingerprint: F0 }, created_at: CREATED });
    await undoImport(made, sender(sent, '2026-01-01T10:00:00.5Z'));
    expect(sent.map((r) => [r.api?.method, r.api?.path, r.api?.wait])).to.deep.equal([
      ['GET', `/1.0/images/${F0}`, undefined],
      ['DELETE', `/1.0/images/${F0}`, true],
    ]);
  });

  it('keeps an image uploaded before the operation began (a URL import of an image it had)', async () => {
    const sent: Request[] = [];
    const made = op({ metadata: { fingerprint: F0 }, created_at: CREATED });
    await undoImport(made, sender(sent, '2026-01-01T09:59:59Z'));
    expect(sent.map((r) => r.api?.method)).to.deep.equal(['GET']);
  });

  it('does nothing for an operation without a fingerprint', async () => {
    let sent = 0;
    await undoImport(op({ metadata: {} }), () => {
      sent++;
      return Promise.resolve(undefined as never);
    });
    expect(sent).to.equal(0);
  });
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

describe('pullRequest', () => {
  const source = { servers: ['https://10.0.0.1:8443'], certificate: 'CERT', protocol: 'lxd' };
  const copy = (flags = {}): CheckedCopy => checkCopy(SOURCE, 'r', flags);

  it('asks the target to pull a private image with its secret from the source project', () => {
    const request = pullRequest(
      source,
      'https://10.0.0.1:8443',
      { fingerprint: F0, secret: 's', project: 'p' },
      copy({ public: true, autoUpdate: true }),
    );
    expect(request).to.deep.include({
      method: 'POST',
      path: '/1.0/images',
      body: {
        source: {
          type: 'image',
          mode: 'pull',
          server: 'https://10.0.0.1:8443',
          protocol: 'lxd',
          certificate: 'CERT',
          fingerprint: F0,
          secret: 's',
          project: 'p',
        },
        public: true,
        auto_update: true,
      },
    });
  });

  it('leaves out the secret and project when there are none, and names a VM image type', () => {
    const request = pullRequest(
      { servers: ['https://images.example'], certificate: '', protocol: 'simplestreams' },
      'https://images.example',
      { fingerprint: 'alpine/3.19' },
      copy({ vm: true }),
    );
    expect((request.body as { source: object }).source).to.deep.equal({
      type: 'image',
      mode: 'pull',
      server: 'https://images.example',
      protocol: 'simplestreams',
      certificate: '',
      fingerprint: 'alpine/3.19',
      image_type: 'virtual-machine',
    });
  });
});

describe('pushTokenRequest', () => {
  it('asks the target for a push token', () => {
    expect(pushTokenRequest(F0, checkCopy(SOURCE, 'r', { mode: 'push' }))).to.deep.include({
      method: 'POST',
      path: '/1.0/images',
      body: { source: { fingerprint: F0, mode: 'push' }, public: false },
    });
  });
});

describe('pushExportRequest', () => {
  it('asks the source to push the image to the target, into its project when named', () => {
    const target = { url: 'https://10.0.0.2:8443', certificate: 'C', secret: 'S' };
    expect(pushExportRequest(F0, { ...target, project: 'q' })).to.deep.include({
      method: 'POST',
      path: `/1.0/images/${F0}/export`,
      body: { target: 'https://10.0.0.2:8443', certificate: 'C', secret: 'S', project: 'q' },
    });
    expect(pushExportRequest(F0, { ...target, project: undefined }).body).to.deep.equal({
      target: 'https://10.0.0.2:8443',
      certificate: 'C',
      secret: 'S',
    });
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
