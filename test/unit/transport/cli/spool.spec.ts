import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { spoolFiles } from '../../../../lib/transport/cli/spool.js';
import { LxcError } from '../../../../lib/wire/errors.js';
import type { Download } from '../../../../lib/wire/request.js';
import { rejection } from '../../helpers.js';

const never = new AbortController().signal;
const FP = createHash('sha256').update('meta').update('root').digest('hex');

describe('the CLI spool of a relay to many', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lxc-images-cli-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // An export that writes a split image as the CLI names it.
  const exported = async (_target: unknown, download: Download): Promise<string[]> => {
    await writeFile(join(download.dir, `${FP}.tar.xz`), 'root');
    await writeFile(join(download.dir, `meta-${FP}.tar.xz`), 'meta');
    return [`${FP}.tar.xz`, `meta-${FP}.tar.xz`];
  };

  it('exports once, checks the files (metadata first) and gives them to every upload', async () => {
    const end = { download: exported, target: { remote: 'src' }, signal: never };
    const spool = await spoolFiles(end, { fingerprint: FP, dir });
    await spool.whole;
    const files = [join(dir, `meta-${FP}.tar.xz`), join(dir, `${FP}.tar.xz`)];
    expect(spool.source()).to.deep.equal({ kind: 'files', files });
    expect(spool.source()).to.deep.equal({ kind: 'files', files });
  });

  it('rejects files that are not the fingerprint', async () => {
    const end = { download: exported, target: { remote: 'src' }, signal: never };
    const error = await rejection(spoolFiles(end, { fingerprint: 'f'.repeat(64), dir }));
    expect(error).to.be.instanceOf(LxcError).with.property('remote', 'src');
  });
});
