/** A progress report of a transfer. */
export interface ProgressEvent {
  /** What is moving: `import`, `copy`, `export` or `refresh`. */
  stage: 'import' | 'copy' | 'export' | 'refresh';
  /** The client's own words, e.g. `Copying the image: metadata`. */
  label: string;
  /** Percent done, when the client knows it. */
  percent?: number;
  /** Bytes moved so far, when the client prints them. */
  bytes?: number;
  /** Bytes per second. */
  speed?: number;
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
 * Parses one line of the client's progress output (`Copying the image: 45% (12.3MB/s)`,
 * `Transferring image: 12.34MB (1.2MB/s)`); `undefined` for any other line.
 */
export function parseProgress(
  stage: ProgressEvent['stage'],
  line: string,
): ProgressEvent | undefined {
  const match = /^(.*?):\s+(?:(\d{1,3})%|([\d.]+\s*[KMGTP]?i?B))\s*(?:\(([^)]*)\))?\s*$/i.exec(
    line.trim(),
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
