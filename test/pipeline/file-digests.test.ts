/**
 * The remembered content hashes of scenario files and generated modules (pipeline/file-digests.ts):
 * a file whose stat is unchanged is not read again, and nothing else ever answers from them.
 * `now` is passed to make files settled (or not) without waiting.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { sha256, stateDir } from '../../src/config/state.js';
import { outputsKey } from '../../src/pipeline/check-cache.js';
import { FileDigests, SETTLE_MS } from '../../src/pipeline/file-digests.js';
import { hashInputs, hashScenarioInputs, readScenarioInputs } from '../../src/pipeline/inputs.js';

const A = 'description: first\nentities: {}\n';
const B = 'description: other\nentities: {}\n'; // the same length as A

/** Later than every file here changed, by more than the settling time: all of them are settled. */
const later = () => ({ now: Date.now() + SETTLE_MS + 60_000 });
const ctimeMs = (path: string) => Number(statSync(path, { bigint: true }).ctimeNs / 1_000_000n);

/** Gives `path` the times of `reference`, to the nanosecond (`touch -r`: utimensat). */
function copyTimes(reference: string, path: string): void {
  const r = spawnSync('touch', ['-r', reference, path]);
  expect(r.status, String(r.stderr)).toBe(0);
}

/**
 * Rewrites `path` in place, its modification time put back, until its status-change time differs
 * from `before` (on a coarse clock, a write soon after the first one may keep it).
 */
function rewrite(path: string, text: string, before: bigint): void {
  const reference = `${path}.times`;
  writeFileSync(reference, '');
  copyTimes(path, reference);
  do {
    writeFileSync(path, text);
    copyTimes(reference, path);
  } while (statSync(path, { bigint: true }).ctimeNs === before);
  rmSync(reference);
}

describe('remembered file digests', () => {
  let root: string;
  let config: Config;
  const scenario = () => join(root, 'scenarios', 'a.yaml');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fixturegen-digests-'));
    mkdirSync(join(root, 'scenarios'));
    mkdirSync(join(root, 'generated'));
    writeFileSync(scenario(), A);
    writeFileSync(join(root, 'scenarios', 'b.yaml'), 'description: b\nentities: {}\n');
    writeFileSync(join(root, 'generated', '__init__.py'), '');
    writeFileSync(join(root, 'generated', 'a.py'), '# a\n');
    config = { root, scenarios: 'scenarios', output: 'generated' } as Config;
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const remember = () => {
    const first = new FileDigests(root, later());
    const hashed = hashScenarioInputs(config, first);
    const outputs = outputsKey(config, first);
    first.save();
    return { hashed, outputs, counts: first.counts };
  };

  it('answers from the state for unchanged files, the same as reading them', () => {
    const first = remember();
    expect(first.counts).toEqual({ remembered: 0, read: 4 });
    expect(first.hashed).toEqual(hashInputs(readScenarioInputs(config)));
    const next = new FileDigests(root, later());
    expect(hashScenarioInputs(config, next)).toEqual(first.hashed);
    expect(outputsKey(config, next)).toBe(first.outputs);
    expect(outputsKey(config, next)).toBe(outputsKey(config));
    expect(next.counts).toEqual({ remembered: 6, read: 0 });
  });

  it('reads a file rewritten with the same size and modification time again', () => {
    remember();
    const before = statSync(scenario(), { bigint: true });
    rewrite(scenario(), B, before.ctimeNs);
    const after = statSync(scenario(), { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([
      before.size,
      before.mtimeNs,
      before.ino,
    ]);
    const next = new FileDigests(root, later());
    const hashed = hashScenarioInputs(config, next);
    expect(hashed).toEqual(hashInputs(readScenarioInputs(config)));
    expect(hashed[0]![1]).toBe(sha256(B));
    expect(next.counts).toEqual({ remembered: 1, read: 1 });
    // The same for a generated module.
    const module = join(root, 'generated', 'a.py');
    const key = outputsKey(config);
    rewrite(module, '# b\n', statSync(module, { bigint: true }).ctimeNs);
    expect(outputsKey(config, new FileDigests(root, later()))).toBe(outputsKey(config));
    expect(outputsKey(config)).not.toBe(key);
  });

  it('reads a file replaced by another of the same size and times again', () => {
    remember();
    const other = join(root, 'other.yaml');
    writeFileSync(other, B);
    copyTimes(scenario(), other);
    renameSync(other, scenario());
    const next = new FileDigests(root, later());
    expect(hashScenarioInputs(config, next)).toEqual(hashInputs(readScenarioInputs(config)));
    expect(next.counts.read).toBe(1);
  });

  it('does not remember a file changed within the settling time before the run', () => {
    const now = ctimeMs(scenario()) + SETTLE_MS - 1;
    const first = new FileDigests(root, { now });
    hashScenarioInputs(config, first);
    first.save();
    const next = new FileDigests(root, later());
    hashScenarioInputs(config, next);
    // b.yaml was written after a.yaml: neither was settled at `now`.
    expect(next.counts).toEqual({ remembered: 0, read: 2 });
  });

  it('keeps the hashes of the kinds a run did not hash, and drops the files that are gone', () => {
    remember();
    rmSync(join(root, 'scenarios', 'b.yaml'));
    const scenariosOnly = new FileDigests(root, later());
    hashScenarioInputs(config, scenariosOnly);
    scenariosOnly.save();
    const next = new FileDigests(root, later());
    hashScenarioInputs(config, next);
    outputsKey(config, next);
    expect(next.counts).toEqual({ remembered: 3, read: 0 });
    const stored = JSON.parse(readFileSync(join(stateDir(root), 'digests.json'), 'utf8')) as {
      value: Record<string, unknown>;
    };
    expect(Object.keys(stored.value).some((k) => k.endsWith('b.yaml'))).toBe(false);
  });

  it('reads a file that cannot be read every time, and reports it the same', () => {
    writeFileSync(scenario(), 'x'.repeat(2_000_000)); // beyond the scenario size limit
    remember();
    const next = new FileDigests(root, later());
    const hashed = hashScenarioInputs(config, next);
    expect(hashed).toEqual(hashInputs(readScenarioInputs(config)));
    expect(hashed[0]![2]).not.toBeNull();
    expect(next.counts).toEqual({ remembered: 1, read: 1 });
  });

  it('a damaged state file is a miss', () => {
    remember();
    writeFileSync(join(stateDir(root), 'digests.json'), '{"format":1,"key":"v1","value":[1,2]}');
    const next = new FileDigests(root, later());
    expect(hashScenarioInputs(config, next)).toEqual(hashInputs(readScenarioInputs(config)));
    expect(next.counts).toEqual({ remembered: 0, read: 2 });
  });
});
