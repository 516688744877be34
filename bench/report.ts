import { readFile, writeFile } from 'node:fs/promises';
import type { PairResult } from './timing.js';

/** One line of the results table. */
export interface Row {
  operation: string;
  baseline: string;
  lib: string;
  base: string;
  /** Ratio of the medians. */
  ratio: string;
  /** Median of the per-round ratios (the figure the targets apply to). */
  pairRatio: string;
  target: string;
  met: 'yes' | 'no' | 'n/a';
  note: string;
}

/**
 * A row from a timed pair: `limit` is the most the median of ratios may be (undefined: a figure
 * to report, no target); the note starts with the samples taken.
 */
export function pairRow(
  operation: string,
  baseline: string,
  r: PairResult,
  limit: number | undefined,
  note = '',
): Row {
  return {
    operation,
    baseline,
    lib: ms(r.libMedian),
    base: ms(r.baseMedian),
    ratio: r.ratio.toFixed(3),
    pairRatio: r.pairRatio.toFixed(3),
    target: limit === undefined ? '—' : `≤ ${limit.toFixed(2)}`,
    met: limit === undefined ? 'n/a' : r.pairRatio <= limit ? 'yes' : 'no',
    note: `${r.samples} samples each${note ? `; ${note}` : ''}`,
  };
}

/** Facts printed above a table. */
export interface RunInfo {
  daemon: string;
  date: string;
  node: string;
  machine: string;
}

const HEADERS = [
  'operation',
  'baseline',
  'lxc-images median',
  'baseline median',
  'ratio of medians',
  'median of ratios',
  'target',
  'met',
  'notes',
];

/** Formats milliseconds for the table. */
export function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

/** Renders rows as a Markdown table (aligned, so it also reads well on a terminal). */
export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [
    r.operation,
    r.baseline,
    r.lib,
    r.base,
    r.ratio,
    r.pairRatio,
    r.target,
    r.met,
    r.note,
  ]);
  const widths = HEADERS.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)),
  );
  const line = (c: readonly string[]): string =>
    `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Renders one daemon's section: its facts, then its table. */
export function renderSection(title: string, info: RunInfo, rows: readonly Row[]): string {
  return [
    `## ${title}`,
    '',
    `- Daemon: ${info.daemon}`,
    `- Date: ${info.date}`,
    `- Node.js: ${info.node}`,
    `- Machine: ${info.machine}`,
    '',
    renderTable(rows),
  ].join('\n');
}

const INTRO =
  '# Benchmarks\n\nWritten by `npm run bench -- --write` (LXD) and `npm run bench -- --binary incus --write`.\n';

/**
 * Puts `section` between the `<!-- bench:KEY:start/end -->` markers of `file`, keeping all the
 * text around them (the other daemon's section, the prose); appends it when the markers are absent.
 */
export async function writeSection(file: string, key: string, section: string): Promise<void> {
  const start = `<!-- bench:${key}:start -->`;
  const end = `<!-- bench:${key}:end -->`;
  const block = `${start}\n\n${section}\n\n${end}`;
  const current = await readFile(file, 'utf8').catch(() => INTRO);
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next);
}
