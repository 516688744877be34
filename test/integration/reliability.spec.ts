import { expect } from 'chai';
import { execa } from 'execa';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConflictError,
  createClient,
  LxcError,
  RemoteError,
  TimeoutError,
  AbortError,
  ValidationError,
  type Client,
} from '../../lib/index.js';
import { startSandbox } from '../../lib/testing/index.js';
import { getWorld, newImage } from '../support/env.js';
import { eachDaemon } from '../support/matrix.js';
import { sha256Files } from '../support/hash.js';
import { rejectionOf } from '../support/procs.js';

// The ids of the operations of `local` that are still running.
async function runningOperations(client: Client): Promise<unknown[]> {
  const ops = await client.query('local', '/1.0/operations', (v) =>
    v === null ? {} : (v as { running?: unknown[] }),
  );
  return ops.running ?? [];
}

// Starts a token operation (an image secret), which runs until it is used or cancelled.
async function tokenOperation(client: Client): Promise<string> {
  const image = await newImage();
  await client.images.import('local', image.path);
  return client.images.createSecret('local', image.fingerprint, (s) => s.operation.id);
}

eachDaemon('reliability: no lost updates within a client', function (d) {
  it('50 concurrent setProperty calls keep all 50 keys', async function () {
    const image = await newImage();
    await d.client.images.import('local', image.path);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        d.client.images.setProperty('local', image.fingerprint, `k${i}`, `v${i}`),
      ),
    );
    const properties = await d.client.images.info('local', image.fingerprint, (i) => i.properties);
    for (let i = 0; i < 50; i++) expect(properties[`k${i}`]).to.equal(`v${i}`);
  });

  it('50 concurrent updates (PATCH, and PUT with expires_at) keep every change', async function () {
    const image = await newImage();
    await d.client.images.import('local', image.path);
    const expiry = new Date('2031-01-01T00:00:00Z');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        d.client.images.update(
          'local',
          image.fingerprint,
          i % 2 === 0
            ? { properties: { [`u${i}`]: 'x' } }
            : { properties: { [`u${i}`]: 'x' }, expires_at: expiry },
        ),
      ),
    );
    const after = await d.client.images.info('local', image.fingerprint);
    for (let i = 0; i < 50; i++) expect(after.properties[`u${i}`]).to.equal('x');
    expect(after.expires_at?.toISOString()).to.equal(expiry.toISOString());
  });

  it('50 concurrent unsetProperty calls remove all 50 keys', async function () {
    const image = await newImage();
    const keys = Array.from({ length: 50 }, (_, i) => `gone${i}=x`);
    await d.sandbox.run(['image', 'import', image.path, ...keys]);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        d.client.images.unsetProperty('local', image.fingerprint, `gone${i}`),
      ),
    );
    const properties = await d.client.images.info('local', image.fingerprint, (i) => i.properties);
    expect(Object.keys(properties).filter((k) => k.startsWith('gone'))).to.deep.equal([]);
  });

  it('concurrent aliases.update of target and of description keeps both', async function () {
    const [first, second] = [await newImage(), await newImage()];
    await d.client.images.import('local', first.path);
    await d.client.images.import('local', second.path);
    const name = `both-${d.tag}`;
    await d.client.images.aliases.create('local', { name, target: first.fingerprint });
    await Promise.all([
      d.client.images.aliases.update('local', name, { target: second.fingerprint }),
      d.client.images.aliases.update('local', name, { description: 'kept' }),
    ]);
    expect(await d.client.images.aliases.info('local', name)).to.include({
      target: second.fingerprint,
      description: 'kept',
    });
  });
});

eachDaemon('reliability: deadlines count from the call', function (d) {
  it('a queued call times out and aborts on time, while another call holds the only slot', async function () {
    const client = d.clientFor(d.sandbox, { concurrency: 1 });
    const id = await tokenOperation(d.client);
    const long = client.operations.wait('local', id, { seconds: 10 }).catch(() => undefined);
    await sleep(200);
    let started = performance.now();
    expect(await rejectionOf(client.images.list('local', { timeout: 1000 }))).to.be.instanceOf(
      TimeoutError,
    );
    expect(performance.now() - started).to.be.below(4000);
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 1000);
    started = performance.now();
    expect(
      await rejectionOf(client.images.list('local', { signal: controller.signal })),
    ).to.be.instanceOf(AbortError);
    expect(performance.now() - started).to.be.below(4000);
    await d.client.operations.cancel('local', id);
    await long;
  });

  it('refuses a timeout that no timer can hold, and bad client timeouts', async function () {
    expect(await rejectionOf(d.client.images.list('local', { timeout: 3e9 }))).to.be.instanceOf(
      ValidationError,
    );
    expect(() => createClient({ timeout: Infinity })).to.throw(ValidationError);
    expect(() => createClient({ timeout: '5000' as unknown as number })).to.throw(ValidationError);
  });
});

eachDaemon('reliability: timeouts and aborts leave no server work', function (d) {
  let big: Awaited<ReturnType<typeof newImage>>;
  before(async function () {
    big = await newImage({ filler: 60_000_000 });
  });

  // Asserts that an import cut short left nothing: no operation, no image, and a retry works.
  async function leftNothing(error: unknown, expected: typeof TimeoutError): Promise<void> {
    expect(error).to.be.instanceOf(expected);
    expect(await runningOperations(d.client)).to.deep.equal([]);
    await sleep(2000);
    expect(await d.client.images.exists('local', big.fingerprint)).to.equal(false);
    const retried = await d.client.images.import('local', big.path);
    expect(retried.fingerprint).to.equal(big.fingerprint);
    await d.client.images.delete('local', big.fingerprint);
  }

  it('an import that times out leaves no operation and no image, and a retry works', async function () {
    const error = await rejectionOf(d.client.images.import('local', big.path, { timeout: 50 }));
    await leftNothing(error, TimeoutError);
  });

  it('an import aborted once its upload is sent (mid-way on the CLI) is undone', async function () {
    const controller = new AbortController();
    const threshold = d.transport === 'rest' ? 100 : 1;
    const error = await rejectionOf(
      d.client.images.import('local', big.path, {
        signal: controller.signal,
        onProgress: (event) => {
          if ((event.percent ?? 0) >= threshold) controller.abort();
        },
      }),
    );
    await leftNothing(error, AbortError);
  });

  it('an import aborted once the upload has ended (in its last steps) is undone', async function () {
    const controller = new AbortController();
    const error = await rejectionOf(
      d.client.images.import('local', big.path, {
        signal: controller.signal,
        aliases: [`landed-${d.tag}`],
        onProgress: (event) => {
          if (event.percent === 100) controller.abort();
        },
      }),
    );
    await leftNothing(error, AbortError);
    const aliases = await d.client.images.aliases.list('local');
    expect(aliases.map((alias) => alias.name)).not.to.include(`landed-${d.tag}`);
  });

  it('an import that moves an alias, aborted as its image lands, leaves the alias as it was', async function () {
    const first = await newImage();
    const second = await newImage({ filler: 5_000_000 });
    const name = `kept-${d.tag}`;
    await d.client.images.import('local', first.path, { aliases: [name] });
    await d.client.images.aliases.update('local', name, { description: 'keep me' });
    const controller = new AbortController();
    const watcher = (async () => {
      while (!controller.signal.aborted) {
        if (await d.client.images.exists('local', second.fingerprint)) controller.abort();
        else await sleep(10);
      }
    })();
    const outcome = await d.client.images
      .import('local', second.path, { aliases: [name], signal: controller.signal })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    controller.abort();
    await watcher;
    const alias = await d.client.images.aliases.info('local', name);
    if (outcome === undefined) {
      // the import ended before the abort: the alias moved
      expect(alias.target).to.equal(second.fingerprint);
    } else {
      expect(outcome).to.be.instanceOf(AbortError);
      expect(alias).to.deep.include({ target: first.fingerprint, description: 'keep me' });
      expect(await d.client.images.exists('local', second.fingerprint)).to.equal(false);
    }
  });

  it('an importFromUrl of an image the daemon has, aborted at any point, keeps that image', async function () {
    const { server } = await getWorld();
    const image = await newImage();
    const before = await d.client.images.import('local', image.path);
    for (const delay of [0, 5, 10, 20, 40, 80, 160]) {
      const outcome = await d.client.images
        .importFromUrl('local', server.directUrl(image), { signal: AbortSignal.timeout(delay) })
        .then(
          () => 'resolved',
          (error: unknown) => (error instanceof AbortError ? 'aborted' : error),
        );
      expect(outcome, `after ${delay} ms`).to.be.oneOf(['resolved', 'aborted']);
      const after = await d.client.images.info('local', image.fingerprint);
      expect(after.uploaded_at, `after ${delay} ms`).to.deep.equal(before.uploaded_at);
    }
    await d.client.images.delete('local', image.fingerprint);
  });

  it('an importFromUrl that is aborted is cancelled on the server', async function () {
    const { server } = await getWorld();
    const image = await newImage({ filler: 3_000_000 });
    server.throttle(200_000);
    try {
      const controller = new AbortController();
      setTimeout(() => {
        controller.abort();
      }, 1000);
      const error = await rejectionOf(
        d.client.images.importFromUrl('local', server.directUrl(image), {
          signal: controller.signal,
        }),
      );
      expect(error).to.be.instanceOf(AbortError);
      expect(await runningOperations(d.client)).to.deep.equal([]);
    } finally {
      server.throttle(null);
    }
    await sleep(2000);
    expect(await d.client.images.exists('local', image.fingerprint)).to.equal(false);
  });
});

eachDaemon('reliability: no local file is picked by a value', function (d) {
  const cwd = process.cwd();
  const decoys = [join(cwd, 'os=evil'), join(cwd, 'os=secretfile')];
  before(async function () {
    for (const decoy of decoys) await writeFile(decoy, 'not an image\n');
  });
  after(async function () {
    for (const decoy of decoys) await rm(decoy, { force: true });
  });

  it('properties named like files in the working directory stay properties', async function () {
    const image = await newImage();
    const imported = await d.client.images.import('local', relative(cwd, image.path), {
      properties: { os: 'evil', note: 'secretfile' },
    });
    expect(imported.fingerprint).to.equal(await sha256Files(image.path));
    expect(imported.properties).to.include({ os: 'evil', note: 'secretfile' });
    const other = await newImage();
    const second = await d.client.images.import('local', other.path, {
      properties: { os: 'secretfile' },
    });
    expect(second.fingerprint).to.equal(other.fingerprint);
    expect(second.properties.os).to.equal('secretfile');
  });
});

eachDaemon('reliability: every rejection is an LxcError', function (d) {
  it('an export to a long legal file name works, and a too-long one is a ValidationError', async function () {
    const image = await newImage();
    await d.client.images.import('local', image.path);
    const dir = join((await getWorld()).tmp, `long-${d.tag}`);
    await mkdir(dir, { recursive: true });
    const long = join(dir, 'x'.repeat(247));
    expect(
      await d.client.images.export('local', image.fingerprint, long, (r) => r.files),
    ).to.deep.equal([long]);
    expect(
      await rejectionOf(
        d.client.images.export('local', image.fingerprint, join(dir, 'y'.repeat(256))),
      ),
    ).to.be.instanceOf(ValidationError);
  });

  it('NUL bytes, BigInt and cyclic bodies, and a failing stream are refused or wrapped', async function () {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const refused = [
      d.client.images.importFromUrl('local', 'https://127.0.0.1/a\u0000b'),
      d.client.query('local', '/1.0', { method: 'PATCH', body: { n: 1n } }),
      d.client.query('local', '/1.0', { method: 'PATCH', body: cyclic }),
    ];
    for (const attempt of refused)
      expect(await rejectionOf(attempt)).to.be.instanceOf(ValidationError);
    const broken = new Readable({
      read() {
        this.destroy(new Error('the disk went away'));
      },
    });
    const error = await rejectionOf(d.client.images.import('local', broken));
    expect(error).to.be.instanceOf(LxcError);
    expect(String((error as LxcError).cause)).to.match(/the disk went away/);
  });

  it('a full temporary directory is an LxcError with the cause (CLI), or needs no spool (REST)', async function () {
    const full = join((await getWorld()).tmp, `tiny-tmp-${d.tag}`);
    await mkdir(full, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = full;
    try {
      const image = await newImage({ filler: 1_000_000 });
      const outcome = await d.client.images.import('local', createReadStream(image.path)).then(
        (i) => i.fingerprint,
        (error: unknown) => error,
      );
      if (d.transport === 'cli') {
        expect(outcome).to.be.instanceOf(LxcError);
        expect(((outcome as LxcError).cause as NodeJS.ErrnoException).code).to.equal('ENOSPC');
      } else {
        expect(outcome).to.equal(image.fingerprint);
      }
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await execa('umount', [full]);
    }
  });

  it('values follow one rule in every call: NUL, huge values and huge keys are refused', async function () {
    const image = await newImage();
    await d.client.images.import('local', image.path);
    const fp = image.fingerprint;
    const refused = [
      d.client.images.update('local', fp, { properties: { k: 'a\u0000b' } }),
      d.client.images.replace('local', fp, { properties: { k: 'a\u0000b' } }),
      d.client.images.setProperty('local', fp, 'k', 'a\u0000b'),
      d.client.images.import('local', image.path, { properties: { k: 'a\u0000b' } }),
      d.client.images.setProperty('local', fp, 'k', 'x'.repeat(200 * 1024)),
      d.client.images.setProperty('local', fp, 'k'.repeat(10 * 1024), 'v'),
      d.client.images.update('local', fp, { properties: { ['k'.repeat(10 * 1024)]: 'v' } }),
    ];
    for (const attempt of refused)
      expect(await rejectionOf(attempt)).to.be.instanceOf(ValidationError);
    const text = 'line one\nline two\u001b[0m\ttab';
    expect(
      await d.client.images.setProperty('local', fp, 'a', text, (i) => i.properties.a),
    ).to.equal(text);
    expect(
      await d.client.images.update('local', fp, { properties: { b: text } }, (i) => i.properties.b),
    ).to.equal(text);
    const other = await newImage();
    expect(
      await d.client.images.import(
        'local',
        other.path,
        { properties: { c: text } },
        (i) => i.properties.c,
      ),
    ).to.equal(text);
  });
});

eachDaemon('reliability: secrets never show', function (d) {
  it('no secret in any error field or in the NODE_DEBUG trace', async function () {
    this.timeout(180_000);
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    const probe = join(import.meta.dirname, '..', 'fixtures', 'secret-probe.ts');
    const withAddRemote = d.transport === 'cli' ? 'yes' : 'no';
    const { stdout, stderr } = await execa(
      'node',
      [
        '--import',
        'tsx',
        probe,
        d.binary,
        d.transport,
        JSON.stringify(d.sandbox.env),
        secret,
        withAddRemote,
      ],
      { env: { NODE_DEBUG: 'lxc-images' } },
    );
    const errors = JSON.parse(stdout) as unknown[];
    expect(errors).to.have.length(withAddRemote === 'yes' ? 4 : 3);
    expect(errors).to.not.include('resolved');
    expect(stderr).to.match(/LXC-IMAGES \d+:/); // the trace ran
    for (const output of [stdout, stderr]) {
      expect(output).to.not.include(secret);
      expect(output).to.not.match(/pw-[a-z0-9]{6,}/); // the LXD trust password of addRemote
      expect(output).to.not.match(/eyJ[A-Za-z0-9+/=]{30,}/); // an Incus trust token
    }
  });
});

eachDaemon('reliability: a daemon that dies mid-call', function (d) {
  it('gives a RemoteError at once', async function () {
    const sandbox = await startSandbox({ binary: d.binary });
    try {
      const client = d.clientFor(sandbox);
      const id = await tokenOperation(client);
      const waiting = rejectionOf(client.operations.wait('local', id));
      await sleep(500);
      await sandbox.kill();
      const started = performance.now();
      expect(await waiting).to.be.instanceOf(RemoteError);
      expect(performance.now() - started).to.be.below(5000);
    } finally {
      await sandbox.stop();
    }
  });
});

eachDaemon('reliability: fast-failing operations never hang', function (d) {
  it('30 duplicate imports in a row each give ConflictError', async function () {
    this.timeout(300_000);
    const image = await newImage();
    await d.client.images.import('local', image.path);
    for (let i = 0; i < 30; i++) {
      const error = await rejectionOf(
        d.client.images.import('local', image.path, { timeout: 60_000 }),
      );
      expect(error).to.be.instanceOf(ConflictError);
    }
  });
});
