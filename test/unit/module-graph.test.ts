// The layers one way, read off the source's static imports: commands -> engine, query and the
// other stages -> store -> rules; and the query path free of what a query does not need.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const SRC = join(ROOT, 'src');

/** Each module's static imports (`import type` aside): src paths as 'dir/file.ts', packages by name. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        const specifiers = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1]);
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

const layerOf = (module: string): string => (module.includes('/') ? module.split('/')[0] : 'top');

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

describe('the module graph', () => {
  const graph = importGraph();
  const edges = [...graph].flatMap(([from, tos]) => tos.filter((to) => to.endsWith('.ts')).map((to) => ({ from, to, a: layerOf(from), b: layerOf(to) })));

  it('was read: every command and layer is in it', () => {
    expect(graph.has('commands/query.ts')).toBe(true);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('rules import only rules (and errors.ts); store only store, rules and the top-level helpers', () => {
    expect(edges.filter((e) => e.a === 'rules' && e.b !== 'rules' && e.to !== 'errors.ts')).toEqual([]);
    expect(edges.filter((e) => e.a === 'store' && !['store', 'rules', 'top'].includes(e.b))).toEqual([]);
  });

  it('nothing below the commands imports a command, and the top-level helpers import no stage', () => {
    expect(edges.filter((e) => e.b === 'commands' && e.a !== 'commands')).toEqual([]);
    expect(edges.filter((e) => e.a === 'top' && !['top', 'rules', 'store'].includes(e.b))).toEqual([]);
  });

  it('a query loads no schema library, worker pool, queue or chart code', () => {
    const path = new Set([...closure(graph, 'cli.ts'), ...closure(graph, 'commands/query.ts')]);
    const packages = [...path].filter((m) => !m.endsWith('.ts') && !m.startsWith('node:'));
    expect(packages.filter((p) => /^(zod|piscina|bullmq|ioredis|vega|vega-lite|pino|hyparquet)/.test(p))).toEqual([]);
    expect([...path].filter((m) => /^(engine|queue|report|map|export|extract|generate)\//.test(m))).toEqual([]);
  });
});
