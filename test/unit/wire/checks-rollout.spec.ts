import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { rejection, thrown } from '../helpers.js';
import { ValidationError } from '../../../lib/wire/errors.js';
import { checkEnsureFlags, checkEnsureSpec } from '../../../lib/wire/checks-rollout.js';
import { checkSync } from '../../../lib/wire/checks-sync.js';

describe('the checks of ensure and sync', () => {
  let tmp: string;
  let file: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-checks-rollout-'));
    file = join(tmp, 'a.tar.gz');
    writeFileSync(file, 'x');
    writeFileSync(join(tmp, 'root.tar.gz'), 'y');
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('takes each kind of source, files made absolute', async () => {
    const rel = relative(process.cwd(), file);
    expect((await checkEnsureSpec({ source: rel })).source).to.deep.equal({
      kind: 'files',
      files: [file],
    });
    const split = { metadata: file, rootfs: join(tmp, 'root.tar.gz') };
    expect((await checkEnsureSpec({ source: split })).source).to.deep.equal({
      kind: 'files',
      files: [file, join(tmp, 'root.tar.gz')],
    });
    const sources = [
      { url: 'https://example.com/i' },
      { remote: 'r', ref: 'alpine/3.19' },
      { instance: 'c1', snapshot: 'snap0' },
    ];
    const kinds = await Promise.all(
      sources.map(async (s) => (await checkEnsureSpec({ source: s })).source.kind),
    );
    expect(kinds).to.deep.equal(['url', 'remote', 'snapshot']);
  });

  it('keeps only the fields given as the state to converge to, null expiry included', async () => {
    const spec = await checkEnsureSpec({ source: file, public: true, expiresAt: null, keep: 2 });
    expect(spec.desired).to.deep.equal({ public: true, autoUpdate: undefined, expiresAt: null });
    expect(spec.keep).to.equal(2);
    expect(spec.aliases).to.deep.equal([]);
  });

  it('refuses bad specs with the field that is wrong', async () => {
    const cases: [unknown, string][] = [
      [{ source: file, keep: 1.5 }, 'keep'],
      [{ source: file, aliases: ['-a'] }, 'aliases[0]'],
      [{ source: file, properties: { 'a b': 'x' } }, 'properties'],
      [{ source: { remote: 'r', ref: 3 } }, 'source.ref'],
      [{ source: { remote: '-r', ref: 'x' } }, 'source.remote'],
      [{ source: { url: 'ftp://x' } }, 'url'],
      [{ source: 42 }, 'source'],
      [{ source: file, expiresAt: new Date(NaN) }, 'expiresAt'],
      [null, 'spec'],
    ];
    for (const [spec, field] of cases) {
      const error = await rejection(checkEnsureSpec(spec));
      expect(error, field).to.be.instanceOf(ValidationError).with.property('field', field);
    }
    expect(
      thrown(() => checkEnsureFlags({ dryRun: 'yes' as unknown as boolean })),
    ).to.have.property('field', 'dryRun');
  });

  it('checks sync targets and flags, with their defaults', () => {
    const checked = checkSync({ remote: 'src' }, ['a', 'b'], {});
    expect(checked).to.deep.include({
      targets: ['a', 'b'],
      mode: 'auto',
      concurrency: 4,
      failFast: false,
      dryRun: false,
      keep: undefined,
    });
    expect(checkSync({ remote: 'src' }, [], {}).targets).to.deep.equal([]);
  });
});
