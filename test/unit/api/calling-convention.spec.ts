import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Client, createClient } from '../../../lib/index.js';
import { FakeTransport, requestKey } from '../fake-transport.js';
import { F0, fixture, OP_ID, operation } from '../helpers.js';

const IMAGE = fixture('image.lxd.json');
const ALIAS = fixture('alias.lxd.json');
const DONE = operation({ status: 'Success', status_code: 200, metadata: { fingerprint: F0 } });
const SECRET = fixture('operation-secret.lxd.json');
const INSTANCE = JSON.stringify({ name: 'c1', status: 'Stopped', ephemeral: false, config: {} });
const SERVER = JSON.stringify({ environment: { addresses: ['10.0.0.1:8443'], certificate: 'C' } });

// A fake that answers every request of the API with a plausible daemon answer.
function answering(): FakeTransport {
  const fake = new FakeTransport('cli');
  fake.uploaded = F0;
  fake.downloadFiles = { [`${F0}.tar.gz`]: 'data' };
  const answer = (key: string): string => {
    if (key.startsWith('cli image list')) return fixture('image-list.lxd.json');
    if (key.startsWith('cli image alias list')) return fixture('aliases.lxd.json');
    if (/^GET \w+:\/1\.0\/images\/aliases\?/.test(key)) return fixture('aliases.lxd.json');
    if (/^GET \w+:\/1\.0\/images\/aliases\//.test(key)) return ALIAS;
    if (/^GET \w+:\/1\.0\/images\?/.test(key)) return fixture('images.lxd.json');
    if (/^GET \w+:\/1\.0\/images$/.test(key)) return JSON.stringify([`/1.0/images/${F0}`]);
    if (/^GET \w+:\/1\.0\/images\//.test(key)) return IMAGE;
    if (/^GET \w+:\/1\.0(\?|$)/.test(key)) return SERVER;
    if (/^GET \w+:\/1\.0\/instances\//.test(key)) return INSTANCE;
    if (/^GET \w+:\/1\.0\/projects\?/.test(key)) return JSON.stringify([{ name: 'default' }]);
    if (key.includes('/secret')) return SECRET;
    if (key.includes('/1.0/operations/')) return key.startsWith('DELETE') ? '' : DONE;
    if (/^(POST|DELETE) \w+:\/1\.0\/images(\?|$|\/[0-9a-f]{64}(\?|$|\/refresh))/.test(key))
      return key.startsWith('POST') ? DONE : '';
    return '';
  };
  const send = fake.send.bind(fake);
  fake.send = (target, request, signal) => {
    const transfer = request.upload ?? request.download ?? request.relay;
    const isList = request.cli?.args[0] === 'remote';
    const key = transfer || isList ? undefined : requestKey(target, request, 'cli');
    if (key !== undefined && !fake.has(key)) fake.on(key, answer(key));
    return send(target, request, signal);
  };
  return fake;
}

describe('every call takes a mutator, in the options slot or after options', () => {
  let tmp: string;
  let file: string;
  let client: Client;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lxc-images-mutators-'));
    file = join(tmp, 'image.tar.gz');
    writeFileSync(file, 'data');
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => {
    client = createClient({ transport: answering() });
  });

  // Each call, as a function of its tail: `(…args, tail…)`.
  const calls: Record<string, (...tail: unknown[]) => Promise<unknown>> = {
    'images.list': (...t) => client.images.list('local', ...(t as [])),
    'images.fingerprints': (...t) => client.images.fingerprints('local', ...(t as [])),
    'images.info': (...t) => client.images.info('local', F0, ...(t as [])),
    'images.infoMany': (...t) => client.images.infoMany('local', [F0], ...(t as [])),
    'images.getByAlias': (...t) => client.images.getByAlias('local', 'a', ...(t as [])),
    'images.exists': (...t) => client.images.exists('local', F0, ...(t as [])),
    'images.replace': (...t) => client.images.replace('local', F0, { public: true }, ...(t as [])),
    'images.update': (...t) => client.images.update('local', F0, { public: true }, ...(t as [])),
    'images.delete': (...t) => client.images.delete('local', F0, ...(t as [])),
    'images.getProperty': (...t) => client.images.getProperty('local', F0, 'os', ...(t as [])),
    'images.setProperty': (...t) => client.images.setProperty('local', F0, 'k', 'v', ...(t as [])),
    'images.unsetProperty': (...t) => client.images.unsetProperty('local', F0, 'k', ...(t as [])),
    'images.import': (...t) => client.images.import('local', file, ...(t as [])),
    'images.importFromUrl': (...t) =>
      client.images.importFromUrl('local', 'https://example.com/i', ...(t as [])),
    'images.copy': (...t) => client.images.copy('local', F0, 'r', ...(t as [])),
    'images.export': (...t) => client.images.export('local', F0, tmp, ...(t as [])),
    'images.refresh': (...t) => client.images.refresh('local', F0, ...(t as [])),
    'images.createSecret': (...t) => client.images.createSecret('local', F0, ...(t as [])),
    'images.publish': (...t) => client.images.publish('local', 'c1', ...(t as [])),
    'images.ensure': (...t) => client.images.ensure('local', { source: file }, ...(t as [])),
    'images.sync': (...t) => client.images.sync('local', F0, ['r'], ...(t as [])),
    'images.usage': (...t) => client.images.usage('local', ...(t as [])),
    'images.prune': (...t) => client.images.prune('local', { unusedFor: 0 }, ...(t as [])),
    'aliases.list': (...t) => client.images.aliases.list('local', ...(t as [])),
    'aliases.info': (...t) => client.images.aliases.info('local', 'a', ...(t as [])),
    'aliases.create': (...t) =>
      client.images.aliases.create('local', { name: 'a', target: F0 }, ...(t as [])),
    'aliases.set': (...t) => client.images.aliases.set('local', 'a', F0, ...(t as [])),
    'aliases.replace': (...t) =>
      client.images.aliases.replace('local', 'a', { target: F0 }, ...(t as [])),
    'aliases.update': (...t) =>
      client.images.aliases.update('local', 'a', { description: 'd' }, ...(t as [])),
    'aliases.rename': (...t) => client.images.aliases.rename('local', 'a', 'b', ...(t as [])),
    'aliases.delete': (...t) => client.images.aliases.delete('local', 'a', ...(t as [])),
    'operations.info': (...t) => client.operations.info('local', OP_ID, ...(t as [])),
    'operations.wait': (...t) => client.operations.wait('local', OP_ID, ...(t as [])),
    'operations.cancel': (...t) => client.operations.cancel('local', OP_ID, ...(t as [])),
    'remotes.list': (...t) => client.remotes.list(...(t as [])),
    query: (...t) => client.query('local', '/1.0', ...(t as [])),
  };

  it('covers every public call of the client (a call missing here fails)', () => {
    const probe = createClient({ transport: answering() });
    const methods = (prefix: string, target: object): string[] =>
      Object.keys(target)
        .filter((name) => name !== 'aliases')
        .map((name) => `${prefix}.${name}`);
    const every = [
      ...methods('images', probe.images),
      ...methods('aliases', probe.images.aliases),
      ...methods('operations', probe.operations),
      ...methods('remotes', probe.remotes),
      'query',
    ];
    expect(Object.keys(calls).sort()).to.deep.equal(every.sort());
  });

  for (const [name, call] of Object.entries(calls)) {
    it(`${name}: the mutator's value, from either slot; its error passes through`, async () => {
      const seen: unknown[] = [];
      const mutator = async (value: unknown): Promise<string> => {
        seen.push(value);
        return Promise.resolve('mutated');
      };
      expect(await call(mutator)).to.equal('mutated');
      expect(await call({}, mutator)).to.equal('mutated');
      expect(seen).to.have.length(2);
      const boom = new Error('boom');
      const failed = await call(() => {
        throw boom;
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).to.equal(boom);
    });
  }
});
