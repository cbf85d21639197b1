// The layers one way, read off the source's imports (`import type` too: a circle of types is
// still a circle a reader has to follow): each module imports only its own folder and the
// layers below it; and the query path is free of what a query does not need.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const SRC = join(ROOT, 'src');

/**
 * Each module's static imports: src paths as 'dir/file.ts', packages by name; `types` also
 * counts `import type`. Dynamic import() is left out: it is how a command, or a runner kind,
 * loads only when asked for (engine/runners/registry.ts loads the queue runner that way).
 */
function importGraph(types = false): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        const specifiers = [...text.matchAll(types ? /^(?:import|export)\s+[^;]*?\sfrom\s+'([^']+)'/gms : /^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1]);
        graph.set(
          relative(SRC, path),
          specifiers.map((s) => (s.startsWith('.') ? relative(SRC, resolve(dirname(path), s)).replace(/\.js$/, '.ts') : s)),
        );
      }
    }
  };
  walk(SRC);
  return graph;
}


function closure(graph: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const module = stack.pop() as string;
    if (seen.has(module)) continue;
    seen.add(module);
    stack.push(...(graph.get(module) ?? []));
  }
  return seen;
}

/**
 * The layers, lowest first: a module imports its own folder and lower layers only. Two folders
 * of one layer are stages that do not know each other.
 */
const LAYERS: string[][] = [
  ['errors.ts', 'format.ts', 'package-root.ts', 'suggest.ts', 'output.ts'],
  ['fs.ts', 'defaults.ts', 'version.ts', 'log.ts'],
  ['rules'],
  ['store'],
  ['map', 'extract', 'generate', 'query', 'refresh'],
  ['engine', 'export', 'report'],
  ['queue', 'bench'],
  ['command-line.ts'],
  ['config.ts'],
  ['commands'],
  ['cli.ts'],
];
const rank = (part: string): number => LAYERS.findIndex((l) => l.includes(part));
/** A module's folder, or the module itself at the top level. */
const partOf = (module: string): string => (module.includes('/') ? module.split('/')[0] : module);

/** Strongly connected groups of more than one module (Tarjan): the import circles. */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of (graph.get(v) ?? []).filter((m) => graph.has(m))) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the layers', () => {
  const graph = importGraph(true);
  const edges = [...graph].flatMap(([from, tos]) => tos.filter((to) => to.endsWith('.ts')).map((to) => ({ from, to, a: partOf(from), b: partOf(to) })));

  it('every folder and top-level module has its layer', () => {
    expect([...new Set([...graph.keys()].map(partOf))].filter((part) => rank(part) < 0)).toEqual([]);
  });

  it('no import goes up a layer or across to another stage of its own', () => {
    expect(edges.filter((e) => e.a !== e.b && rank(e.b) >= rank(e.a)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('no import circle, types included', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('the check finds a circle', () => {
    expect(circles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']], ['c.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts']]);
  });
});

describe('the module graph', () => {
  const graph = importGraph();

  it('was read: every command and layer is in it', () => {
    expect(graph.has('commands/query.ts')).toBe(true);
    expect([...graph.values()].flat().filter((to) => to.endsWith('.ts')).length).toBeGreaterThan(100);
  });

  it('a query loads no schema library, worker pool, queue or chart code', () => {
    const path = new Set([...closure(graph, 'cli.ts'), ...closure(graph, 'commands/query.ts')]);
    const packages = [...path].filter((m) => !m.endsWith('.ts') && !m.startsWith('node:'));
    expect(packages.filter((p) => /^(zod|piscina|bullmq|ioredis|vega|vega-lite|pino|hyparquet)/.test(p))).toEqual([]);
    expect([...path].filter((m) => /^(engine|queue|report|map|export|extract|generate)\//.test(m))).toEqual([]);
  });
});
