import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { execa } from 'execa';
import lxcQuery from 'lxc-query';
import type { Runner } from '../lib/index.js';
import { createExecaRunner } from '../lib/transport/cli/runner.js';

const execFileAsync = promisify(execFile);

/** Runs `binary argv` with execa and the sandbox's environment: no parsing, nothing else. */
export function bareSpawn(
  binary: string,
  env: Record<string, string>,
): (argv: readonly string[]) => Promise<unknown> {
  const fullEnv = { ...env, LC_ALL: 'C', LANG: 'C' };
  return (argv) => execa(binary, argv, { env: fullEnv });
}

/** The library's own runner, wrapped so that it counts the processes it spawns. */
export function countingRunner(
  binary: string,
  env: Record<string, string>,
): { runner: Runner; count: () => number; reset: () => void } {
  const inner = createExecaRunner({ binary, env });
  let spawned = 0;
  return {
    runner: (args, options) => {
      spawned++;
      return inner(args, options);
    },
    count: () => spawned,
    reset: () => {
      spawned = 0;
    },
  };
}

/** The `lxc-query` client, aimed at the sandbox (it reads `process.env` and runs through a shell). */
export function lxcQueryFor(binary: string, env: Record<string, string>): typeof lxcQuery {
  Object.assign(process.env, env);
  lxcQuery.setCmd(binary);
  return lxcQuery;
}

/** Runs `binary argv` with plain `node:child_process.execFile`: the cheapest spawn Node offers. */
export function bareExecFile(
  binary: string,
  env: Record<string, string>,
): (argv: readonly string[]) => Promise<unknown> {
  const fullEnv = { ...process.env, ...env, LC_ALL: 'C', LANG: 'C' };
  return (argv) => execFileAsync(binary, argv, { env: fullEnv, maxBuffer: 512 * 1024 * 1024 });
}
