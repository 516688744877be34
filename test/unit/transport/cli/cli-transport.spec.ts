import sinon from 'sinon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { z } from 'zod';
import { F0, fixture, ok, rejection, stubRunner } from '../../helpers.js';
import { LxcError } from '../../../../lib/wire/errors.js';
import type { ApiRequest } from '../../../../lib/wire/request.js';
import { CliTransport } from '../../../../lib/transport/cli/cli-transport.js';
import type { RunOptions } from '../../../../lib/transport/cli/runner.js';

const post = (body: unknown): ApiRequest => ({
  method: 'POST',
  path: '/1.0/images',
  body,
  schema: z.unknown(),
});
const never = new AbortController().signal;

describe('CliTransport.send', () => {
  it('runs lxc query for a REST request, with the signal and the remote', async () => {
    const run = stubRunner().resolves(ok('{\n\t"a": 1\n}\n\n'));
    const signal = new AbortController().signal;
    const reply = await new CliTransport(run).send(
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
    await new CliTransport(run).send({ remote: 'r' }, { api: post(body) }, never);
    expect(run.firstCall.args[1]?.secrets).to.have.members(['s3cr3t', 'pw']);
  });

  it('runs the CLI form when the request has one, with --project= at the end', async () => {
    const run = stubRunner().resolves(ok('[]'));
    const request = {
      api: post(undefined),
      cli: { args: ['image', 'list', 'r:', '--format=json'], parse: (s: string) => s.length },
    };
    const reply = await new CliTransport(run).send({ remote: 'r', project: 'p' }, request, never);
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
    const { aliasListRequest } = await import('../../../../lib/requests/aliases.js');
    const run = stubRunner().resolves(ok(fixture('aliases.lxd.json')));
    const reply = await new CliTransport(run).send(
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
      new CliTransport(run).send({ remote: 'r' }, { api: post(undefined) }, never),
    );
    expect(err).to.equal(boom);
  });

  it('rejects a request with neither form without running anything', async () => {
    const run = stubRunner();
    const err = await rejection(new CliTransport(run).send({ remote: 'r' }, {}, never));
    expect(err).to.be.instanceOf(LxcError);
    sinon.assert.notCalled(run);
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
    const { data: names } = await new CliTransport(run).send(
      { remote: 'r', project: 'p' },
      { download: { fingerprint: F0, dir: tmp, onProgress: (e) => events.push(e) } },
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

describe('CliTransport.relay', () => {
  it('runs image copy --mode=relay with the source and target projects', async () => {
    const run = stubRunner();
    await new CliTransport(run).send(
      { remote: 'local', project: 'p' },
      { relay: { fingerprint: F0, to: { remote: 'r', project: 'q' }, public: true } },
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
