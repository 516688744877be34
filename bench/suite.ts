import type { Client, Image } from '../lib/index.js';
import type { Sandbox } from '../lib/testing/index.js';
import { bareExecFile, bareSpawn, countingRunner, lxcQueryFor } from './baselines.js';
import { pairRow, type Row } from './report.js';
import { comparePair } from './timing.js';

/** What the timed part needs: the sandbox, a counting client and the seeded fingerprints. */
export interface SuiteContext {
  sandbox: Sandbox;
  client: Client;
  counter: ReturnType<typeof countingRunner>;
  /** The one image of the `default` project. */
  single: string;
  /** The project that holds the many images, and their fingerprints. */
  bulkProject: string;
  bulk: string[];
  /** Multiplies the number of rounds (1 by default; less for a quick run). */
  scale: number;
}

// A `infoMany` that the lead may add to `images`: typed loosely so this compiles either way.
type MaybeInfoMany = Partial<
  Record<
    'infoMany',
    (remote: string, refs: string[], opts?: { project?: string }) => Promise<Image[]>
  >
>;

/** Times the reads against the bare spawn and against `lxc-query`. */
export async function readRows(s: SuiteContext): Promise<Row[]> {
  const { client, sandbox } = s;
  const bare = bareSpawn(sandbox.binary, sandbox.env);
  const fast = { rounds: Math.max(3, Math.round(15 * s.scale)), perRound: 3 };
  const slow = { rounds: Math.max(3, Math.round(10 * s.scale)), perRound: 1 };
  const bulk = { project: s.bulkProject };
  const spawn = `bare execa \`${sandbox.binary} …\``;
  const rows: Row[] = [];
  const add = async (
    op: string,
    base: string,
    lib: () => Promise<unknown>,
    baseFn: () => Promise<unknown>,
    limit: number | undefined,
    plan = fast,
    note = '',
  ): Promise<void> => {
    const result = await comparePair({ lib, base: baseFn, ...plan });
    rows.push(pairRow(op, base, result, limit, note));
    console.error(`  ${op} vs ${base}: ${result.pairRatio.toFixed(3)}`);
  };
  await add(
    'info',
    spawn,
    () => client.images.info('local', s.single),
    () => bare(['query', `local:/1.0/images/${s.single}`]),
    1.05,
  );
  await add(
    'list (1 image)',
    spawn,
    () => client.images.list('local'),
    () => bare(['image', 'list', 'local:', '--format=json']),
    1.05,
  );
  await add(
    `list (${s.bulk.length} images)`,
    spawn,
    () => client.images.list('local', bulk),
    () => bare(['image', 'list', 'local:', '--format=json', `--project=${s.bulkProject}`]),
    1.2,
    slow,
    'zod validation included',
  );
  await add(
    'aliases.list',
    spawn,
    () => client.images.aliases.list('local'),
    () => bare(['query', 'local:/1.0/images/aliases?recursion=1']),
    undefined,
  );
  const execFileBare = bareExecFile(sandbox.binary, sandbox.env);
  await add(
    'info',
    'bare `child_process.execFile`',
    () => client.images.info('local', s.single),
    () => execFileBare(['query', `local:/1.0/images/${s.single}`]),
    undefined,
    fast,
    'informative: the floor any spawn-based client sits on',
  );
  const lq = lxcQueryFor(sandbox.binary, sandbox.env);
  const lqNote = sandbox.binary === 'lxc' ? '' : 'lxc-query via setCmd("incus")';
  await add(
    'info',
    'lxc-query',
    () => client.images.info('local', s.single),
    () => lq.images.info('local', s.single),
    0.9,
    fast,
    lqNote,
  );
  await add(
    'list (1 image)',
    'lxc-query',
    () => client.images.list('local'),
    () => lq.images.list('local'),
    0.9,
    fast,
    lqNote,
  );
  return rows;
}

/** Times 100 concurrent `info` calls (and `infoMany`, if present) against one `list`. */
export async function manyRows(s: SuiteContext): Promise<Row[]> {
  const { client } = s;
  const opts = { project: s.bulkProject };
  const refs = s.bulk.slice(0, 100);
  const plan = { rounds: Math.max(3, Math.round(10 * s.scale)), perRound: 1 };
  const list = (): Promise<unknown> => client.images.list('local', opts);
  const spawns = async (fn: () => Promise<unknown>): Promise<number> => {
    s.counter.reset();
    await fn();
    return s.counter.count();
  };
  const rows: Row[] = [];
  const one = (): Promise<unknown> => client.images.info('local', refs[0] ?? '', opts);
  const two = (): Promise<unknown> =>
    Promise.all(refs.slice(0, 2).map((fp) => client.images.info('local', fp, opts)));
  const pair = await comparePair({ lib: two, base: one, ...plan, perRound: 3 });
  rows.push(
    pairRow(
      'Promise.all of 2 info',
      `one info (${s.bulk.length} stored)`,
      pair,
      2,
      `${await spawns(two)} process(es) per call`,
    ),
  );
  const allInfo = (): Promise<unknown> =>
    Promise.all(refs.map((fp) => client.images.info('local', fp, opts)));
  const listName = `one images.list (${s.bulk.length} images)`;
  const processes = await spawns(allInfo);
  const r = await comparePair({ lib: allInfo, base: list, ...plan });
  rows.push(
    pairRow(
      `Promise.all of ${refs.length} info`,
      listName,
      r,
      1,
      `${processes} process(es) per call`,
    ),
  );
  const infoMany = (client.images as MaybeInfoMany).infoMany?.bind(client.images);
  if (infoMany) {
    const many = (): Promise<unknown> => infoMany('local', refs, opts);
    const count = await spawns(many);
    const m = await comparePair({ lib: many, base: list, ...plan });
    rows.push(
      pairRow(`infoMany of ${refs.length}`, listName, m, 1, `${count} process(es) per call`),
    );
  }
  return rows;
}
