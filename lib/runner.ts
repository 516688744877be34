import { debuglog } from 'node:util';
import type { Readable } from 'node:stream';
import { execa, type ExecaError } from 'execa';
import { toLxcError } from './classify.js';
import { AbortError, BinaryNotFoundError } from './errors.js';
import { redactArgv } from './redact.js';

const debug = debuglog('lxc-images');

/** Per-call options of a {@link Runner}. */
export interface RunOptions {
  /** Milliseconds before the child is killed. */
  timeout?: number | undefined;
  /** Aborting kills the child. */
  signal?: AbortSignal | undefined;
  /** Receives each line (split on `\n` or `\r`) of stdout as it comes. */
  onLine?: ((line: string) => void) | undefined;
  /** Fed to the child's stdin. */
  input?: Readable | undefined;
  /** The remote the call is aimed at, for error details. */
  remote?: string | undefined;
  /** Called with the child's pid once it is spawned. */
  onSpawn?: ((pid: number) => void) | undefined;
}

/** What a successful run printed. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs the client binary with `args` (an argv array, never a shell).
 * Resolves with its output, or rejects with a classified `LxcError`.
 */
export type Runner = (args: readonly string[], options?: RunOptions) => Promise<RunResult>;

/** How {@link createExecaRunner} spawns. */
export interface ExecaRunnerOptions {
  /** `lxc`, `incus` or a path. */
  binary: string;
  /** Extra environment (added to `process.env`). */
  env: Record<string, string>;
}

// Splits a chunk stream into lines at `\n` or `\r` (the CLI redraws progress with `\r`).
function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    const parts = (rest + chunk.toString()).split(/\r\n|\r|\n/);
    rest = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) onLine(part);
  };
}

/** The only place that spawns processes: runs the client through execa, without a shell. */
export function createExecaRunner({ binary, env }: ExecaRunnerOptions): Runner {
  return async (args, options = {}) => {
    const command = redactArgv([binary, ...args]);
    if (options.signal?.aborted) {
      throw new AbortError(`${binary} was aborted before it started`, {
        command,
        remote: options.remote,
      });
    }
    const started = Date.now();
    debug('run %o', command);
    const child = execa(binary, args, {
      env: { ...env, LC_ALL: 'C', LANG: 'C' },
      extendEnv: true,
      shell: false,
      stripFinalNewline: false,
      maxBuffer: 512 * 1024 * 1024,
      forceKillAfterDelay: 2000,
      ...(options.input ? { stdin: options.input } : { stdin: 'ignore' }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    if (options.onLine) child.stdout.on('data', lineSplitter(options.onLine));
    if (options.onSpawn && child.pid !== undefined) options.onSpawn(child.pid);
    try {
      const result = await child;
      debug('ok %o in %dms', command, Date.now() - started);
      return { stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      const failure = error as ExecaError;
      debug('failed %o in %dms: exit %s', command, Date.now() - started, failure.exitCode);
      throw toLxcError({
        command,
        exitCode: failure.exitCode,
        stderr: typeof failure.stderr === 'string' ? failure.stderr : '',
        code: failure.code,
        timedOut: failure.timedOut,
        isCanceled: failure.isCanceled,
        remote: options.remote,
        // execa's own message holds the raw argv: keep it only when nothing was redacted
        cause: command.every((arg, i) => arg === [binary, ...args][i]) ? error : undefined,
      });
    }
  };
}

/** A long-running child (a sandbox daemon) started by {@link startDaemon}. */
export interface DaemonProcess {
  /** Its process id (also its process group). */
  pid: number;
  /** Settles when it has exited. */
  exited: Promise<void>;
  /** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

// Signals a whole process group, ignoring one that is already gone.
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Starts a daemon in its own process group, output to `logFile`; killed if this process exits. */
export function startDaemon(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  logFile: string,
): DaemonProcess {
  debug('daemon %o', [file, ...args]);
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
  };
}
