// A child process for the streams specs: `add DIR FILE...` adds the files concurrently and
// prints one JSON line per result; `hold DIR` takes the tree's lock and waits to be killed.
// Progress events are printed as `progress <percent>` lines; `add-and-stop DIR FILE` stops
// itself (SIGSTOP) at its first progress event from 1% to 99%, frozen in the middle of the copy.
import { add } from '../../lib/streams/index.js';
import { withTreeLock } from '../../lib/streams/lock.js';

const [command, dir = '', ...files] = process.argv.slice(2);
if (command === 'hold') {
  await withTreeLock(dir, async () => {
    process.stdout.write('held\n');
    await new Promise(() => undefined);
  });
} else {
  const stop = command === 'add-and-stop';
  const results = await Promise.allSettled(
    files.map((file) =>
      add(dir, file, {
        onProgress: (event) => {
          process.stdout.write(`progress ${event.percent ?? 0}\n`); // synchronous on a pipe
          if (stop && (event.percent ?? 0) >= 1 && (event.percent ?? 0) < 100)
            process.kill(process.pid, 'SIGSTOP');
        },
      }),
    ),
  );
  for (const r of results)
    process.stdout.write(
      `${JSON.stringify(r.status === 'fulfilled' ? { fingerprint: r.value.fingerprint } : { error: String(r.reason) })}\n`,
    );
}
