// A child process for the streams specs: `add DIR FILE...` adds the files concurrently and
// prints one JSON line per result; `hold DIR` takes the tree's lock and waits to be killed.
// Progress events are printed as `progress <percent>` lines.
import { add } from '../../lib/streams/index.js';
import { withTreeLock } from '../../lib/streams/lock.js';

const [command, dir = '', ...files] = process.argv.slice(2);
if (command === 'hold') {
  await withTreeLock(dir, async () => {
    process.stdout.write('held\n');
    await new Promise(() => undefined);
  });
} else {
  const results = await Promise.allSettled(
    files.map((file) =>
      add(dir, file, {
        onProgress: (event) => process.stdout.write(`progress ${event.percent ?? 0}\n`),
      }),
    ),
  );
  for (const r of results)
    process.stdout.write(
      `${JSON.stringify(r.status === 'fulfilled' ? { fingerprint: r.value.fingerprint } : { error: String(r.reason) })}\n`,
    );
}
