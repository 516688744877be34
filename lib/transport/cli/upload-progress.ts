import { readFile } from 'node:fs/promises';
import type { ProgressHandler } from '../../wire/progress.js';

/** Follows an upload by the bytes its client process has read (`/proc/<pid>/io`, Linux). */
export interface UploadWatch {
  /** Starts polling the client process. */
  onSpawn: (pid: number) => void;
  /** Stops polling; `done` reports the whole upload. */
  stop: (done: boolean) => void;
}

// Bytes read so far by a process, or undefined when it cannot be read.
async function bytesRead(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => undefined);
  const match = text === undefined ? null : /^rchar:\s*(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Reports an upload of `total` bytes: the `lxc image import` client prints no progress for local
 * files, so this reads how much of them it has read, every `intervalMs`.
 */
export function watchUpload(
  total: number,
  onProgress: ProgressHandler,
  intervalMs = 200,
): UploadWatch {
  let timer: NodeJS.Timeout | undefined;
  let last = -1;
  const report = (bytes: number): void => {
    const clamped = Math.min(bytes, total);
    const percent = total === 0 ? 100 : Math.floor((clamped / total) * 100);
    if (percent === last) return;
    last = percent;
    onProgress({ stage: 'import', label: 'Uploading the image', percent, bytes: clamped });
  };
  return {
    onSpawn(pid) {
      timer = setInterval(() => {
        void bytesRead(pid).then((bytes) => {
          if (bytes !== undefined && timer !== undefined) report(bytes);
        });
      }, intervalMs);
    },
    stop(done) {
      clearInterval(timer);
      timer = undefined;
      if (done) report(total);
    },
  };
}
