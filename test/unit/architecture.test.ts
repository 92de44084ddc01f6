/*
 * The shape of src, read from the import statements of every file (type-only imports included):
 * dependencies point one way, so each part can be read, tested and changed on its own.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/** Every .ts file under a directory, as paths relative to the repository root with `/` separators. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relativePath(path)] : [];
  });
}

function relativePath(path: string): string {
  return relative(ROOT, path).split(sep).join('/');
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or its bare path when no file matches. */
function resolveSpecifier(from: string, specifier: string): string {
  const base = resolve(ROOT, dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return relativePath(candidates.find((candidate) => existsSync(candidate)) ?? base);
}

/** Each src file's relative imports (static, type-only, re-exports and dynamic), resolved to files. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveSpecifier(file, specifier));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

type Edge = readonly [from: string, to: string];

function edges(graph: Map<string, string[]>): Edge[] {
  return [...graph].flatMap(([from, targets]) => targets.map((to) => [from, to] as const));
}

function listed(found: readonly Edge[]): string {
  return found.map(([from, to]) => `  ${from} → ${to}`).join('\n');
}

/** The kind folder of a file of src/controllers (`endpoint`), undefined for common/ and files outside a folder. */
function kindFolder(file: string): string | undefined {
  const folder = /^src\/controllers\/([^/]+)\//.exec(file)?.[1];
  return folder === 'common' ? undefined : folder;
}

/** Every import circle: one closed path per strongly connected component (Tarjan's algorithm). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => closedPath(graph, new Set(component)));
}

/** A path from the component's first file back to itself, through files of the component only. */
function closedPath(graph: Map<string, string[]>, component: Set<string>): string[] {
  const [start] = component;
  if (start === undefined) return [];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node: string = queue.shift() ?? start;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        for (let at = node; at !== start;) {
          at = cameFrom.get(at) ?? start;
          path.unshift(at);
        }
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...component];
}

describe('the import graph of src', () => {
  const graph = importGraph();
  const all = edges(graph);

  it('reads every source file', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/controllers/index.ts')).toContain('src/controllers/endpoint/controller.ts');
  });

  it('never leaves src: the product does not import the tests or the tools', () => {
    const outside = all.filter(([, to]) => !to.startsWith('src/'));
    expect(outside.length === 0 ? '' : `src imports files outside src:\n${listed(outside)}`).toBe('');
  });

  it("keeps each kind's controller folder to itself: no kind imports another kind's folder", () => {
    const crossing = all.filter(([from, to]) => {
      const kind = kindFolder(from);
      const imported = kindFolder(to);
      return kind !== undefined && imported !== undefined && kind !== imported;
    });
    expect(
      crossing.length === 0
        ? ''
        : `a kind's controller imports another kind's folder (share through src/controllers/common or src/crds):\n${listed(crossing)}`,
    ).toBe('');
  });

  it('keeps src/controllers/common below the kinds: it imports no kind folder', () => {
    const upward = all.filter(
      ([from, to]) => from.startsWith('src/controllers/common/') && kindFolder(to) !== undefined,
    );
    expect(
      upward.length === 0 ? '' : `src/controllers/common imports a kind's folder:\n${listed(upward)}`,
    ).toBe('');
  });

  it.each(['runtime', 'aws'])('keeps src/%s to itself: it imports nothing else of src', (layer) => {
    const escaping = all.filter(
      ([from, to]) => from.startsWith(`src/${layer}/`) && !to.startsWith(`src/${layer}/`),
    );
    expect(escaping.length === 0 ? '' : `src/${layer} imports outside itself:\n${listed(escaping)}`).toBe('');
  });

  it('has no import circle', () => {
    const found = circles(graph);
    expect(
      found.length === 0
        ? ''
        : `import circles in src:\n${found.map((circle) => `  ${circle.join(' → ')}`).join('\n')}`,
    ).toBe('');
  });
});
