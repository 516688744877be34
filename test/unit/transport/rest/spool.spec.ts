import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { Agent, createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { spoolExport } from '../../../../lib/transport/rest/spool.js';
import type { Endpoint } from '../../../../lib/transport/rest/endpoint.js';
import { LxcError } from '../../../../lib/wire/errors.js';
import type { Spool, UploadSource } from '../../../../lib/wire/request.js';
import { rejection } from '../../helpers.js';

const BODY = randomBytes(3 * 1024 * 1024 + 17);
const FP = createHash('sha256').update(BODY).digest('hex');
const META = randomBytes(1000);
const ROOT = randomBytes(200_000);
const SPLIT = createHash('sha256').update(META).update(ROOT).digest('hex');
const BOUNDARY = 'xyzzy';

// Sends `body` in pieces, with a pause between them: an export still going on.
async function trickle(res: ServerResponse, body: Buffer, pieces = 8): Promise<void> {
  const size = Math.ceil(body.length / pieces);
  for (let at = 0; at < body.length; at += size) {
    res.write(body.subarray(at, at + size));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  res.end();
}

// A multipart export body, as the daemons send a split image.
function multipart(): Buffer {
  const part = (name: string, data: Buffer): Buffer[] => [
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.tar"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    data,
    Buffer.from('\r\n'),
  ];
  return Buffer.concat([
    ...part('metadata', META),
    ...part('rootfs', ROOT),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

// Reads a source to its end.
async function drain(source: UploadSource): Promise<Buffer> {
  if (source.kind !== 'stream') throw new Error('not a stream');
  const chunks: Buffer[] = [];
  for await (const chunk of source.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the REST spool of a relay to many', () => {
  let dir: string;
  let server: Server;
  let endpoint: Endpoint;
  let exports = 0;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lxc-images-spool-'));
    exports = 0;
    server = createServer((req, res) => {
      exports++;
      const split = req.url?.includes(SPLIT) ?? false;
      const bad = req.url?.includes('0'.repeat(64)) ?? false;
      const body = split ? multipart() : BODY;
      res.writeHead(200, {
        'Content-Type': split
          ? `multipart/form-data; boundary=${BOUNDARY}`
          : 'application/octet-stream',
        'Content-Length': body.length,
      });
      void trickle(res, bad ? Buffer.from(body.toString('hex').slice(0, body.length)) : body);
    });
    const socketPath = join(dir, 'unix.socket');
    server.listen(socketPath);
    await once(server, 'listening');
    endpoint = { kind: 'unix', socketPath, agent: new Agent(), flavor: 'lxd', label: 'src' };
  });
  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const spool = (fingerprint: string, signal = new AbortController().signal): Promise<Spool> =>
    spoolExport({ endpoint, target: { remote: 'src' }, signal }, { fingerprint, dir });

  it('reads the export once; every reader gets the whole body while it is still being written', async () => {
    const made = await spool(FP);
    const early = made.source();
    const [first, second] = await Promise.all([drain(early), drain(made.source())]);
    await made.whole;
    const late = await drain(made.source());
    for (const got of [first, second, late]) expect(got.equals(BODY)).to.equal(true);
    expect(exports).to.equal(1);
    expect(early).to.include({ contentType: 'application/octet-stream', length: BODY.length });
    made.close();
  });

  it('verifies a split image by the sha256 of its parts, and keeps the multipart type for the uploads', async () => {
    const made = await spool(SPLIT);
    const source = made.source();
    const got = await drain(source);
    await made.whole;
    expect(got.equals(multipart())).to.equal(true);
    expect(source).to.have.property('contentType', `multipart/form-data; boundary=${BOUNDARY}`);
  });

  it('fails the spool and every reader when the data is not the fingerprint', async () => {
    const made = await spool('0'.repeat(64));
    const reading = drain(made.source()).then(
      () => undefined,
      (error: unknown) => error,
    );
    const error = await rejection(made.whole);
    expect(error).to.be.instanceOf(LxcError);
    expect((error as Error).message).to.include(`not ${'0'.repeat(64)}`);
    expect(await reading).to.be.instanceOf(Error);
  });

  it('stops reading when closed, and leaves only its file for the caller to remove', async () => {
    const made = await spool(FP);
    made.close();
    await made.whole.catch(() => undefined);
    expect(await readdir(dir)).to.include('export');
  });
});
