import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { F0, F1, fixture, ok, rejection, stubRunner } from '../../helpers.js';
import { LxcError, ParseError } from '../../../../lib/wire/errors.js';
import type { Stored } from '../../../../lib/wire/request.js';
import { CliTransport } from '../../../../lib/transport/cli/cli-transport.js';
import type { RunOptions } from '../../../../lib/transport/cli/runner.js';

const never = new AbortController().signal;

describe('CliTransport.upload', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs image import with absolute files, properties, --public and the project, in an empty directory', async () => {
    const file = join(tmp, 'image.tar.gz');
    writeFileSync(file, 'data');
    let cwd: string | undefined;
    const run = stubRunner().callsFake((_args, options?: RunOptions) => {
      cwd = options?.cwd;
      return Promise.resolve(ok(`Image imported with fingerprint: ${F0}\n`));
    });
    const reply = await new CliTransport(run).send<Stored>(
      { remote: 'local', project: 'p' },
      {
        upload: {
          source: { kind: 'files', files: [file] },
          properties: { os: 'x y' },
          public: true,
        },
      },
      never,
    );
    expect(reply.data.fingerprint).to.equal(F0);
    expect(run.firstCall.args[0]).to.deep.equal([
      '--debug',
      'image',
      'import',
      file,
      'local:',
      'os=x y',
      '--public',
      '--project=p',
    ]);
    expect(cwd).to.be.a('string').and.not.equal(process.cwd());
    expect(await rejection(access(cwd ?? ''))).to.be.instanceOf(Error); // removed afterwards
  });

  it('spools a stream into a file of its private directory first', async () => {
    let spooled = '';
    const run = stubRunner().callsFake((args) => {
      spooled = readFileSync(args[3] ?? '', 'utf8');
      return Promise.resolve(ok(`Image imported with fingerprint: ${F0}\n`));
    });
    await new CliTransport(run).send(
      { remote: 'local' },
      {
        upload: {
          source: { kind: 'stream', stream: Readable.from(['a', 'b']) },
          properties: {},
          public: false,
        },
      },
      never,
    );
    expect(spooled).to.equal('ab');
  });

  it('rejects ParseError when the output has no fingerprint', async () => {
    const file = join(tmp, 'image.tar.gz');
    writeFileSync(file, 'data');
    const run = stubRunner().resolves(ok('done\n'));
    const err = await rejection(
      new CliTransport(run).send(
        { remote: 'local' },
        { upload: { source: { kind: 'files', files: [file] }, properties: {}, public: false } },
        never,
      ),
    );
    expect(err).to.be.instanceOf(ParseError).with.property('raw', 'done\n');
  });

  it('deletes an image whose data is not the expected fingerprint, and rejects', async () => {
    const file = join(tmp, 'image.tar.gz');
    writeFileSync(file, 'data');
    const run = stubRunner().callsFake((args) => {
      if (args.includes('import'))
        return Promise.resolve(ok(`Image imported with fingerprint: ${F0}\n`));
      if (args.includes(`local:/1.0/images/${F0}`))
        return Promise.resolve(ok(fixture('image.lxd.json')));
      return Promise.resolve(ok(''));
    });
    const upload = {
      source: { kind: 'files' as const, files: [file] },
      properties: {},
      public: false,
    };
    const error = await rejection(
      new CliTransport(run).send(
        { remote: 'local' },
        { upload: { ...upload, fingerprint: F1 } },
        never,
      ),
    );
    expect(error).to.be.instanceOf(LxcError);
    expect((error as Error).message).to.include(`not ${F1}`);
    const argvs = run.getCalls().map((c) => c.args[0].join(' '));
    expect(
      argvs.some((a) => a.includes(`--request=DELETE`) && a.includes(`/1.0/images/${F0}`)),
    ).to.equal(true);
  });

  it('refuses a multipart export stream: the CLI imports files', async () => {
    const run = stubRunner();
    const source = {
      kind: 'stream' as const,
      stream: Readable.from(['x']),
      contentType: 'multipart/form-data; boundary=b',
    };
    const error = await rejection(
      new CliTransport(run).send(
        { remote: 'local' },
        { upload: { source, properties: {}, public: false } },
        never,
      ),
    );
    expect(error).to.be.instanceOf(LxcError);
    expect(run.called).to.equal(false);
  });
});
