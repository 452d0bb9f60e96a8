#!/usr/bin/env node
// The repository stands alone: fails (exit 1) when a tracked file reads or cites something outside it. It flags
//  - a relative path (`../x`) that, resolved from the file's folder, leaves the repository;
//  - `../shared` after a prefix that cannot be resolved (`$ROOT/../shared`, `<rootDir>/../shared`), and a path
//    joined from the parts `..` and `shared`;
//  - the names of design and spec documents that are not in the repository, and `§N` section citations (cite a
//    heading of a doc in docs/ instead).
// Run by `npm run lint`. Usage: node scripts/check-standalone.mjs [root]
import { execFileSync } from 'node:child_process';

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The environment for a git command about another folder: without the GIT_* variables a hook or `git rebase
 * --exec` sets, which would point git at another repository than the one in that folder.
 */
const gitEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

/** Documents that live outside the repository: naming one is a citation the reader cannot follow. */
export const OUTSIDE_DOCUMENTS = [
  'reliability-security',
  'argo-rollouts-istio',
  'argo-rollouts-analysis',
  'real-apiserver.md',
  'toolchain.md',
  'peers.md',
  'design.md',
];

/** Files that must name what they forbid: this script and its unit test. */
export const EXEMPT = ['scripts/check-standalone.mjs', 'tests/unit/scripts/check-standalone.test.ts'];

const RELATIVE = /(?<![\w.$}>/\\-])((?:\.\.\/)+)([\w@./-]*)/g;
const UNRESOLVABLE_SHARED = /[\w$}>)\]]\/(?:\.\.\/)+shared\b/g;
const JOINED_SHARED = /['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/g;
const SECTION = /§\s*\d/g;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DOCUMENT = new RegExp(`\\b(?:${OUTSIDE_DOCUMENTS.map(escape).join('|')})\\b`, 'g');

/**
 * The references to things outside the repository in one file's text, as `{ line, reason, text }`. `file` is the
 * path relative to the repository root, with `/` separators (relative paths are resolved from its folder).
 */
export function outsideReferences(file, text) {
  const found = [];
  const dir = path.posix.dirname(file);
  text.split('\n').forEach((lineText, i) => {
    const add = (reason, m) => found.push({ line: i + 1, reason, text: m });
    for (const m of lineText.matchAll(RELATIVE)) {
      const target = path.posix.normalize(path.posix.join(dir, m[1], m[2] ?? ''));
      if (target === '..' || target.startsWith('../')) add('relative path leaves the repository', m[0]);
    }
    for (const m of lineText.matchAll(UNRESOLVABLE_SHARED))
      add('path to a shared folder beside the repository', m[0]);
    for (const m of lineText.matchAll(JOINED_SHARED))
      add('path to a shared folder beside the repository', m[0]);
    for (const m of lineText.matchAll(DOCUMENT)) add('cites a document that is not in the repository', m[0]);
    for (const m of lineText.matchAll(SECTION))
      add('cites a numbered section of a document that is not in the repository', m[0]);
  });
  return found;
}

function trackedFiles(root) {
  try {
    return execFileSync('git', ['ls-files', '-z'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: gitEnv(),
    })
      .split('\0')
      .filter(Boolean);
  } catch {
    const walk = (rel) =>
      readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory())
          return ['node_modules', '.git', '.cluster', 'dist'].includes(e.name) ? [] : walk(p);
        return [p];
      });
    return walk('');
  }
}

/** Every outside reference in the repository's tracked text files, as `file:line: reason: text` lines. */
export function checkRepository(root) {
  const out = [];
  for (const file of trackedFiles(root)) {
    if (EXEMPT.includes(file)) continue;
    const abs = path.join(root, file);
    let st;
    try {
      st = statSync(abs);
    } catch {
      continue; // deleted in the working tree
    }
    if (!st.isFile()) continue;
    const buf = readFileSync(abs);
    if (buf.includes(0)) continue; // binary
    for (const r of outsideReferences(file, buf.toString('utf8')))
      out.push(`${file}:${r.line}: ${r.reason}: ${r.text}`);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = checkRepository(root);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(
      `check-standalone: ${problems.length} reference(s) to things outside the repository; write what is needed into docs/ and point there`,
    );
    process.exit(1);
  }
}
