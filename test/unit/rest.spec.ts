import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { ConflictError, NotFoundError, ParseError, RemoteError } from '../../lib/errors.js';
import { Redactor } from '../../lib/redact.js';
import { safeName } from '../../lib/transport/rest/download.js';
import { configDir, resolveEndpoint, socketPath } from '../../lib/transport/rest/endpoint.js';
import { readEnvelope } from '../../lib/transport/rest/http.js';
import { quoted, uploadBody } from '../../lib/transport/rest/upload.js';
import { thrown } from './helpers.js';

// An answer with a status, as readEnvelope sees it.
function answer(status: number): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.statusCode = status;
  return message;
}

describe('REST endpoints', () => {
  it('finds the config directory as lxc and incus do', () => {
    expect(configDir('lxd', { LXD_CONF: '/c' })).to.equal('/c');
    expect(configDir('lxd', { HOME: '/h' })).to.equal('/h/.config/lxc');
    expect(configDir('incus', { INCUS_CONF: '/i', LXD_CONF: '/c' })).to.equal('/i');
    expect(configDir('incus', { HOME: '/h' })).to.equal('/h/.config/incus');
  });

  it('finds the local socket: the address, then *_SOCKET, then *_DIR', async () => {
    expect(await socketPath('unix:///srv/s.sock', 'lxd', {})).to.equal('/srv/s.sock');
    expect(await socketPath('unix://', 'lxd', { LXD_SOCKET: '/s', LXD_DIR: '/d' })).to.equal('/s');
    expect(await socketPath('unix://', 'lxd', { LXD_DIR: '/d' })).to.equal('/d/unix.socket');
    expect(await socketPath('unix://', 'incus', { INCUS_DIR: '/d' })).to.equal('/d/unix.socket');
  });

  it('leaves to the CLI what REST cannot serve, and says why', async () => {
    const reasons = await Promise.all(
      [
        { name: 'ss', url: 'https://x', protocol: 'simplestreams', public: true },
        { name: 'pub', url: 'https://x', protocol: 'lxd', public: true },
        { name: 'o', url: 'https://x', protocol: 'incus', public: false, auth_type: 'oidc' },
        { name: 'nocert', url: 'https://127.0.0.1:1', protocol: 'lxd', public: false },
      ].map(async (remote) => {
        const endpoint = await resolveEndpoint(remote, 'lxd', { LXD_CONF: '/nonexistent' });
        return 'reason' in endpoint ? endpoint.reason : endpoint.kind;
      }),
    );
    expect(reasons).to.deep.equal([
      'it is a simplestreams remote',
      'it is a public image server',
      'its auth type is oidc',
      'there is no client certificate',
    ]);
  });
});

describe('readEnvelope', () => {
  const read = (text: string, status: number): unknown =>
    thrown(() => readEnvelope(text, answer(status), ['GET', 'r:/1.0'], 'r', new Redactor()));

  it('classifies an error answer by its message, then by its status, with LXD words', () => {
    const notFound = read('{"type":"error","error":"Image not found","error_code":404}', 404);
    expect(notFound).to.be.instanceOf(NotFoundError).with.property('message', 'Image not found');
    expect(notFound).to.have.property('status', 404);
    const stale = read(
      '{"type":"error","error":"ETag doesn\'t match: a vs b","error_code":412}',
      412,
    );
    expect(stale).to.be.instanceOf(ConflictError).with.property('status', 412);
    const gone = read('{"type":"error","error":"forbidden","error_code":403}', 403);
    expect(gone).to.be.instanceOf(RemoteError);
  });

  it('keeps a body that is not JSON in a ParseError, secrets masked', () => {
    const text = '<html>secret=abc</html>';
    const error = read(text, 502) as ParseError;
    expect(error).to.be.instanceOf(ParseError);
    expect(error.raw).to.match(/^<html>secret=\*\*\*/);
    expect(error.raw).to.not.include('abc');
  });

  it('masks secrets in the message and body of an error', () => {
    const body = '{"type":"error","error":"bad token: tok123","error_code":400}';
    const error = thrown(() =>
      readEnvelope(body, answer(400), ['POST', 'r:/1.0'], 'r', new Redactor(['tok123'])),
    ) as Error & { stdout: string };
    expect(error.message).to.not.include('tok123');
    expect(error.stdout).to.not.include('tok123');
  });

  it('resolves to the envelope of a sync answer', () => {
    const envelope = readEnvelope(
      '{"type":"sync","status_code":200,"metadata":{"a":1}}',
      answer(200),
      ['GET', 'r:/1.0'],
      'r',
      new Redactor(),
    );
    expect(envelope.metadata).to.deep.equal({ a: 1 });
  });
});

describe('REST uploads and downloads', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-rest-unit-'));
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('sends a split image as multipart whose Content-Length is its exact size', async () => {
    writeFileSync(join(tmp, 'meta.tar.gz'), 'metadata bytes');
    writeFileSync(join(tmp, 'root "fs".tar.gz'), Buffer.alloc(1000, 7));
    const upload = {
      source: {
        kind: 'files' as const,
        files: [join(tmp, 'meta.tar.gz'), join(tmp, 'root "fs".tar.gz')],
      },
      properties: { os: 'a b', k: 'x&y=z' },
      public: true,
    };
    const { body, length, headers } = await uploadBody(upload, 'X-Incus');
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const sent = Buffer.concat(chunks);
    expect(sent.length).to.equal(length);
    expect(headers['Content-Length']).to.equal(length);
    expect(headers['X-Incus-public']).to.equal('true');
    expect(new URLSearchParams(headers['X-Incus-properties'] as string).get('k')).to.equal('x&y=z');
    const text = sent.toString('latin1');
    expect(text.indexOf('name="metadata"')).to.be.below(text.indexOf('name="rootfs"'));
    expect(text).to.include('filename="root _fs_.tar.gz"');
  });

  it('streams a Readable as octet-stream without a length', async () => {
    const upload = {
      source: { kind: 'stream' as const, stream: Readable.from([Buffer.from('x')]) },
      properties: {},
      public: false,
    };
    const { length, headers } = await uploadBody(upload, 'X-LXD');
    expect(length).to.equal(undefined);
    expect(headers).to.deep.equal({ 'Content-Type': 'application/octet-stream' });
  });

  it('keeps file names in header values printable and quoted', () => {
    expect(quoted('a"b\\c\n图.tar')).to.equal('a_b_c__.tar');
  });

  it('takes a plain file name from the daemon, and nothing that could leave the folder', () => {
    expect(safeName('abc.tar.gz', 'fb')).to.equal('abc.tar.gz');
    expect(safeName('../../etc/passwd', 'fb')).to.equal('passwd');
    expect(safeName('..', 'fb')).to.equal('fb');
    expect(safeName('.hidden', 'fb')).to.equal('fb');
    expect(safeName(undefined, 'fb')).to.equal('fb');
  });
});
