import { Core, type Defaults } from '../../lib/call/core.js';
import { KeyedLocks } from '../../lib/call/locks.js';
import { Scheduler } from '../../lib/call/scheduler.js';
import { RemoteDirectory } from '../../lib/remotes/directory.js';
import { FakeTransport } from './fake-transport.js';

/** A Core over a fake transport, with the given defaults and concurrency limit. */
export function fakeCore(
  defaults: Defaults = { remote: 'local' },
  concurrency = 8,
): { fake: FakeTransport; core: Core } {
  const fake = new FakeTransport();
  const core = new Core({
    transport: fake,
    remotes: new RemoteDirectory(() => fake.listRemotes(), 'lxd'),
    scheduler: new Scheduler(concurrency),
    locks: new KeyedLocks(),
    defaults,
    servers: new Map(),
  });
  return { fake, core };
}
