/** The README's Diagnostics table lists every code the source can produce, and no other. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO } from '../support/python.js';

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) ? [p] : [];
  });
}

const codesIn = (text: string) => new Set(text.match(/\bFG[1-6][0-9]{2}\b/g) ?? []);

test('every FG code of src/ and the Python helper has a row in the README Diagnostics table', () => {
  const used = new Set<string>();
  for (const f of [
    ...files(join(REPO, 'src'), /\.ts$/),
    ...files(join(REPO, 'python', 'fixturegen_helper'), /\.py$/),
  ]) {
    for (const c of codesIn(readFileSync(f, 'utf8'))) used.add(c);
  }
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Diagnostics\n'),
    readme.indexOf('\n## LLM generator\n'),
  );
  const rows = new Set([...section.matchAll(/^\| (FG\d{3}) \|/gm)].map((m) => m[1]!));
  expect([...used].filter((c) => !rows.has(c)).sort()).toEqual([]);
  expect([...rows].filter((c) => !used.has(c)).sort()).toEqual([]);
});
