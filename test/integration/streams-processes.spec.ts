import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { add, list, prune, verify } from '../../lib/streams/index.js';
import { makeImage, type TestImage } from '../../lib/testing/index.js';
import { writeBigImage } from '../../bench/tar.js';
import { onPath, skipBecause } from '../support/publish-stage.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = join(ROOT, 'test/support/streams-child.ts');
const BIN = join(ROOT, 'lib/streams/bin.ts');

// A node process running a TypeScript file (through tsx), output piped.
const RUN = { cwd: ROOT, reject: false, all: true } as const;
function node(file: string, args: string[]): ResultPromise<typeof RUN> {
  return execa(process.execPath, ['--import', 'tsx', file, ...args], RUN);
}

// A word for `sh -c`, quoted.
const quoted = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

// Resolves once the child printed a line that passes `test`.
async function lineOf(
  child: ResultPromise<typeof RUN>,
  test: (line: string) => boolean,
): Promise<string> {
  let seen = '';
  for (;;) {
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    seen += chunk.toString();
    const line = seen.split('\n').find(test);
    if (line !== undefined) return line;
  }
}

describe('streams: concurrent writers, killed writers and the bin', function () {
  let tmp: string;
  let n = 0;
  const images = (count: number, os: string): Promise<TestImage[]> =>
    Promise.all(
      Array.from({ length: count }, () =>
        makeImage(join(tmp, 'src'), { os, seed: `${os}-${n++}-${Math.random()}` }),
      ),
    );

  before(async function () {
    tmp = await mkdtemp(join(tmpdir(), 'lxc-images-streams-procs-'));
  });
  after(async function () {
    await rm(tmp, { recursive: true, force: true });
  });

  it('20 concurrent adds all land: 10 in this process, 10 from two other processes', async function () {
    const dir = join(tmp, 'concurrent');
    const mine = await images(10, 'concos');
    const theirs = await images(10, 'concos');
    const children = [theirs.slice(0, 5), theirs.slice(5)].map((batch) =>
      node(CHILD, ['add', dir, ...batch.map((i) => i.path)]),
    );
    const local = await Promise.all(mine.map((i) => add(dir, i.path)));
    const results = await Promise.all(children);
    for (const r of results) expect(r.exitCode, r.all).to.equal(0);
    const remote = results.flatMap((r) =>
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { fingerprint?: string }),
    );
    expect(
      remote.every((r) => r.fingerprint !== undefined),
      JSON.stringify(remote),
    ).to.equal(true);
    expect(local).to.have.length(10);
    const listed = (await list(dir)).map((i) => i.fingerprint).sort();
    expect(listed).to.deep.equal([...mine, ...theirs].map((i) => i.fingerprint).sort());
    expect(
      new Set((await list(dir)).map((i) => i.properties.serial)).size,
      'twenty versions',
    ).to.equal(20);
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
  });

  it('a kill -9 in the middle of an add leaves a tree that verifies and lists what it listed before', async function () {
    const dir = join(tmp, 'killed');
    await add(dir, (await images(1, 'before'))[0]!.path);
    const before = await list(dir);
    const big = join(tmp, 'big.tar');
    await writeBigImage(big, 400 * 1024 * 1024);
    // the child stops itself in the middle of the copy, so the kill always lands there
    const child = node(CHILD, ['add-and-stop', dir, big]);
    await lineOf(child, (l) => l.startsWith('progress '));
    child.kill('SIGKILL');
    await child;
    expect(child.pid).to.be.a('number');
    expect(await verify(dir)).to.deep.equal({ ok: true, problems: [] });
    expect(await list(dir)).to.deep.equal(before);
    const temps = (await readdir(join(dir, 'images'))).filter((f) => f.startsWith('.tmp-'));
    expect(temps, 'the partial copy is there, under a temporary name').to.have.length(1);
    const pruned = await prune(dir, { keep: 5 });
    expect(pruned.files).to.deep.equal([`images/${temps[0]}`]);
    const after = await add(dir, (await images(1, 'after'))[0]!.path);
    expect((await list(dir)).map((i) => i.fingerprint)).to.include(after.fingerprint);
    await rm(big);
  });

  it('a writer killed while it holds the lock does not block the next one', async function () {
    const dir = join(tmp, 'lock');
    await add(dir, (await images(1, 'lockos'))[0]!.path);
    const holder = node(CHILD, ['hold', dir]);
    await lineOf(holder, (l) => l === 'held');
    const waiting = add(dir, (await images(1, 'lockos'))[0]!.path).then(() => 'added');
    const first = await Promise.race([waiting, new Promise((r) => setTimeout(r, 500, 'waiting'))]);
    expect(first, 'an add waits while another process holds the lock').to.equal('waiting');
    holder.kill('SIGKILL');
    await holder;
    expect(await waiting).to.equal('added');
    expect(await list(dir)).to.have.length(2);
  });

  describe('the bin', function () {
    it('prints its usage with --help (exit 0) and on bad usage (exit 2)', async function () {
      const help = await node(BIN, ['--help']);
      expect(help.exitCode).to.equal(0);
      expect(help.stdout).to.match(/^usage: lxc-images-streams/);
      for (const args of [
        [],
        ['bogus', tmp],
        ['add', tmp],
        ['prune', tmp],
        ['list', '--nope', tmp],
      ]) {
        const r = await node(BIN, args);
        expect(r.exitCode, args.join(' ')).to.equal(2);
        expect(r.stderr, args.join(' ')).to.include('usage:');
      }
    });

    it('adds, lists, verifies, prunes and removes, with --json; no progress line off a terminal', async function () {
      const dir = join(tmp, 'bin');
      const [a, b] = await images(2, 'binos');
      const added = await node(BIN, ['add', dir, a!.path, '--alias', 'binos', '--json']);
      expect(added.exitCode, added.all).to.equal(0);
      expect(added.stderr).to.equal('');
      expect((JSON.parse(added.stdout) as { fingerprint: string }).fingerprint).to.equal(
        a!.fingerprint,
      );
      expect((await node(BIN, ['add', dir, b!.path])).stdout).to.match(/^added [0-9a-f]{12} /);
      const listed = await node(BIN, ['list', dir, 'os=binos', '--json']);
      expect((JSON.parse(listed.stdout) as unknown[]).length).to.equal(2);
      const ok = await node(BIN, ['verify', dir]);
      expect([ok.exitCode, ok.stdout.trim()]).to.deep.equal([0, 'ok']);
      const pruned = await node(BIN, ['prune', dir, '--keep', '1', '--dry-run', '--json']);
      expect((JSON.parse(pruned.stdout) as { removed: string[] }).removed).to.deep.equal([
        a!.fingerprint,
      ]);
      const removed = await node(BIN, ['remove', dir, 'binos']);
      expect(removed.exitCode, removed.all).to.equal(0);
      expect((await list(dir)).map((i) => i.fingerprint)).to.deep.equal([a!.fingerprint]);
    });

    it('draws a progress line on a terminal (under script(1)), clears it, and exits 0', async function () {
      if (!onPath('script'))
        skipBecause(
          this,
          'script(1) from util-linux is not installed: no pseudo-terminal to run in',
        );
      const dir = join(tmp, 'bin-tty');
      const [a] = await images(1, 'ttyos');
      const command = [process.execPath, '--import', 'tsx', BIN, 'add', dir, a!.path];
      // -e: script exits with the command's status; stdout and stderr share the terminal
      const run = await execa('script', ['-qfec', command.map(quoted).join(' '), '/dev/null'], {
        cwd: ROOT,
        reject: false,
        stdin: 'ignore',
      });
      expect(run.exitCode, run.stdout).to.equal(0);
      expect(run.stdout).to.match(/\r\u001b\[KAdding the image: \d+%/);
      expect(run.stdout).to.include(`\r\u001b[Kadded ${a!.fingerprint.slice(0, 12)} `);
      expect((await list(dir)).map((i) => i.fingerprint)).to.deep.equal([a!.fingerprint]);
    });

    it('exits 1 on a failure and on a tree that does not verify', async function () {
      const dir = join(tmp, 'bin-bad');
      const [a] = await images(1, 'badbin');
      await add(dir, a!.path);
      const missing = await node(BIN, ['remove', dir, 'nothing-by-this-name', '--json']);
      expect(missing.exitCode).to.equal(1);
      expect(JSON.parse(missing.stdout)).to.deep.include({
        error: {
          name: 'NotFoundError',
          code: 'ERR_LXC_NOT_FOUND',
          message: 'no image nothing-by-this-name in the tree',
        },
      });
      const junk = join(tmp, 'junk.bin');
      await writeFile(junk, 'junk');
      const notImage = await node(BIN, ['add', dir, junk]);
      expect([notImage.exitCode, notImage.stderr]).to.satisfy(
        ([code, err]: [number, string]) => code === 1 && err.includes('ValidationError'),
      );
      const file = join(dir, 'images', `${a!.fingerprint}.tar.gz`);
      await writeFile(file, Buffer.concat([await readFile(file), Buffer.from('x')]));
      const bad = await node(BIN, ['verify', dir, '--json']);
      expect(bad.exitCode).to.equal(1);
      const result = JSON.parse(bad.stdout) as { ok: boolean; problems: { kind: string }[] };
      expect(result.ok).to.equal(false);
      expect(result.problems.map((p) => p.kind).sort()).to.deep.equal(['sha256', 'size']);
    });
  });
});
