import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call } from '../call/call.js';
import { monotonic, type ProgressHandler } from '../wire/progress.js';
import type { Spool } from '../wire/request.js';
import { spoolRequest } from '../requests/import.js';

/** A target's progress events, tagged with its remote; its percent never goes back. */
export function tagged(
  handler: ProgressHandler | undefined,
  remote: string,
): ProgressHandler | undefined {
  return monotonic(
    handler &&
      ((event) => {
        handler({ ...event, remote });
      }),
  );
}

/** The image of a sync, read once for every relay target (when one needs it). */
export interface Spooler {
  /** The spool, started by the first relay target that asks. */
  get: () => Promise<Spool>;
  /** Stops the export if it still runs and removes the temporary directory. */
  dispose: () => Promise<void>;
}

/** The image read once for every relay target, into a temporary directory removed at the end. */
export function spooler(
  call: Call,
  fingerprint: string,
  onProgress: ProgressHandler | undefined,
): Spooler {
  let dir: Promise<string> | undefined;
  let spool: Promise<Spool> | undefined;
  const start = async (): Promise<Spool> => {
    dir ??= mkdtemp(join(tmpdir(), 'lxc-images-sync-'));
    return call.send(spoolRequest({ fingerprint, dir: await dir, onProgress }));
  };
  return {
    get: (): Promise<Spool> => (spool ??= start()),
    async dispose(): Promise<void> {
      const opened = await spool?.catch(() => undefined);
      opened?.close();
      await opened?.whole.catch(() => undefined);
      if (dir) await rm(await dir, { recursive: true, force: true });
    },
  };
}
