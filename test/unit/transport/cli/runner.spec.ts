import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { rejection } from '../../helpers.js';
import {
  AbortError,
  BinaryNotFoundError,
  LxcError,
  NotFoundError,
  TimeoutError,
  ValidationError,
} from '../../../../lib/wire/errors.js';
import { createExecaRunner } from '../../../../lib/transport/cli/runner.js';

const FAKE = fileURLToPath(new URL('../../../fixtures/fake-lxc.mjs', import.meta.url));
const run = createExecaRunner({ binary: FAKE, env: {} });

// Waits until the fake has written its pid, and returns it.
async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(10);
  for (let i = 0; i < 50 && readFileSync(file, 'utf8') === ''; i++) await sleep(10);
  return Number(readFileSync(file, 'utf8'));
}

// True while a process with this pid exists.
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Every string reachable from an error: message, stack, String(), inspect() and its causes.
function allText(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 10 })];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    parts.push(e.message, e.stack ?? '', String(e));
  }
  return parts.join('\n');
}

describe('createExecaRunner', function () {
  this.timeout(20000);
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-unit-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('resolves with the stdout of a successful run', async () => {
    expect(await run(['out', 'hello\n'])).to.deep.equal({ stdout: 'hello\n', stderr: '' });
  });

  it('turns exit 1 + stderr into a classified error without the "Error: " prefix', async () => {
    const err = await rejection(run(['fail', 'Image not found'], { remote: 'local' }));
    expect(err).to.be.instanceOf(NotFoundError);
    const e = err as NotFoundError;
    expect(e.message).to.equal('Image not found');
    expect(e.exitCode).to.equal(1);
    expect(e.stderr).to.equal('Error: Image not found\n');
    expect(e.remote).to.equal('local');
    expect(e.command).to.deep.equal([FAKE, 'fail', 'Image not found']);
  });

  it('gives a plain LxcError for an unclassified message', async () => {
    const err = await rejection(run(['fail', 'More than one image matches']));
    expect(err).to.be.instanceOf(LxcError);
    expect((err as Error).constructor).to.equal(LxcError);
    expect((err as Error).message).to.equal('More than one image matches');
  });

  it('names the exit code when stderr is empty', async () => {
    const err = await rejection(run(['exit', '3']));
    expect(err).to.be.instanceOf(LxcError);
    expect((err as LxcError).exitCode).to.equal(3);
    expect((err as Error).message).to.match(/exited with code 3/);
  });

  it('rejects with BinaryNotFoundError when the binary is missing', async () => {
    const missing = createExecaRunner({ binary: join(tmp, 'no-such-lxc'), env: {} });
    const err = await rejection(missing(['query', 'local:/1.0']));
    expect(err).to.be.instanceOf(BinaryNotFoundError);
  });

  it('kills the child and rejects with TimeoutError when the timeout passes', async () => {
    const file = join(tmp, 'pid');
    const pending = rejection(run(['sleep', file], { timeout: 500 }));
    const pid = await pidFrom(file);
    const err = await pending;
    expect(err).to.be.instanceOf(TimeoutError);
    expect(alive(pid)).to.equal(false);
  });

  it('kills the child and rejects with AbortError when the signal aborts mid-run', async () => {
    const file = join(tmp, 'pid');
    const controller = new AbortController();
    const pending = rejection(run(['sleep', file], { signal: controller.signal }));
    const pid = await pidFrom(file);
    expect(alive(pid)).to.equal(true);
    controller.abort();
    const err = await pending;
    expect(err).to.be.instanceOf(AbortError);
    expect(alive(pid)).to.equal(false);
  });

  it('rejects with AbortError without spawning when the signal was already aborted', async () => {
    const file = join(tmp, 'pid');
    const err = await rejection(run(['sleep', file], { signal: AbortSignal.abort() }));
    expect(err).to.be.instanceOf(AbortError);
    await sleep(300);
    expect(existsSync(file)).to.equal(false);
  });

  it('feeds onLine with stdout split on \\r and \\n, skipping blank redraws', async () => {
    const lines: string[] = [];
    await run(['progress'], { onLine: (line) => lines.push(line) });
    expect(lines).to.deep.equal([
      'Exporting the image: 50% (1MB/s)',
      'Exporting the image: 100% (2MB/s)',
      'Image exported successfully!',
    ]);
  });

  it('feeds onErrorLine with each stderr line', async () => {
    const lines: string[] = [];
    await run(['warn', 'one', 'two'], { onErrorLine: (line) => lines.push(line) });
    expect(lines).to.deep.equal(['one', 'two']);
  });

  it('runs 20 children at once without a signal, with no listener warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    try {
      const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => run(['out', `${i}`])));
      expect(runs.map((r) => r.stdout)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `${i}`));
      await sleep(50); // a warning is emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).to.not.include('MaxListenersExceededWarning');
  });

  it('runs the child in cwd', async () => {
    expect((await run(['cwd'], { cwd: tmp })).stdout).to.equal(realpathSync(tmp));
  });

  it("calls onSpawn with the child's pid", async () => {
    const file = join(tmp, 'pid');
    const controller = new AbortController();
    let spawned: number | undefined;
    const pending = rejection(
      run(['sleep', file], {
        signal: controller.signal,
        onSpawn: (pid) => {
          spawned = pid;
        },
      }),
    );
    const pid = await pidFrom(file);
    controller.abort();
    await pending;
    expect(spawned).to.equal(pid);
  });

  it('refuses an argument longer than the kernel allows with ValidationError (E2BIG)', async () => {
    const err = await rejection(run(['out', 'x'.repeat(200 * 1024)]));
    expect(err).to.be.instanceOf(ValidationError).with.property('field', 'argv');
    expect((err as Error).message).to.match(/204800 bytes/);
  });

  it('runs the child with LC_ALL=C and LANG=C', async () => {
    const env = JSON.parse((await run(['env'])).stdout) as Record<string, string>;
    expect(env.LC_ALL).to.equal('C');
    expect(env.LANG).to.equal('C');
  });

  it('passes the extra environment through', async () => {
    const withEnv = createExecaRunner({
      binary: FAKE,
      env: { LXD_CONF: '/tmp/conf', FAKE_EXTRA: 'x y' },
    });
    const env = JSON.parse((await withEnv(['env'])).stdout) as Record<string, string>;
    expect(env).to.include({ LXD_CONF: '/tmp/conf', FAKE_EXTRA: 'x y', LC_ALL: 'C' });
  });

  describe('secrets', () => {
    const args = [
      'fail',
      'not authorized',
      '--password',
      'hunter2',
      '--password=hunter3',
      'local:/1.0/images/x?secret=abc123',
    ];

    it('are redacted in error.command', async () => {
      const err = (await rejection(run(args))) as LxcError;
      expect(err.command).to.deep.equal([
        FAKE,
        'fail',
        'not authorized',
        '--password',
        '***',
        '--password=***',
        'local:/1.0/images/x?secret=***',
      ]);
    });

    it('appear nowhere in message, stack, String(), inspect() or the cause chain', async () => {
      const err = await rejection(run(args));
      expect(err).to.be.instanceOf(LxcError);
      const text = allText(err);
      for (const secret of ['hunter2', 'hunter3', 'abc123']) expect(text).not.to.include(secret);
    });

    it('mask the literal secrets given for the call in every field', async () => {
      const err = await rejection(
        run(['fail', 'token s3cr3t-value refused'], { secrets: ['s3cr3t-value'] }),
      );
      expect(err).to.be.instanceOf(LxcError);
      expect((err as LxcError).message).to.equal('token *** refused');
      expect(allText(err)).not.to.include('s3cr3t-value');
    });

    it('are redacted when a timeout kills the child', async () => {
      const file = join(tmp, 'pid');
      const err = await rejection(run(['sleep', file, '--password=hunter4'], { timeout: 500 }));
      expect(err).to.be.instanceOf(TimeoutError);
      expect(allText(err)).not.to.include('hunter4');
    });
  });
});
