import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { LAYERS, layerConfigs } from '../../eslint.layers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LIB = join(ROOT, 'lib');

// Every .ts file under lib/, as a path relative to the repository.
function libFiles(dir = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return libFiles(path);
    return entry.name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

// The lib files a file imports (type imports and re-exports included).
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/gms)];
  return specifiers.map((m) =>
    relative(ROOT, resolve(dirname(join(ROOT, file)), m[1] ?? '')).replace(/\.js$/, '.ts'),
  );
}

// The cycles of a graph, as lists of nodes (Tarjan's strongly connected components).
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    order.set(node, index);
    low.set(node, index++);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, order.get(next) ?? 0));
      }
    }
    if (low.get(node) !== order.get(node)) return;
    const component: string[] = [];
    let top: string | undefined;
    do {
      top = stack.pop();
      if (top !== undefined) component.push(top);
    } while (top !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component);
  };
  for (const node of graph.keys()) if (!order.has(node)) visit(node);
  return found;
}

// The top-level unit of a lib file: its folder, or the file itself.
const unitOf = (file: string): string => file.split('/')[1] ?? file;

describe('lib/ is a stack of layers', () => {
  const files = libFiles();
  const byFile = new Map(files.map((file) => [file, new Set(importsOf(file))]));

  it('has no import cycle between files, type imports included', () => {
    expect(cycles(byFile)).to.deep.equal([]);
  });

  it('has no import cycle between top-level folders, type imports included', () => {
    const byUnit = new Map<string, Set<string>>();
    for (const [file, imports] of byFile) {
      const unit = unitOf(file);
      const edges = byUnit.get(unit) ?? new Set<string>();
      for (const imported of imports) if (unitOf(imported) !== unit) edges.add(unitOf(imported));
      byUnit.set(unit, edges);
    }
    expect(cycles(byUnit)).to.deep.equal([]);
  });

  it('imports only downwards: no layer imports a layer above it', () => {
    const rank = new Map(LAYERS.map((layer, i) => [layer.name, i]));
    const upward: string[] = [];
    for (const [file, imports] of byFile) {
      const own = rank.get(unitOf(file));
      if (own === undefined) continue;
      for (const imported of imports) {
        const theirs = rank.get(unitOf(imported));
        if (theirs === undefined || theirs < own) upward.push(`${file} -> ${imported}`);
      }
    }
    expect(upward).to.deep.equal([]);
  });

  it('is kept by ESLint: an import up the stack fails the lint', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
        ...layerConfigs,
      ],
    });
    const lint = async (file: string, text: string): Promise<string[]> => {
      const [result] = await eslint.lintText(text, { filePath: join(ROOT, file) });
      return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
    };
    const up = "import type { Call } from '../call/call.js';\nexport type C = Call;\n";
    expect(await lint('lib/wire/fixture.ts', up)).to.deep.equal(['no-restricted-imports']);
    const client =
      "import { createClient } from '../../client.js';\nexport const c = createClient;\n";
    expect(await lint('lib/transport/cli/fixture.ts', client)).to.deep.equal([
      'no-restricted-imports',
    ]);
    const down = "import type { Request } from '../wire/request.js';\nexport type R = Request;\n";
    expect(await lint('lib/flows/fixture.ts', down)).to.deep.equal([]);
  });
});
