#!/usr/bin/env node
/**
 * `lxc-images-streams add|list|remove|verify|prune DIR …`: the streams API from a shell.
 * @module lxc-images/streams/bin
 */
import { LxcError } from '../wire/errors.js';
import type { ProgressEvent } from '../wire/progress.js';
import { parseBinArgs, USAGE, type BinArgs } from './bin-args.js';
import { runCommand, UsageError } from './bin-commands.js';

// A progress line redrawn on the terminal (stderr), only when stderr is one.
function progressLine(): {
  handler: ((event: ProgressEvent) => void) | undefined;
  end: () => void;
} {
  if (!process.stderr.isTTY) return { handler: undefined, end: () => undefined };
  let drawn = false;
  const handler = (event: ProgressEvent): void => {
    const speed = event.speed === undefined ? '' : ` (${(event.speed / 1e6).toFixed(1)} MB/s)`;
    process.stderr.write(`\r\u001b[K${event.label}: ${event.percent ?? 0}%${speed}`);
    drawn = true;
  };
  const end = (): void => {
    if (drawn) process.stderr.write('\r\u001b[K');
  };
  return { handler, end };
}

// Prints a failure; the exit status says what kind.
function fail(error: unknown, json: boolean): number {
  if (error instanceof UsageError || error instanceof TypeError) {
    process.stderr.write(`lxc-images-streams: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof LxcError ? error.code : undefined;
  if (json) process.stdout.write(`${JSON.stringify({ error: { name, code, message } })}\n`);
  process.stderr.write(`lxc-images-streams: ${name}: ${message}\n`);
  return 1;
}

// Parses, runs, prints; resolves to the exit status.
async function main(argv: readonly string[]): Promise<number> {
  let args: BinArgs;
  try {
    args = parseBinArgs(argv);
  } catch (error) {
    return fail(error, false);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = progressLine();
  try {
    const outcome = await runCommand(args, progress.handler);
    progress.end();
    const text = args.json ? JSON.stringify(outcome.value, null, 2) : outcome.text;
    if (text !== '') process.stdout.write(`${text}\n`);
    return outcome.ok ? 0 : 1;
  } catch (error) {
    progress.end();
    return fail(error, args.json);
  }
}

process.exitCode = await main(process.argv.slice(2));
