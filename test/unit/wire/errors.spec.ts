import { expect } from 'chai';
import {
  AbortError,
  BinaryNotFoundError,
  ConflictError,
  InstanceRunningError,
  LxcError,
  NotFoundError,
  ParseError,
  RemoteError,
  SyncError,
  TimeoutError,
  ValidationError,
} from '../../../lib/wire/errors.js';

const CLASSES = [
  [LxcError, 'ERR_LXC', () => new LxcError('m')],
  [NotFoundError, 'ERR_LXC_NOT_FOUND', () => new NotFoundError('m')],
  [ConflictError, 'ERR_LXC_CONFLICT', () => new ConflictError('m')],
  [InstanceRunningError, 'ERR_LXC_INSTANCE_RUNNING', () => new InstanceRunningError('c1')],
  [ValidationError, 'ERR_LXC_VALIDATION', () => new ValidationError('f', 'm')],
  [RemoteError, 'ERR_LXC_REMOTE', () => new RemoteError('m')],
  [BinaryNotFoundError, 'ERR_LXC_BINARY_NOT_FOUND', () => new BinaryNotFoundError('m')],
  [TimeoutError, 'ERR_LXC_TIMEOUT', () => new TimeoutError('m')],
  [AbortError, 'ABORT_ERR', () => new AbortError('m')],
  [ParseError, 'ERR_LXC_PARSE', () => new ParseError('m', 'raw')],
  [SyncError, 'ERR_LXC_SYNC', () => new SyncError('f', [])],
] as const;

describe('errors', () => {
  for (const [ErrorClass, code, make] of CLASSES) {
    it(`${ErrorClass.name} has the stable code ${code}, on the class and on each error`, () => {
      const error = make();
      expect(ErrorClass.code).to.equal(code);
      expect(error.code).to.equal(code);
      expect(error.name).to.equal(ErrorClass.name);
      expect(error).to.be.instanceOf(LxcError).and.instanceOf(Error);
    });
  }

  it('keeps every detail, with empty defaults', () => {
    const cause = new Error('inner');
    const error = new LxcError('m', {
      command: ['GET', 'local:/1.0'],
      exitCode: 1,
      status: 404,
      stderr: 'e',
      stdout: 'o',
      signal: 'SIGTERM',
      durationMs: 12,
      remote: 'local',
      cause,
    });
    expect(error).to.include({
      exitCode: 1,
      status: 404,
      stderr: 'e',
      stdout: 'o',
      signal: 'SIGTERM',
      durationMs: 12,
      remote: 'local',
      cause,
    });
    expect(error.command).to.deep.equal(['GET', 'local:/1.0']);
    const bare = new LxcError('m');
    expect(bare).to.include({ stderr: '', stdout: '', status: undefined, remote: undefined });
    expect(bare.command).to.deep.equal([]);
    expect(bare).not.to.have.property('cause');
  });

  it('ValidationError names its field in the message', () => {
    const error = new ValidationError('timeout', 'must be positive');
    expect(error).to.include({ field: 'timeout', message: 'timeout: must be positive' });
  });

  it('ParseError keeps raw, also as stdout unless given', () => {
    expect(new ParseError('bad', 'raw text')).to.include({ raw: 'raw text', stdout: 'raw text' });
    expect(new ParseError('bad', 'raw', { stdout: 'other' })).to.include({ stdout: 'other' });
  });

  it('InstanceRunningError is a ConflictError that names the instance and says to pass force', () => {
    const error = new InstanceRunningError('c1');
    expect(error).to.be.instanceOf(ConflictError).and.include({ instance: 'c1' });
    expect(error.message).to.include('"c1"').and.include('force: true');
  });

  it('RemoteError keeps the unreachable member', () => {
    expect(new RemoteError('down', { member: '10.0.0.2:8443' })).to.include({
      member: '10.0.0.2:8443',
    });
  });

  it('SyncError lists every target and names the failed ones, the first failure as its cause', () => {
    const first = new RemoteError('unreachable');
    const error = new SyncError('fp', [
      { remote: 'a', status: 'copied', actions: [] },
      { remote: 'b', status: 'failed', error: first, actions: [] },
      { remote: 'c', status: 'failed', error: new LxcError('disk full'), actions: [] },
      { remote: 'd', status: 'skipped', actions: [] },
    ]);
    expect(error.message).to.equal(
      'the sync failed on 2 of 4 targets: b (unreachable), c (disk full)',
    );
    expect(error.results.map((r) => r.remote)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(error.fingerprint).to.equal('fp');
    expect(error.cause).to.equal(first);
  });
});
