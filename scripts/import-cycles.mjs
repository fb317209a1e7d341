#!/usr/bin/env node
/**
 * `npm run lint`: fails on an import cycle in src/, between files or between folders, type-only
 * imports included. dependency-cruiser reads the build, where type imports are gone (it cannot
 * parse TypeScript 7's sources), so this checks what it cannot: that the layout has no circles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const files = readdirSync(root, { recursive: true })
  .map((f) => join(root, String(f)))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const known = new Set(files);
const IMPORT = /(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g;

/** Each file's relative imports of other files of src/. */
const imports = new Map(
  files.map((f) => [
    f,
    [...readFileSync(f, 'utf8').matchAll(IMPORT)].map((m) => resolve(dirname(f), m[1].replace(/\.js$/, '.ts'))).filter((d) => known.has(d)),
  ]),
);

/** Strongly connected groups of more than one node (Tarjan). */
function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = [];
    let w;
    do group.push((w = stack.pop()));
    while (w !== v);
    if (group.length > 1) found.push(group);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folderOf = (f) => relative(root, dirname(f)) || '.';
const folders = new Map();
for (const [f, deps] of imports) {
  for (const d of deps)
    if (folderOf(f) !== folderOf(d)) folders.set(folderOf(f), new Set([...(folders.get(folderOf(f)) ?? []), folderOf(d)]));
}

const fileCycles = cycles(imports).map((group) => group.map((f) => relative(root, f)));
const folderCycles = cycles(folders);
for (const group of fileCycles) console.error(`import cycle between files: ${group.join(' -> ')}`);
for (const group of folderCycles) console.error(`import cycle between folders: ${group.join(' -> ')}`);
if (fileCycles.length + folderCycles.length > 0) process.exit(1);
console.log(`no import cycles (${files.length} files, type imports included)`);
