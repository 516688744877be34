import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { type Client, LxcError, ValidationError } from '../../../lib/index.js';
import { fakeClient, type FakeTransport } from '../fake-transport.js';
import { F0 } from '../helpers.js';

const HOSTILE: readonly unknown[] = [
  '',
  '-rf',
  '--all-projects',
  'a\u0000b',
  'x'.repeat(200 * 1024),
  'line\nbreak',
  42,
  null,
  {},
  [],
  Symbol('s'),
  10n,
];

// Each call with one argument replaced by a hostile value (the others are valid).
const CALLS: Record<string, (c: Client, v: unknown) => Promise<unknown>> = {
  'images.list remote': (c, v) => c.images.list(v as string),
  'images.list filter': (c, v) => c.images.list('local', { filter: v as string }),
  'images.info ref': (c, v) => c.images.info('local', v as string),
  'images.infoMany refs': (c, v) => c.images.infoMany('local', [F0, v as string]),
  'images.getByAlias alias': (c, v) => c.images.getByAlias('local', v as string),
  'images.exists ref': (c, v) => c.images.exists('local', v as string),
  'images.replace body': (c, v) =>
    c.images.replace('local', F0, { properties: { k: v as string } }),
  'images.update key': (c, v) => c.images.update('local', F0, { properties: { [String(v)]: 'v' } }),
  'images.delete ref': (c, v) => c.images.delete('local', v as string),
  'images.setProperty value': (c, v) => c.images.setProperty('local', F0, 'k', v as string),
  'images.setProperty key': (c, v) => c.images.setProperty('local', F0, v as string, 'v'),
  'images.unsetProperty key': (c, v) => c.images.unsetProperty('local', F0, v as string),
  'images.getProperty key': (c, v) => c.images.getProperty('local', F0, v as string),
  'images.import source': (c, v) => c.images.import('local', v as string),
  'images.import alias': (c, v) =>
    c.images.import('local', Buffer.from('x'), { aliases: [v as string] }),
  'images.importFromUrl url': (c, v) => c.images.importFromUrl('local', v as string),
  'images.copy target': (c, v) => c.images.copy('local', F0, v as string),
  'images.copy profiles': (c, v) => c.images.copy('local', F0, 'r', { profiles: [v as string] }),
  'images.export destination': (c, v) => c.images.export('local', F0, v as string),
  'images.refresh ref': (c, v) => c.images.refresh('local', v as string),
  'images.createSecret ref': (c, v) => c.images.createSecret('local', v as string),
  'images.publish source': (c, v) => c.images.publish('local', v as string),
  'images.publish compression': (c, v) =>
    c.images.publish('local', 'c1', { compression: v as string }),
  'images.publish alias': (c, v) => c.images.publish('local', 'c1', { aliases: [v as string] }),
  'images.usage allProjects': (c, v) => c.images.usage('local', { allProjects: v as boolean }),
  'images.prune policy': (c, v) => c.images.prune('local', v as { keep: number }),
  'images.prune keep': (c, v) => c.images.prune('local', { keep: v as number }),
  'images.prune unusedFor': (c, v) => c.images.prune('local', { unusedFor: v as number }),
  'images.prune dryRun': (c, v) => c.images.prune('local', { keep: 1 }, { dryRun: v as boolean }),
  // `local` is refused for a secret read (a unix socket): a secret that passes its check is refused there
  'images.info secret': (c, v) => c.images.info('local', F0, { secret: v as string }),
  'images.export secret': (c, v) => c.images.export('local', F0, tmpdir(), { secret: v as string }),
  'images.ensure source': (c, v) => c.images.ensure('local', { source: v as string }),
  'images.ensure url': (c, v) => c.images.ensure('local', { source: { url: v as string } }),
  'images.ensure remote': (c, v) =>
    c.images.ensure('local', { source: { remote: v as string, ref: F0 } }),
  'images.ensure snapshot': (c, v) =>
    c.images.ensure('local', { source: { instance: 'c1', snapshot: v as string } }),
  'images.ensure alias': (c, v) =>
    c.images.ensure('local', { source: { remote: 'r', ref: F0 }, aliases: [v as string] }),
  'images.ensure property': (c, v) =>
    c.images.ensure('local', { source: { remote: 'r', ref: F0 }, properties: { k: v as string } }),
  'images.ensure keep': (c, v) =>
    c.images.ensure('local', { source: { remote: 'r', ref: F0 }, keep: v as number }),
  'images.sync ref': (c, v) => c.images.sync('local', v as string, ['r']),
  'images.sync target': (c, v) => c.images.sync('local', F0, [v as string]),
  'images.sync targets': (c, v) => c.images.sync('local', F0, v as string[]),
  'images.sync alias': (c, v) => c.images.sync('local', F0, ['r'], { aliases: [v as string] }),
  'images.sync concurrency': (c, v) =>
    c.images.sync('local', F0, ['r'], { concurrency: v as number }),
  'images.sync mode': (c, v) => c.images.sync('local', F0, ['r'], { mode: v as 'pull' }),
  'aliases.set name': (c, v) => c.images.aliases.set('local', v as string, F0),
  'aliases.set target': (c, v) => c.images.aliases.set('local', 'a', v as string),
  'aliases.set description': (c, v) =>
    c.images.aliases.set('local', 'a', F0, { description: v as string }),
  'aliases.info name': (c, v) => c.images.aliases.info('local', v as string),
  'aliases.create name': (c, v) =>
    c.images.aliases.create('local', { name: v as string, target: F0 }),
  'aliases.create description': (c, v) =>
    c.images.aliases.create('local', { name: 'a', target: F0, description: v as string }),
  'aliases.replace target': (c, v) =>
    c.images.aliases.replace('local', 'a', { target: v as string }),
  'aliases.update description': (c, v) =>
    c.images.aliases.update('local', 'a', { description: v as string }),
  'aliases.rename newName': (c, v) => c.images.aliases.rename('local', 'a', v as string),
  'aliases.delete name': (c, v) => c.images.aliases.delete('local', v as string),
  'operations.info id': (c, v) => c.operations.info('local', v as string),
  'operations.wait seconds': (c, v) => c.operations.wait('local', 'abc', { seconds: v as number }),
  'operations.cancel id': (c, v) => c.operations.cancel('local', v as string),
  'query path': (c, v) => c.query('local', v as string),
  'query body': (c, v) => c.query('local', '/1.0', { method: 'PATCH', body: { v } }),
  'options project': (c, v) => c.images.list('local', { project: v as string }),
  'options timeout': (c, v) => c.images.list('local', { timeout: v as number }),
  'options signal': (c, v) => c.images.list('local', { signal: v as AbortSignal }),
};

// True for a value that some argument legitimately takes (a newline in a description…).
function acceptable(error: unknown, fake: FakeTransport): boolean {
  return error === undefined || fake.seen.length + fake.downloads.length + fake.uploads.length > 0;
}

describe('hostile input', () => {
  for (const [name, call] of Object.entries(CALLS)) {
    it(`${name}: every rejection is an LxcError, and a refused value sends nothing`, async () => {
      for (const value of HOSTILE) {
        const { fake, client } = fakeClient();
        const error = await call(client, value).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error !== undefined)
          expect(error, `${name} with ${String(value)}`).to.be.instanceOf(LxcError);
        if (error instanceof ValidationError)
          expect(fake.seen, `${name}: sent before refusing`).to.deep.equal([]);
        if (!(error instanceof ValidationError)) expect(acceptable(error, fake)).to.equal(true);
      }
    });
  }
});
