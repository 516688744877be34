import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

// The published package, as a consumer gets it: `npm pack` (which builds through `prepack`),
// `npm install` of the tarball into a throwaway project, then both entry points imported from
// plain ESM and type-checked under `nodenext` and `bundler`. Needs no daemon; the registry only
// for the package's own dependencies (the npm cache is preferred). KEEP_PACK_TMP=1 keeps the
// temporary project for a look.

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** What `npm pack --json` says about one tarball. */
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** A source map, as far as this spec reads it. */
interface SourceMap {
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
}

/** What smoke.mjs prints: one JSON line. */
interface Smoke {
  spawned: string[];
  printed: string[];
  resources: string[];
  main: Record<string, string>;
  testing: Record<string, string>;
  streams: Record<string, string>;
  deepImport: string;
  clientKeys: string[];
}

// Runs `command` with a clean NODE_OPTIONS (mocha's `--import tsx` must not leak into consumers).
async function sh(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, NODE_OPTIONS: '' };
  return run(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

// Imports the entry points with every child_process entry watched and stdout/stderr captured.
const SMOKE = `
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const spawned = [];
const printed = [];
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = childProcess[name];
  childProcess[name] = function (...args) {
    spawned.push(name + ' ' + String(args[0]));
    return original.apply(this, args);
  };
}
const spawnProto = childProcess.ChildProcess.prototype.spawn;
childProcess.ChildProcess.prototype.spawn = function (options) {
  spawned.push('ChildProcess.spawn ' + String(options && options.file));
  return spawnProto.call(this, options);
};
syncBuiltinESMExports();
const writes = {};
for (const stream of ['stdout', 'stderr']) {
  writes[stream] = process[stream].write;
  process[stream].write = function (chunk) {
    printed.push(stream + ': ' + String(chunk));
    return true;
  };
}
// stdio streams are made on first use, and execa lists all three at import: not the package's own
process.stdin;
const before = process.getActiveResourcesInfo();

const main = await import('lxc-images');
const testing = await import('lxc-images/testing');
const streams = await import('lxc-images/streams');
const client = main.createClient({ binary: 'incus' });
let deepImport = 'resolved';
try {
  await import('lxc-images/dist/index.js');
} catch (error) {
  deepImport = error.code;
}
await new Promise((resolve) => setImmediate(resolve));

// what is open now and was not before (counted, as a list may hold several of one kind)
const resources = process.getActiveResourcesInfo();
for (const kind of before) {
  const i = resources.indexOf(kind);
  if (i >= 0) resources.splice(i, 1);
}
for (const stream of ['stdout', 'stderr']) process[stream].write = writes[stream];
const types = (ns) => Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, typeof v]));
process.stdout.write(
  JSON.stringify({
    spawned,
    printed,
    resources,
    main: types(main),
    testing: types(testing),
    streams: types(streams),
    deepImport,
    clientKeys: Object.keys(client).sort(),
  }) + '\\n',
  // a handle left open is reported in resources, not waited for
  () => process.exit(0),
);
`;

// A consumer's TypeScript: real types (not any) on both entry points, and nothing past `exports`.
const CONSUMER = `
import lxc, { createClient, incus, LxcError, NotFoundError } from 'lxc-images';
import type { Client, ClientOptions, Image } from 'lxc-images';
import { makeImage, startSandbox } from 'lxc-images/testing';
import type { Sandbox, SandboxOptions, StreamServer, TestImage } from 'lxc-images/testing';
import { add, list, prune, remove, verify, type PruneResult, type VerifyResult } from 'lxc-images/streams';

const options: ClientOptions = { binary: 'incus', project: 'web', timeout: 1000 };
const clients: Client[] = [lxc, incus, createClient(options)];
export const transports: ('cli' | 'rest')[] = clients.map((c) => c.transport);
export const listed: Promise<Image[]> = lxc.images.list('local');
export const sizes: Promise<number> = lxc.images.info('local', 'alpine', (image) => image.size);
export const missing = (error: unknown): boolean =>
  error instanceof NotFoundError && error instanceof LxcError && error.code === 'ERR_LXC_NOT_FOUND';

const sandboxOptions: SandboxOptions = { binary: 'lxc', listen: true };
export const sandbox: Promise<Sandbox> = startSandbox(sandboxOptions);
export const image: Promise<TestImage> = makeImage('/tmp', {});
export const added: Promise<string> = add('/srv/tree', 'a.tar.gz', { aliases: ['a'] }, (i) => i.fingerprint);
export const inTree: Promise<Image[]> = list('/srv/tree', { filter: 'os=alpine' });
export const checked: Promise<VerifyResult> = verify('/srv/tree');
export const pruned: Promise<PruneResult> = prune('/srv/tree', { keep: 2 });
export const removed: Promise<undefined> = remove('/srv/tree', 'a');
export type Served = StreamServer['env']['SSL_CERT_FILE'];

// @ts-expect-error: binary is a string
createClient({ binary: 42 });
// @ts-expect-error: the sandbox binary is lxc or incus
startSandbox({ binary: 'docker' });
// @ts-expect-error: prune needs keep
prune('/srv/tree', {});
// @ts-expect-error: only the exports map's entry points resolve
import type {} from 'lxc-images/dist/index.js';
`;

const COMMON_OPTIONS = {
  target: 'es2022',
  lib: ['es2022'],
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  // as most consumers do (checking @types/node and zod too takes a minute); what the package's
  // declarations import is checked on its own below
  skipLibCheck: true,
};

describe('the packed package', () => {
  let tmp: string;
  let pack: PackResult;
  let project: string;
  let installed: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'lxc-images-pack-'));
    const dest = join(tmp, 'pack');
    await mkdir(dest);
    // `prepack` builds dist/ (npm prints the script banners on stderr under --json)
    const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', dest], ROOT);
    const results = JSON.parse(stdout) as PackResult[];
    expect(results).to.have.length(1);
    pack = results[0]!;
    const tarball = join(dest, pack.filename);

    project = join(tmp, 'consumer');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
    );
    await sh(
      'npm',
      [
        'install',
        tarball,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      project,
    );
    installed = join(project, 'node_modules', 'lxc-images');
    // the project's own @types/node, instead of downloading it again
    await mkdir(join(project, 'node_modules', '@types'), { recursive: true });
    await symlink(
      join(ROOT, 'node_modules', '@types', 'node'),
      join(project, 'node_modules', '@types', 'node'),
    );
  });

  after(async () => {
    if (tmp && !process.env.KEEP_PACK_TMP) await rm(tmp, { recursive: true, force: true });
  });

  it('holds the build, the sources its maps point to, and the docs; no tests', () => {
    const paths = pack.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.js.map',
      'dist/index.d.ts.map',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/streams/index.js',
      'dist/streams/index.d.ts',
      'dist/streams/bin.js',
      'lib/index.ts',
      'lib/testing/index.ts',
      'lib/streams/index.ts',
    ])
      expect(paths, needed).to.include(needed);
    const stray = paths.filter(
      (p) =>
        !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(p) &&
        !/^dist\/.+\.(js|d\.ts)(\.map)?$/.test(p) &&
        !/^lib\/.+\.ts$/.test(p),
    );
    expect(stray).to.deep.equal([]);
    expect(paths.filter((p) => /\.spec\.|(^|\/)tests?\//.test(p))).to.deep.equal([]);
    expect(existsSync(join(ROOT, pack.filename)), 'no tarball left in the repo').to.equal(false);
  });

  it('has source maps and declaration maps that resolve inside the package', async () => {
    const files = await filesUnder(installed);
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).to.be.greaterThan(0);
    for (const built of files.filter(
      (f) => /\.(js|d\.ts)$/.test(f) && f.includes(`${sep}dist${sep}`),
    )) {
      const text = await readFile(built, 'utf8');
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      expect(url, relative(installed, built)).to.be.a('string');
      expect(files, relative(installed, built)).to.include(resolve(dirname(built), url!));
    }
    for (const mapFile of maps) {
      const map = JSON.parse(await readFile(mapFile, 'utf8')) as SourceMap;
      const name = relative(installed, mapFile);
      expect(map.sources, name).to.have.length.greaterThan(0);
      map.sources.forEach((source, i) => {
        if (typeof map.sourcesContent?.[i] === 'string') return;
        const target = resolve(dirname(mapFile), map.sourceRoot ?? '', source);
        expect(relative(installed, target), name).not.to.match(/^\.\./);
        expect(files, `${name} → ${source}`).to.include(target);
      });
    }
  });

  it('declares its API with types of its own, node: and runtime dependencies that ship types', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const dependencies = Object.keys(manifest.dependencies ?? {});
    const imported = new Set<string>();
    for (const file of (await filesUnder(installed)).filter((f) => f.endsWith('.d.ts'))) {
      // JSDoc examples are not imports
      const text = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '');
      for (const match of text.matchAll(
        /(?:from\s+|import\(\s*|reference types=)['"]([^'"]+)['"]/g,
      ))
        if (!match[1]!.startsWith('.')) imported.add(match[1]!);
    }
    for (const specifier of imported) {
      if (specifier.startsWith('node:') || specifier === 'node') continue;
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : specifier.split('/')[0]!;
      expect(dependencies, `the declarations import ${specifier}`).to.include(name);
      const dep = JSON.parse(
        await readFile(join(project, 'node_modules', name, 'package.json'), 'utf8'),
      ) as Record<string, unknown>;
      const typed =
        typeof dep.types === 'string' ||
        typeof dep.typings === 'string' ||
        JSON.stringify(dep.exports ?? null).includes('.d.') ||
        existsSync(join(project, 'node_modules', name, 'index.d.ts'));
      expect(typed, `${name} ships its own types`).to.equal(true);
    }
  });

  it('imports both entry points from plain ESM, with no side effect', async () => {
    await writeFile(join(project, 'smoke.mjs'), SMOKE);
    const { stdout, stderr } = await sh(process.execPath, ['smoke.mjs'], project);
    expect(stderr).to.equal('');
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines, 'prints nothing but the result').to.have.length(1);
    const smoke = JSON.parse(lines[0]!) as Smoke;
    expect(smoke.spawned, 'spawns nothing').to.deep.equal([]);
    expect(smoke.printed, 'prints nothing').to.deep.equal([]);
    expect(smoke.resources, 'opens no handle').to.deep.equal([]);
    expect(smoke.main).to.include({
      default: 'object',
      createClient: 'function',
      incus: 'object',
      LxcError: 'function',
      NotFoundError: 'function',
    });
    expect(smoke.testing).to.include({
      startSandbox: 'function',
      makeImage: 'function',
      makeSplitImage: 'function',
    });
    expect(smoke.testing).to.include({ startStreamServer: 'function', makeTestCa: 'function' });
    expect(smoke.streams).to.deep.equal({
      add: 'function',
      list: 'function',
      remove: 'function',
      verify: 'function',
      prune: 'function',
    });
    expect(smoke.deepImport).to.equal('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(smoke.clientKeys).to.include.members(['images', 'operations', 'remotes', 'query']);
  });

  it('installs the lxc-images-streams bin, which runs from plain node', async function () {
    const bin = join(project, 'node_modules', '.bin', 'lxc-images-streams');
    expect(existsSync(bin), bin).to.equal(true);
    const { stdout } = await sh(bin, ['--help'], project);
    expect(stdout).to.match(/^usage: lxc-images-streams COMMAND DIR/);
    const tree = join(tmp, 'empty-tree');
    await mkdir(tree);
    const listed = await sh(bin, ['list', tree, '--json'], project);
    expect(JSON.parse(listed.stdout)).to.deep.equal([]);
    const verified = await sh(bin, ['verify', tree], project);
    expect(verified.stdout.trim()).to.equal('ok');
  });

  it('type-checks a TypeScript consumer under moduleResolution nodenext and bundler', async () => {
    await writeFile(join(project, 'consumer.ts'), CONSUMER);
    const configs = {
      nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
      bundler: { module: 'preserve', moduleResolution: 'bundler' },
    };
    const checks = Object.entries(configs).map(async ([name, resolution]) => {
      const config = join(project, `tsconfig.${name}.json`);
      const compilerOptions = { ...COMMON_OPTIONS, ...resolution };
      await writeFile(config, JSON.stringify({ compilerOptions, files: ['consumer.ts'] }, null, 2));
      try {
        await sh(process.execPath, [TSC, '-p', config, '--pretty', 'false'], project);
        return `${name}: ok`;
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        return `${name}: ${stdout}${stderr}`;
      }
    });
    expect(await Promise.all(checks)).to.deep.equal(['nodenext: ok', 'bundler: ok']);
  });
});
