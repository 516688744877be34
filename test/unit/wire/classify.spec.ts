import { expect } from 'chai';
import {
  classifyMessage,
  errorFromMessage,
  stderrMessage,
  unreachableMember,
} from '../../../lib/wire/classify.js';
import { ConflictError, LxcError, NotFoundError, RemoteError } from '../../../lib/wire/errors.js';

const ZERO = '0'.repeat(64);
const REFUSED =
  'Unable to connect to: 127.0.0.1:1 ([dial tcp 127.0.0.1:1: connect: connection refused])';

// stderr lines of notes/cli-facts.md (LXD 5.0.2 and Incus 6.0.4), without "Error: ".
const CASES: readonly (readonly [string, typeof LxcError])[] = [
  ['Image not found', NotFoundError],
  [`Image "${ZERO}" not found`, NotFoundError],
  ['Image "abc" not found', NotFoundError],
  ['Image alias not found', NotFoundError],
  ['Operation not found', NotFoundError],
  ['Check if project has images: fetch project: Project not found', NotFoundError],
  ['Image with same fingerprint already exists', ConflictError],
  ['Alias "a" already exists', ConflictError],
  ['The remote "nosuch" doesn\'t exist', RemoteError],
  ['Missing TLS client certificate and key', RemoteError],
  [`Get "https://127.0.0.1:1/1.0": ${REFUSED}`, RemoteError],
  [`Get "https://127.0.0.1:1": ${REFUSED}`, RemoteError],
  ["The remote isn't a private LXD server", RemoteError],
  ["The remote isn't a private server", RemoteError],
  [
    `Failed parsing stream: Get "https://127.0.0.1:1/streams/v1/index.json": ${REFUSED}`,
    RemoteError,
  ],
  [`Head "https://127.0.0.1:1/x": ${REFUSED}`, RemoteError],
  [
    'Failed getting remote image info: Failed getting image: Failed parsing stream: ' +
      `Get "https://127.0.0.1:1/streams/v1/index.json": ${REFUSED}`,
    RemoteError,
  ],
  ['More than one image matches', LxcError],
  // publish (LXD 5.0.2 and Incus 6.0.4, from the operation)
  ['The image already exists: ' + ZERO, ConflictError],
  ['exec: "pigz": executable file not found in $PATH', LxcError],
  ['Compression algorithm "pigz" isn\'t supported on this system', LxcError],
  ['Instance not found', NotFoundError],
  ['Failed to fetch instance "nope" in project "default": Instance not found', NotFoundError],
  [
    'Failed to fetch snapshot "s" of instance "c1" in project "default": InstanceSnapshot not found',
    NotFoundError,
  ],
  ['name and target are required', LxcError],
  ["Profile 'nosuchprofile' doesn't exist", LxcError],
  ['json: cannot unmarshal string into Go value of type api.ImagePut', LxcError],
  ['The source and target servers must be different', LxcError],
  ["The source server isn't listening on the network", LxcError],
  ['unknown flag: --all-projects', LxcError],
  ['open /tmp/x/nodir/x: no such file or directory', LxcError],
];

describe('classifyMessage', () => {
  for (const [message, expected] of CASES) {
    it(`maps "${message.slice(0, 60)}" to ${expected.name}`, () => {
      expect(classifyMessage(message)).to.equal(expected);
    });
  }

  // `lxc image refresh` of a local image: the image exists, it only has no update source
  it('keeps "Image source not found" (refresh of a local image) a plain LxcError', () => {
    const message = `Failed to update image "${ZERO}" in project "default": Image source not found`;
    expect(classifyMessage(message)).to.equal(LxcError);
  });

  for (const [status, expected] of [
    [403, RemoteError],
    [404, NotFoundError],
    [409, ConflictError],
    [412, ConflictError],
    [500, LxcError],
  ] as const) {
    it(`maps an unclassified message with HTTP status ${status} to ${expected.name}`, () => {
      expect(classifyMessage('something went wrong', status)).to.equal(expected);
    });
  }

  it('lets the message win over the HTTP status', () => {
    expect(classifyMessage('Image not found', 500)).to.equal(NotFoundError);
    expect(classifyMessage('Alias "a" already exists', 404)).to.equal(ConflictError);
  });
});

describe('stderrMessage', () => {
  it('strips the "Error: " prefix and the newline', () => {
    expect(stderrMessage('Error: Image not found\n')).to.equal('Image not found');
  });

  it('picks the last Error line after other output (remote add)', () => {
    const stderr = `Generating a client certificate. This may take a minute...\nError: Get "https://127.0.0.1:1": ${REFUSED}\n`;
    expect(stderrMessage(stderr)).to.equal(`Get "https://127.0.0.1:1": ${REFUSED}`);
  });

  it('prefers the last of several Error lines', () => {
    expect(stderrMessage('Error: first\r\nError: second\r\nnote\n')).to.equal('second');
  });

  it('falls back to the last non-empty line when no line starts with "Error: "', () => {
    expect(stderrMessage('one\ntwo\n\n')).to.equal('two');
  });

  it('gives an empty string for empty stderr', () => {
    expect(stderrMessage('')).to.equal('');
  });
});

describe('errorFromMessage', () => {
  it('classifies the message and keeps every detail', () => {
    const cause = new Error('execa');
    const command = ['lxc', 'query', 'local:/1.0/images/abc'];
    const err = errorFromMessage('Image alias not found', {
      command,
      exitCode: 1,
      stderr: 'Error: Image alias not found\n',
      remote: 'local',
      cause,
    });
    expect(err).to.be.instanceOf(NotFoundError);
    expect(err).to.include({ message: 'Image alias not found', exitCode: 1, remote: 'local' });
    expect(err.command).to.deep.equal(command);
    expect(err.stderr).to.equal('Error: Image alias not found\n');
    expect(err.cause).to.equal(cause);
  });

  it('uses the HTTP status when the message says nothing known', () => {
    const err = errorFromMessage("ETag doesn't match", { status: 412 }, 412);
    expect(err).to.be.instanceOf(ConflictError).with.property('status', 412);
  });

  it('names the unreachable cluster member of a RemoteError', () => {
    const err = errorFromMessage('failed to notify peer 10.0.0.2:8443: connection refused', {});
    expect(err).to.be.instanceOf(RemoteError).with.property('member', '10.0.0.2:8443');
  });

  it('leaves member undefined when the message names none', () => {
    expect(errorFromMessage(REFUSED, {}))
      .to.be.instanceOf(RemoteError)
      .with.property('member', undefined);
  });

  it('sets a readable name on every class', () => {
    expect(new NotFoundError('x').name).to.equal('NotFoundError');
    expect(String(new RemoteError('down'))).to.equal('RemoteError: down');
  });
});

describe('unreachableMember', () => {
  it('reads an IPv4 or bracketed IPv6 address with its port', () => {
    expect(unreachableMember('failed to notify peer 10.0.0.2:8443')).to.equal('10.0.0.2:8443');
    expect(unreachableMember('Failed to notify peer [fd42::1]:8443: EOF')).to.equal(
      '[fd42::1]:8443',
    );
  });

  it('is undefined for other messages', () => {
    expect(unreachableMember('Image not found')).to.equal(undefined);
  });
});
