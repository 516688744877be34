import { expect } from 'chai';
import sinon from 'sinon';
import {
  AbortError,
  BinaryNotFoundError,
  NotFoundError,
  RemoteError,
  TimeoutError,
  ValidationError,
  type Runner,
} from '../../lib/index.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { startSandbox, type Sandbox } from '../../lib/testing/index.js';
import { BINARIES, newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { processesWith, rejectionOf } from '../support/procs.js';

eachDaemon('foundation', function (d) {
  let sandbox: Sandbox;
  before(function () {
    sandbox = d.sandbox;
  });

  // A long-running operation: an image secret's token stays running until it is used.
  async function tokenOperation(): Promise<string> {
    const image = await newImage();
    await sandbox.run(['image', 'import', image.path]);
    const op = await d.client.query<{ id: string }>(
      'local',
      `/1.0/images/${image.fingerprint}/secret`,
      {
        method: 'POST',
      },
      (value) => value as { id: string },
    );
    return op.id;
  }

  it('query("local", "/1.0") returns the server', async function () {
    const server = await d.client.query(
      'local',
      '/1.0',
      (value) => value as Record<string, unknown>,
    );
    expect(server.api_version).to.equal('1.0');
    expect(server.api_extensions).to.be.an('array').that.is.not.empty;
  });

  it('rejects a missing image with NotFoundError', async function () {
    const error = await rejectionOf(d.client.images.info('local', 'f'.repeat(64)));
    expect(error).to.be.instanceOf(NotFoundError);
    expect((error as NotFoundError).message)
      .to.match(/not found/i)
      .and.not.match(/^Error:/);
    if (d.transport === 'cli') expect((error as NotFoundError).exitCode).to.equal(1);
    else expect((error as NotFoundError).status).to.equal(404);
    expect((error as NotFoundError).remote).to.equal('local');
  });

  it('rejects an unknown remote with RemoteError', async function () {
    const error = await rejectionOf(d.client.images.list('nosuchremote'));
    expect(error).to.be.instanceOf(RemoteError);
    expect((error as RemoteError).message).to.include('nosuchremote');
  });

  it('rejects a missing binary with BinaryNotFoundError', async function () {
    const client = d.clientFor(sandbox, { binary: `/nonexistent/${d.binary}` });
    // the REST transport needs the binary only for what the CLI serves, such as the remote list
    const error = await rejectionOf(
      d.transport === 'cli' ? client.query('local', '/1.0') : client.remotes.list(),
    );
    expect(error).to.be.instanceOf(BinaryNotFoundError);
  });

  it('kills the child on timeout (TimeoutError, no process left)', async function () {
    const id = await tokenOperation();
    const error = await rejectionOf(d.client.operations.wait('local', id, { timeout: 700 }));
    expect(error).to.be.instanceOf(TimeoutError);
    expect(await processesWith(id)).to.deep.equal([]);
    await d.client.operations.cancel('local', id);
  });

  it('kills the child on abort (AbortError, no process left)', async function () {
    const id = await tokenOperation();
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 500);
    const error = await rejectionOf(
      d.client.operations.wait('local', id, { signal: controller.signal }),
    );
    expect(error).to.be.instanceOf(AbortError);
    expect(await processesWith(id)).to.deep.equal([]);
    const already = await rejectionOf(
      d.client.operations.info('local', id, { signal: controller.signal }),
    );
    expect(already).to.be.instanceOf(AbortError);
    await d.client.operations.cancel('local', id);
  });

  it('refuses injection attempts with ValidationError before spawning', async function () {
    const run = sinon.spy<Runner>(sandbox.run);
    const client = d.clientFor(sandbox, { runner: run });
    const attempts: Promise<unknown>[] = [
      client.images.list('local; rm -rf /'),
      client.images.list('--all'),
      client.images.list('local', { filter: '--format=yaml' }),
      client.images.info('local', '--help'),
      client.images.info('local', 'a\nb'),
      client.images.list('local', { project: '../x' }),
      client.images.setProperty('local', 'x', '-k', 'v'),
      client.images.aliases.create('local', { name: '-x', target: 'abc' }),
      client.query('local', 'no-slash'),
      client.query('local', '/1.0', { timeout: -1 }),
    ];
    for (const attempt of attempts)
      expect(await rejectionOf(attempt)).to.be.instanceOf(ValidationError);
    sinon.assert.notCalled(run);
    expect(await client.query('local', '/1.0', () => 'ok')).to.equal('ok');
    // the CLI spawns once; REST talks to the socket
    sinon.assert.callCount(run, d.transport === 'cli' ? 1 : 0);
  });

  it('lists the remotes', async function () {
    const remotes = await d.client.remotes.list();
    expect(remotes.map((r) => r.name)).to.include.members(['local', 'ss']);
    expect(remotes.find((r) => r.name === 'ss')?.protocol).to.equal('simplestreams');
  });
});

for (const binary of BINARIES) {
  describe(`startSandbox with ${binary}`, function () {
    it('stop() leaves no process, no mount and no directory behind', async function () {
      const sandbox = await startSandbox({ binary, listen: true });
      expect(sandbox.address).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(
        await sandbox.client.query(
          'local',
          '/1.0',
          (s) => (s as { api_version: string }).api_version,
        ),
      ).to.equal('1.0');
      await sandbox.stop();
      expect(await processesWith(sandbox.dir)).to.deep.equal([]);
      const mounts = await readFile('/proc/self/mounts', 'utf8');
      expect(mounts).to.not.include(sandbox.dir);
      expect(existsSync(sandbox.dir)).to.equal(false);
    });
  });
}
