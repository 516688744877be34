import { FakeTransport } from './fake-transport.js';
import { Core, type Defaults } from '../../lib/call/core.js';
import { KeyedLocks } from '../../lib/call/locks.js';
import { clientSeam } from '../../lib/call/policies.js';
import { RemoteDirectory } from '../../lib/call/remotes.js';
import { Scheduler } from '../../lib/call/scheduler.js';
import { remoteListCommand } from '../../lib/requests/server.js';

/** A Core over a fake transport (with the client's policies), with the given defaults and concurrency limit. */
export function fakeCore(
  defaults: Defaults = { remote: 'local' },
  concurrency = 8,
): { fake: FakeTransport; core: Core } {
  const fake = new FakeTransport();
  const scheduler = new Scheduler(concurrency);
  const list = { cli: remoteListCommand('lxd') };
  const locks = new KeyedLocks();
  const core = new Core({
    send: clientSeam(fake.send.bind(fake), { scheduler, locks }),
    locks,
    transport: fake.name,
    remotes: new RemoteDirectory(
      async (signal) => (await fake.send({ remote: 'local' }, list, signal)).data,
      'lxd',
    ),
    defaults,
    servers: new Map(),
  });
  return { fake, core };
}
