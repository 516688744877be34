import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { expect } from 'chai';
import { Growing } from '../../../../lib/transport/rest/follow.js';

// Reads a stream to its end, waiting `pause` ms after each chunk (a slow upload).
async function drain(stream: Readable, pause = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return Buffer.concat(chunks);
}

describe('a growing file and its followers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lxc-images-follow-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a fast and a slow reader the whole file while it is written, neither holding the writer', async () => {
    const path = join(dir, 'f');
    const file = await open(path, 'wx');
    const growing = new Growing(path);
    const fast = drain(growing.reader());
    const slow = drain(growing.reader(), 2);
    const chunks = Array.from({ length: 64 }, () => randomBytes(64 * 1024));
    const writer = growing.writer(file);
    for (const chunk of chunks) {
      if (!writer.write(chunk)) await new Promise((resolve) => writer.once('drain', resolve));
    }
    await new Promise((resolve) => writer.end(resolve));
    await file.close();
    growing.ended = true;
    growing.emit('change');
    const whole = Buffer.concat(chunks);
    expect((await fast).equals(whole)).to.equal(true);
    expect((await slow).equals(whole)).to.equal(true);
    // a reader that starts once all is written reads the file
    expect((await drain(growing.reader())).equals(whole)).to.equal(true);
  });

  it('fails its readers when the writing fails', async () => {
    const path = join(dir, 'f');
    const file = await open(path, 'wx');
    const growing = new Growing(path);
    const reading = drain(growing.reader()).catch((error: unknown) => error);
    await new Promise((resolve) => growing.writer(file).write(Buffer.from('x'), resolve));
    await file.close();
    growing.failure = new Error('the export was cut');
    growing.emit('change');
    expect(await reading).to.have.property('message', 'the export was cut');
  });
});
