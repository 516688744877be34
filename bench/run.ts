import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createClient } from '../lib/index.js';
import { startSandbox, type Sandbox, type SandboxBinary } from '../lib/testing/index.js';
import { countingRunner } from './baselines.js';
import { bigTransfers } from './big.js';
import { renderSection, renderTable, writeSection, type Row, type RunInfo } from './report.js';
import { createImageProject, seedImages } from './seed.js';
import { lostUpdateRows, restRows, simplestreamsRow } from './rest.js';
import { simplestreamsReadRows } from './simplestreams-read.js';
import { simplestreamsServer } from './streams.js';
import { streamsAddRows } from './streams-add.js';
import { syncRounds, syncRows } from './sync.js';
import { manyRows, readRows, type SuiteContext } from './suite.js';

const USAGE = `usage: npm run bench -- [--binary lxc|incus] [--no-big] [--quick] [--images N] [--write]
  --binary   the daemon to start: lxc (LXD, default) or incus
  --no-big   skip the big transfers (1 GiB import/export memory, 256 MiB sync to 4 targets)
  --quick    fewer rounds (for a smoke run; the figures get noisier)
  --images   how many images the big list holds (default 1000)
  --write    also write the table into BENCHMARKS.md`;

const { values } = parseArgs({
  options: {
    binary: { type: 'string', default: 'lxc' },
    'no-big': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    images: { type: 'string', default: '1000' },
    write: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || (values.binary !== 'lxc' && values.binary !== 'incus')) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const binary: SandboxBinary = values.binary;
const imageCount = Number(values.images);
const GIB = 1024 ** 3;
const MB = 1024 ** 2;
const log = (message: string): void => {
  console.error(`[bench] ${message}`);
};

// Reads the daemon's version from `query /1.0`.
async function daemonVersion(sandbox: Sandbox): Promise<string> {
  const { stdout } = await sandbox.run(['query', 'local:/1.0']);
  const server = (
    JSON.parse(stdout) as { environment?: { server?: string; server_version?: string } }
  ).environment;
  return `${server?.server ?? binary} ${server?.server_version ?? '?'}`;
}

// Seeds the sandbox: 1 image with 5 aliases in `default`, `imageCount` images in project `bulk`.
async function seed(sandbox: Sandbox): Promise<{ single: string; bulk: string[] }> {
  const started = performance.now();
  const [single] = await seedImages(sandbox, { count: 1, prefix: 'single' });
  if (single === undefined) throw new Error('seeding failed');
  for (let i = 0; i < 5; i++)
    await sandbox.run(['image', 'alias', 'create', `bench/alias-${i}`, single]);
  await createImageProject(sandbox, 'bulk');
  const bulk = await seedImages(sandbox, {
    count: imageCount,
    project: 'bulk',
    onProgress: (done) => {
      if (done % 100 === 0) log(`seeded ${done}/${imageCount}`);
    },
  });
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { single, bulk };
}

// Turns the big transfers (on both transports) into table rows.
async function bigRows(ctx: SuiteContext): Promise<Row[]> {
  await createImageProject(ctx.sandbox, 'big');
  const rest = createClient({ binary, env: ctx.sandbox.env, transport: 'rest' });
  const results = [
    ...(await bigTransfers(ctx.client, 'big', GIB)),
    ...(await bigTransfers(rest, 'big', GIB)).map((r) => ({
      ...r,
      operation: `REST ${r.operation}`,
    })),
  ];
  return results.map((r) => ({
    operation: `${r.operation} of 1 GiB`,
    baseline: 'RSS before the call',
    lib: `+${(r.growth / MB).toFixed(1)} MB`,
    base: '—',
    ratio: '—',
    pairRatio: '—',
    target: '≤ +64 MB',
    met: r.growth <= 64 * MB ? 'yes' : 'no',
    note: `peak RSS growth over ${(r.before / MB).toFixed(0)} MB before; took ${(r.ms / 1000).toFixed(1)} s`,
  }));
}

/** Starts the sandbox, seeds it, runs every benchmark and prints (and maybe writes) the table. */
async function main(): Promise<void> {
  log(`starting a ${binary} sandbox`);
  const sandbox = await startSandbox({ binary });
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the sandbox`);
    void sandbox.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const info: RunInfo = {
      daemon: await daemonVersion(sandbox),
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`,
    };
    const { single, bulk } = await seed(sandbox);
    const counter = countingRunner(binary, sandbox.env);
    const client = createClient({ binary, env: sandbox.env, runner: counter.runner });
    const ctx: SuiteContext = {
      sandbox,
      client,
      counter,
      single,
      bulk,
      bulkProject: 'bulk',
      scale: values.quick ? 0.3 : 1,
    };
    log('timing reads');
    const rows = [...(await readRows(ctx)), ...(await manyRows(ctx))];
    log('timing the REST transport');
    rows.push(...(await restRows(ctx)), ...(await lostUpdateRows(ctx)));
    const streams = await simplestreamsServer(sandbox);
    try {
      rows.push(await simplestreamsRow(ctx, streams.env, 'ss', 'benchos'));
    } finally {
      await streams.close();
    }
    log('reading a 300-product simplestreams tree in the client');
    rows.push(...(await simplestreamsReadRows(ctx.scale)));
    if (!values['no-big']) {
      log('importing and exporting a 1 GiB image');
      rows.push(...(await bigRows(ctx)));
      log('adding a 1 GiB image to a simplestreams tree');
      rows.push(...(await streamsAddRows(GIB, values.quick ? 1 : 3)));
      log('syncing a 256 MiB image to 4 targets in relay mode');
      const size = 256 * MB;
      rows.push(...syncRows(await syncRounds(binary, size, values.quick ? 1 : 3), size));
    }
    const title = binary === 'lxc' ? 'LXD' : 'Incus';
    console.log(`\n${title}: ${info.daemon}, ${info.date}, Node ${info.node}, ${info.machine}\n`);
    console.log(renderTable(rows));
    if (values.write) {
      await writeSection('BENCHMARKS.md', binary, renderSection(title, info, rows));
      log('wrote BENCHMARKS.md');
    }
  } finally {
    await sandbox.stop();
  }
}

await main();
