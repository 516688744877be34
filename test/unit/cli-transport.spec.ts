import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import sinon from 'sinon';
import { z } from 'zod';
import type { Send } from '../../lib/call/operation.js';
import { AbortError, LxcError, ParseError, ValidationError } from '../../lib/errors.js';
import type { ApiRequest } from '../../lib/requests/request.js';
import { ImageSchema } from '../../lib/schemas.js';
import { CliTransport } from '../../lib/transport/cli/cli-transport.js';
import { MAX_ARG_BYTES, parseQueryOutput, queryArgs } from '../../lib/transport/cli/query.js';
import type { Runner, RunOptions } from '../../lib/transport/cli/runner.js';
import { runWatched } from '../../lib/transport/cli/watchdog.js';
import { FakeTransport } from './fake-transport.js';
import { F0, fixture, ok, OP_ID, operation, rejection, stubRunner, thrown } from './helpers.js';

const post = (body: unknown): ApiRequest => ({
  method: 'POST',
  path: '/1.0/images',
  body,
  schema: z.unknown(),
});
const never = new AbortController().signal;

describe('queryArgs', () => {
  it('builds a plain GET as query remote:path', () => {
    expect(
      queryArgs({ remote: 'local' }, { method: 'GET', path: '/1.0', schema: z.unknown() }),
    ).to.deep.equal(['query', 'local:/1.0']);
  });

  it('adds --request, --wait and --data (JSON) before remote:path', () => {
    const request = { ...post({ a: 'x y' }), wait: true };
    expect(queryArgs({ remote: 'r' }, request)).to.deep.equal([
      'query',
      '--request=POST',
      '--wait',
      '--data={"a":"x y"}',
      'r:/1.0/images',
    ]);
  });

  it('adds the query and the project to the path', () => {
    const request: ApiRequest = {
      method: 'DELETE',
      path: '/1.0/images/aliases/x%2Fy',
      query: { a: 'b' },
      schema: z.unknown(),
    };
    expect(queryArgs({ remote: 'r', project: 'p' }, request)).to.deep.equal([
      'query',
      '--request=DELETE',
      'r:/1.0/images/aliases/x%2Fy?a=b&project=p',
    ]);
  });

  it('sends a body of up to 128 KiB as one argument', () => {
    // `--data={"a":"…"}` is 15 bytes more than the string
    const args = queryArgs({ remote: 'r' }, post({ a: 'x'.repeat(MAX_ARG_BYTES - 15) }));
    expect(Buffer.byteLength(args[2] ?? '')).to.equal(MAX_ARG_BYTES);
  });

  it('refuses a body over 128 KiB with ValidationError', () => {
    const err = thrown(() =>
      queryArgs({ remote: 'r' }, post({ a: 'x'.repeat(MAX_ARG_BYTES - 14) })),
    );
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'body');
    expect((err as Error).message).to.match(/128 KiB/);
  });

  it('refuses a BigInt or a cyclic body with ValidationError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const body of [{ n: 1n }, cyclic]) {
      expect(thrown(() => queryArgs({ remote: 'r' }, post(body))))
        .to.be.instanceOf(ValidationError)
        .with.property('field', 'body');
    }
  });
});

describe('parseQueryOutput', () => {
  const image: ApiRequest = { method: 'GET', path: '/x', schema: ImageSchema };

  it('parses the tab-indented JSON of lxc query (ending in \\n\\n)', () => {
    expect(parseQueryOutput(image, fixture('image.lxd.json'), 'local')).to.have.property(
      'fingerprint',
      F0,
    );
  });

  it('reads empty output as null', () => {
    expect(parseQueryOutput(post(undefined), '\n', 'local')).to.equal(null);
  });

  it('throws ParseError keeping raw and the remote for output that is not JSON', () => {
    const raw = 'Image exported successfully!\n';
    const err = thrown(() => parseQueryOutput(post(undefined), raw, 'local'));
    expect(err).to.be.instanceOf(ParseError);
    expect(err).to.include({ raw, remote: 'local' });
    expect((err as ParseError).cause).to.be.instanceOf(SyntaxError);
  });

  it('throws ParseError keeping raw for JSON that does not fit the schema', () => {
    const raw = '{"fingerprint": "nope"}';
    expect(() => parseQueryOutput(image, raw, 'local'))
      .to.throw(ParseError, /does not match the schema/)
      .with.property('raw', raw);
  });
});

describe('CliTransport.send', () => {
  it('runs lxc query for a REST request, with the signal and the remote', async () => {
    const run = stubRunner().resolves(ok('{\n\t"a": 1\n}\n\n'));
    const signal = new AbortController().signal;
    const reply = await new CliTransport(run, 'lxd').send(
      { remote: 'r', project: 'p' },
      { api: { ...post({ k: 'v' }), wait: true } },
      signal,
    );
    expect(reply).to.deep.equal({ data: { a: 1 } });
    sinon.assert.calledOnceWithMatch(
      run,
      ['query', '--request=POST', '--wait', '--data={"k":"v"}', 'r:/1.0/images?project=p'],
      { signal, remote: 'r' },
    );
  });

  it("hands the body's secret values to the runner, to be masked", async () => {
    const run = stubRunner();
    const body = { source: { secret: 's3cr3t', certificate: 'C' }, password: 'pw' };
    await new CliTransport(run, 'lxd').send({ remote: 'r' }, { api: post(body) }, never);
    expect(run.firstCall.args[1]?.secrets).to.have.members(['s3cr3t', 'pw']);
  });

  it('runs the CLI form when the request has one, with --project= at the end', async () => {
    const run = stubRunner().resolves(ok('[]'));
    const request = {
      api: post(undefined),
      cli: { args: ['image', 'list', 'r:', '--format=json'], parse: (s: string) => s.length },
    };
    const reply = await new CliTransport(run, 'lxd').send(
      { remote: 'r', project: 'p' },
      request,
      never,
    );
    expect(reply.data).to.equal(2);
    expect(run.firstCall.args[0]).to.deep.equal([
      'image',
      'list',
      'r:',
      '--format=json',
      '--project=p',
    ]);
  });

  it('runs image alias list for the aliases of a simplestreams remote', async () => {
    const { aliasListRequest } = await import('../../lib/requests/aliases.js');
    const run = stubRunner().resolves(ok(fixture('aliases.lxd.json')));
    const reply = await new CliTransport(run, 'lxd').send(
      { remote: 'images' },
      aliasListRequest('images', true),
      never,
    );
    expect(reply.data.map((a) => a.name)).to.deep.equal(['a', 't0', 'zz2']);
    expect(run.firstCall.args[0]).to.deep.equal([
      'image',
      'alias',
      'list',
      'images:',
      '--format=json',
    ]);
  });

  it('rejects with the runner error unchanged', async () => {
    const boom = new Error('boom');
    const run = stubRunner().rejects(boom);
    const err = await rejection(
      new CliTransport(run, 'lxd').send({ remote: 'r' }, { api: post(undefined) }, never),
    );
    expect(err).to.equal(boom);
  });

  it('rejects a request with neither form without running anything', async () => {
    const run = stubRunner();
    const err = await rejection(new CliTransport(run, 'lxd').send({ remote: 'r' }, {}, never));
    expect(err).to.be.instanceOf(LxcError);
    sinon.assert.notCalled(run);
  });
});

describe('CliTransport.listRemotes', () => {
  it('runs remote list --format=json and turns the map into remotes', async () => {
    const run = stubRunner().resolves(ok(fixture('remote-list.lxd.json')));
    const remotes = await new CliTransport(run, 'lxd').listRemotes(never);
    expect(run.firstCall.args[0]).to.deep.equal(['remote', 'list', '--format=json']);
    expect(remotes.find((r) => r.name === 'local')?.protocol).to.equal('lxd');
  });

  it("gives the built-in local remote the client's protocol", async () => {
    const run = stubRunner().resolves(ok(fixture('remote-list.incus.json')));
    const remotes = await new CliTransport(run, 'incus').listRemotes(never);
    expect(remotes.find((r) => r.name === 'local')).to.deep.include({
      url: 'unix://',
      protocol: 'incus',
      static: true,
    });
  });
});

describe('CliTransport.download', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs image export remote:fp dir/ and resolves to the files written', async () => {
    const run = stubRunner().callsFake((_args, options?: RunOptions) => {
      options?.onLine?.('Exporting the image: 50% (1MB/s)');
      writeFileSync(join(tmp, 'x.tar.gz'), 'data');
      return Promise.resolve(ok(''));
    });
    const events: unknown[] = [];
    const names = await new CliTransport(run, 'lxd').download(
      { remote: 'r', project: 'p' },
      { fingerprint: F0, dir: tmp, onProgress: (e) => events.push(e) },
      never,
    );
    expect(names).to.deep.equal(['x.tar.gz']);
    expect(run.firstCall.args[0]).to.deep.equal([
      'image',
      'export',
      `r:${F0}`,
      `${tmp}/`,
      '--project=p',
    ]);
    expect(events).to.deep.equal([
      { stage: 'export', label: 'Exporting the image', percent: 50, speed: 1_000_000 },
    ]);
  });
});

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
    const fp = await new CliTransport(run, 'lxd').upload(
      { remote: 'local', project: 'p' },
      {
        source: { kind: 'files', files: [file] },
        properties: { os: 'x y' },
        public: true,
      },
      never,
    );
    expect(fp).to.equal(F0);
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
    await new CliTransport(run, 'lxd').upload(
      { remote: 'local' },
      {
        source: { kind: 'stream', stream: Readable.from(['a', 'b']) },
        properties: {},
        public: false,
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
      new CliTransport(run, 'lxd').upload(
        { remote: 'local' },
        { source: { kind: 'files', files: [file] }, properties: {}, public: false },
        never,
      ),
    );
    expect(err).to.be.instanceOf(ParseError).with.property('raw', 'done\n');
  });
});

describe('CliTransport.relay', () => {
  it('runs image copy --mode=relay with the source and target projects', async () => {
    const run = stubRunner();
    await new CliTransport(run, 'lxd').relay(
      { remote: 'local', project: 'p' },
      { fingerprint: F0, to: { remote: 'r', project: 'q' }, public: true },
      never,
    );
    expect(run.firstCall.args[0]).to.deep.equal([
      '--debug',
      'image',
      'copy',
      `local:${F0}`,
      'r:',
      '--mode=relay',
      '--public',
      '--project=p',
      '--target-project=q',
    ]);
  });
});

describe('runWatched', function () {
  this.timeout(10_000);
  const WAIT = `GET local:/1.0/operations/${OP_ID}/wait?timeout=30`;
  const line = `DEBUG [...] Sending request to LXD method=GET url=http://unix.socket/1.0/operations/${OP_ID}`;

  // A client that prints its operation URL, then waits until it is killed.
  const stuck: Runner = (_args, options = {}) =>
    new Promise((_resolve, reject) => {
      options.onErrorLine?.(line);
      options.signal?.addEventListener('abort', () => {
        reject(new AbortError('killed'));
      });
    });

  function fakeSend(): { fake: FakeTransport; send: Send } {
    const fake = new FakeTransport();
    return { fake, send: (target, request, signal) => fake.send(target, request, signal) };
  }

  it('resolves to what the client printed when it exits by itself', async () => {
    const { send } = fakeSend();
    const run = stubRunner().resolves(ok('out'));
    const watched = await runWatched(
      run,
      send,
      ['image', 'import'],
      { signal: never },
      {
        remote: 'local',
      },
    );
    expect(watched).to.deep.equal({ result: { stdout: 'out', stderr: '' } });
    expect(run.firstCall.args[0]).to.deep.equal(['--debug', 'image', 'import']);
  });

  it('takes the outcome from the operation when the client misses its end (LXD 5.0.2)', async () => {
    const { fake, send } = fakeSend();
    fake.on(
      WAIT,
      operation({ status: 'Success', status_code: 200, metadata: { fingerprint: F0 } }),
    );
    const watched = await runWatched(
      stuck,
      send,
      ['image', 'import'],
      { signal: never },
      {
        remote: 'local',
      },
    );
    expect(watched.operation?.metadata).to.deep.equal({ fingerprint: F0 });
  });

  it("rejects with the operation's error when it failed and the client hangs", async () => {
    const { fake, send } = fakeSend();
    fake.on(WAIT, operation({ status: 'Failure', status_code: 400, err: 'Image not found' }));
    const err = await rejection(
      runWatched(stuck, send, ['image', 'import'], { signal: never }, { remote: 'local' }),
    );
    expect(err).to.have.property('name', 'NotFoundError');
  });

  it('cancels the operation and undoes it when the caller aborts', async () => {
    const { fake, send } = fakeSend();
    fake.on(
      WAIT,
      (_k, _r, signal) =>
        new Promise<string>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            reject(new AbortError('stopped'));
          });
        }),
    );
    fake.on(
      `GET local:/1.0/operations/${OP_ID}`,
      operation({ status: 'Success', status_code: 200 }),
    );
    const controller = new AbortController();
    let undone = false;
    const pending = rejection(
      runWatched(
        stuck,
        send,
        ['image', 'import'],
        { signal: controller.signal },
        { remote: 'local' },
        () => {
          undone = true;
          return Promise.resolve();
        },
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await pending).to.be.instanceOf(AbortError);
    expect(undone).to.equal(true);
  });
});
