import type { ExecaError } from 'execa';
import { interruption, startDeadline } from '../../wire/deadline.js';
import { errorFromMessage, stderrMessage } from '../../wire/classify.js';
import { BinaryNotFoundError, ValidationError, type LxcError } from '../../wire/errors.js';
import { argvSecrets, Redactor } from '../../wire/redact.js';
import { trace } from '../../wire/trace.js';

/** Per-call options of a {@link Runner}. */
export interface RunOptions {
  /** Milliseconds before the child is killed ({@link TimeoutError}). */
  timeout?: number | undefined;
  /** Aborting kills the child; its reason decides between {@link TimeoutError} and {@link AbortError}. */
  signal?: AbortSignal | undefined;
  /** Receives each line (split on `\n` or `\r`) of stdout as it comes. */
  onLine?: ((line: string) => void) | undefined;
  /** Receives each line of stderr as it comes. */
  onErrorLine?: ((line: string) => void) | undefined;
  /** The working directory of the child. */
  cwd?: string | undefined;
  /** The remote the call is aimed at, for error details. */
  remote?: string | undefined;
  /** Literal secrets in the argv (a trust token…) to mask in errors and traces. */
  secrets?: readonly string[] | undefined;
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
  env: Readonly<Record<string, string>>;
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

// What a failed child is judged with: its redacted argv, the redactor, its options and signal.
interface Failed {
  command: readonly string[];
  redactor: Redactor;
  options: RunOptions;
  signal: AbortSignal | undefined;
}

// Turns a failed child into the matching LxcError, with every field redacted.
function failure(error: ExecaError, { command, redactor, options, signal }: Failed): LxcError {
  const stderr = redactor.text(typeof error.stderr === 'string' ? error.stderr : '');
  const details = {
    command,
    exitCode: error.exitCode,
    stderr,
    stdout: redactor.text(typeof error.stdout === 'string' ? error.stdout : ''),
    signal: error.signal,
    durationMs: error.durationMs,
    remote: options.remote,
    cause: redactor.error(error),
  };
  const program = command[0] ?? 'lxc';
  if (error.code === 'ENOENT' || error.code === 'EACCES') {
    return new BinaryNotFoundError(`${program}: binary not found or not executable`, details);
  }
  if (error.code === 'E2BIG') {
    const longest = Math.max(...command.map((arg) => Buffer.byteLength(arg)));
    return new ValidationError(
      'argv',
      `an argument of ${longest} bytes is longer than the kernel allows (E2BIG, 128 KiB)`,
      details,
    );
  }
  const interrupted = signal && interruption(signal, details);
  if (interrupted) return interrupted;
  const message =
    stderrMessage(stderr) ||
    (error.signal === undefined
      ? `${program} exited with code ${String(error.exitCode)}`
      : `${program} was killed by ${error.signal}`);
  return errorFromMessage(message, details);
}

// execa is loaded on first use: importing lxc-images runs nothing (execa touches stdin on load).
let loaded: Promise<typeof import('execa')> | undefined;
function loadExeca(): Promise<typeof import('execa')> {
  loaded ??= import('execa');
  return loaded;
}

/** The only place that spawns the client: runs it through execa, without a shell. */
export function createExecaRunner({ binary, env }: ExecaRunnerOptions): Runner {
  return async (args, options = {}) => {
    const redactor = new Redactor([...(options.secrets ?? []), ...argvSecrets(args)]);
    const command = redactor.argv([binary, ...args]);
    // a deadline of its own only for a timeout of its own: the caller's signal is one already
    const deadline =
      options.timeout === undefined ? undefined : startDeadline(options.timeout, options.signal);
    // a run without a signal has no cancelSignal: nothing to listen to
    const signal = deadline?.signal ?? options.signal;
    const early = signal && interruption(signal, { command, remote: options.remote });
    if (early) {
      deadline?.dispose();
      throw early;
    }
    const { execa } = await loadExeca();
    const started = performance.now();
    const child = execa(binary, args, {
      env: { ...env, LC_ALL: 'C', LANG: 'C' },
      extendEnv: true,
      shell: false,
      stripFinalNewline: false,
      maxBuffer: 512 * 1024 * 1024,
      forceKillAfterDelay: 2000,
      ...(signal === undefined ? {} : { cancelSignal: signal }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdin: 'ignore',
    });
    if (options.onLine) child.stdout.on('data', lineSplitter(options.onLine));
    if (options.onErrorLine) child.stderr.on('data', lineSplitter(options.onErrorLine));
    if (options.onSpawn && child.pid !== undefined) options.onSpawn(child.pid);
    try {
      const result = await child;
      trace(command, 'exit 0', performance.now() - started);
      return { stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      const lxcError = failure(error as ExecaError, { command, redactor, options, signal });
      const how = lxcError.signal ?? `exit ${String(lxcError.exitCode)}`;
      trace(command, `${how} ${lxcError.name}`, performance.now() - started);
      throw lxcError;
    } finally {
      deadline?.dispose();
    }
  };
}
