import { debuglog } from 'node:util';

const debug = debuglog('lxc-images');

/** True when `NODE_DEBUG=lxc-images` asks for a trace. */
export function tracing(): boolean {
  return debug.enabled;
}

// Quotes an argv element that would not read back as one word.
function word(arg: string): string {
  return /^[\w@%+=:,./?&-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/**
 * Writes one trace line for a finished process or request (`NODE_DEBUG=lxc-images`):
 * what ran (already redacted), how it ended, and how long it took.
 */
export function trace(command: readonly string[], outcome: string, ms: number): void {
  if (debug.enabled) debug('%s -> %s in %sms', command.map(word).join(' '), outcome, ms.toFixed(1));
}

/** Writes a free-form trace line (a fallback taken, a retry). */
export function note(message: string): void {
  debug('%s', message);
}
