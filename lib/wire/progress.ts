import type { Operation } from './schemas.js';

/** A progress report of a transfer. */
export interface ProgressEvent {
  /** What is moving: `import`, `copy`, `export`, `refresh` or `publish` (the daemon packing an instance). */
  stage: 'import' | 'copy' | 'export' | 'refresh' | 'publish';
  /** What the client or daemon calls this step, e.g. `Copying the image` or `download`. */
  label: string;
  /** Percent done, when known; it never goes backwards within a call. */
  percent?: number;
  /** Bytes moved so far, when known. */
  bytes?: number;
  /** Bytes per second. */
  speed?: number;
  /** The remote the event is about, when a call moves an image to several (`images.sync`). */
  remote?: string;
}

/** Receives progress events as a transfer goes. */
export type ProgressHandler = (event: ProgressEvent) => void;

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };
const UNITS_IEC: Record<string, number> = {
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

/** Parses `1.41GB` or `12.5MiB` into bytes; `undefined` when it is not a size. */
export function parseSize(text: string): number | undefined {
  const match = /^([\d.]+)\s*([KMGTP]?i?B)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'B').toUpperCase();
  const factor = UNITS[unit] ?? UNITS_IEC[unit];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

/**
 * Parses one progress text: a line of the client's output (`Copying the image: 45% (12.3MB/s)`,
 * `Transferring image: 12.34MB (1.2MB/s)`) or an operation's value (`45% (12.3MB/s)`, with the
 * label given); `undefined` for any other text.
 */
export function parseProgress(
  stage: ProgressEvent['stage'],
  line: string,
  label?: string,
): ProgressEvent | undefined {
  const text = label === undefined ? line.trim() : `${label}: ${line.trim()}`;
  const match = /^(.*?):\s+(?:(\d{1,3})%|([\d.]+\s*[KMGTP]?i?B))\s*(?:\(([^)]*)\))?\s*$/i.exec(
    text,
  );
  if (!match) return undefined;
  const event: ProgressEvent = { stage, label: match[1] ?? '' };
  if (match[2] !== undefined) event.percent = Number(match[2]);
  const bytes = match[3] === undefined ? undefined : parseSize(match[3]);
  if (bytes !== undefined) event.bytes = bytes;
  const speed = match[4] === undefined ? undefined : parseSize(match[4].replace(/\/s$/, ''));
  if (speed !== undefined) event.speed = speed;
  return event;
}

/** Turns a handler into a line callback for the runner (none when there is no handler). */
export function progressLines(
  stage: ProgressEvent['stage'],
  handler: ProgressHandler | undefined,
): ((line: string) => void) | undefined {
  if (!handler) return undefined;
  return (line) => {
    const event = parseProgress(stage, line);
    if (event) handler(event);
  };
}

/** Progress callbacks for a server-side operation. */
export interface OperationProgress {
  /** Reads the running operation: each `<what>_progress` value of its metadata
   * (`download_progress: "45% (12.3MB/s)"`) becomes an event labelled `<what>`. */
  onRunning: ((op: Operation) => void) | undefined;
  /** Reports an event of the same transfer that did not come from the operation (bytes relayed). */
  report: ProgressHandler;
  /** Reports the end (100%) once the operation has succeeded, if nothing did yet. */
  done(): void;
}

/** Turns a handler into progress callbacks for a server-side operation. */
export function operationProgress(
  stage: ProgressEvent['stage'],
  handler: ProgressHandler | undefined,
): OperationProgress {
  let label = 'done';
  let finished = false;
  const report = (event: ProgressEvent): void => {
    label = event.label;
    finished ||= event.percent === 100;
    handler?.(event);
  };
  return {
    report,
    onRunning: handler
      ? (op) => {
          for (const [key, value] of Object.entries(op.metadata)) {
            const what = /^(.+)_progress$/.exec(key)?.[1];
            if (what === undefined || typeof value !== 'string') continue;
            const event = parseProgress(stage, value, what);
            if (event) report(event);
          }
        }
      : undefined,
    done() {
      if (!finished) report({ stage, label, percent: 100 });
    },
  };
}

/** A handler that drops events whose percent is lower than one already reported. */
export function monotonic(handler: ProgressHandler | undefined): ProgressHandler | undefined {
  if (!handler) return undefined;
  let highest = -1;
  return (event) => {
    if (event.percent !== undefined) {
      if (event.percent < highest) return;
      highest = event.percent;
    }
    handler(event);
  };
}
