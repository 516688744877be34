import { debuglog } from 'node:util';
import { execa } from 'execa';
import { BinaryNotFoundError } from '../wire/errors.js';

const debug = debuglog('lxc-images');

/** A long-running child (a sandbox daemon) started by {@link startDaemon}. */
export interface DaemonProcess {
  /** Its process id (also its process group). */
  pid: number;
  /** Settles when it has exited. */
  exited: Promise<void>;
  /** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to its process group, at once; resolves once it is gone. */
  kill(): Promise<void>;
}

const live = new Set<number>();
let hooked = false;

// Kills every daemon still running when this process exits (installed on first use, not at import).
function killOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const pid of live) signalGroup(pid, 'SIGKILL');
  });
}

// Signals a whole process group, ignoring one that is already gone.
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts a daemon in its own process group, output to `logFile`; it is killed if this process
 * exits. (The testing helpers' own spawner: the library itself spawns only through its runner.)
 */
export function startDaemon(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  logFile: string,
): DaemonProcess {
  debug('daemon %o', [file, ...args]);
  killOnExit();
  const child = execa(file, args, {
    env,
    extendEnv: true,
    detached: true,
    stdin: 'ignore',
    stdout: { file: logFile },
    stderr: { file: logFile },
    reject: false,
  });
  const pid = child.pid;
  if (pid === undefined)
    throw new BinaryNotFoundError(`${file}: could not be started`, { command: [file, ...args] });
  live.add(pid);
  const exited = child.then(() => {
    live.delete(pid);
  });
  return {
    pid,
    exited,
    async stop(graceMs = 15000) {
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        signalGroup(pid, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL');
    },
    async kill() {
      signalGroup(pid, 'SIGKILL');
      await exited;
    },
  };
}
