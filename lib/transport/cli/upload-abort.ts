import { readFile } from 'node:fs/promises';
import { CLEANUP_MS } from '../../operation/cleanup.js';

/** The signal of an upload's client: cut only while the image cannot have been sent whole. */
export interface UploadCut {
  /** Fires when the call's signal fires and the client had not read the whole image yet. */
  readonly signal: AbortSignal;
  /** Receives the client's pid once it has started. */
  onSpawn: (pid: number) => void;
  /** Stops following the call's signal. */
  dispose(): void;
}

// Bytes a process has read so far (its files and sockets), or undefined when it is gone.
async function bytesRead(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => undefined);
  const match = text === undefined ? null : /^rchar:\s*(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

// Sends a signal to a process that may be gone.
function signalProcess(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/**
 * The rule of an upload through `image import` when its call is aborted, as the REST upload's
 * (cut while it is being sent, not once sent whole): the client is paused (SIGSTOP) and its
 * reads counted. Fewer bytes read than the image holds means that the image was not sent
 * whole: the client is killed while it is paused, and the daemon stores nothing. Otherwise the daemon may store it
 * whatever happens: the client goes on, so that it says its operation, which the caller then
 * cancels or undoes; it is cut only {@link CLEANUP_MS} later. (Linux: `/proc/<pid>/io`.)
 */
export function cutUnlessSent(signal: AbortSignal, total: number): UploadCut {
  const controller = new AbortController();
  let pid: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const cut = (): void => {
    controller.abort(signal.reason);
  };
  const onAbort = (): void => {
    if (pid === undefined) {
      cut();
      return;
    }
    const child = pid;
    signalProcess(child, 'SIGSTOP');
    void bytesRead(child).then((read) => {
      if (read === undefined || read < total) {
        signalProcess(child, 'SIGKILL'); // while it is stopped: it sends nothing more
        cut();
        return;
      }
      signalProcess(child, 'SIGCONT');
      timer = setTimeout(cut, CLEANUP_MS).unref();
    });
  };
  if (signal.aborted) cut();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    onSpawn: (started) => {
      pid = started;
    },
    dispose() {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    },
  };
}
