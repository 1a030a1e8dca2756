/**
 * Honest build and check output, on a copy of the `extends` golden project: `check` names the
 * input that changed for each stale file (a child whose parent alone changed gets that one
 * reason), ends with one command that fixes everything (and running it does), and `build` lists
 * orphaned files with the command that removes them. A generated file without its header is
 * hand-edited for both commands.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VENV_ENV, snapshot } from '../support/project.js';
import { REPO, fixturegen } from '../support/python.js';

interface Finding {
  kind: string;
  file: string;
  changed?: { input: string; message: string }[];
  fix: string;
}
interface CheckResult {
  ok: boolean;
  findings: Finding[];
  fixAll: string | null;
}

describe('stale reasons, orphans and the fix-all command', () => {
  let dir: string;
  let built: Record<string, string>;
  const gen = (name: string) => join(dir, 'generated', `${name}.py`);
  const scenario = (name: string) => join(dir, 'scenarios', `${name}.yaml`);

  const check = (): CheckResult => {
    const r = fixturegen(dir, ['check', '--json'], VENV_ENV);
    const result = JSON.parse(r.stdout) as CheckResult;
    expect(r.status).toBe(result.ok ? 0 : 1);
    return result;
  };
  const reasons = (result: CheckResult) =>
    Object.fromEntries(
      result.findings.map((f) => [f.file.replace(/^generated\/|\.py$/g, ''), f.changed ?? f.kind]),
    );
  /** Runs a test's edit, then puts every input back and rebuilds to the first build's bytes. */
  const restoring = (files: string[], body: () => void) => {
    const saved = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
    try {
      body();
    } finally {
      for (const [f, text] of saved) writeFileSync(f, text);
      expect(fixturegen(dir, ['build', '--verify', 'none'], VENV_ENV).status).toBe(0);
      expect(snapshot(join(dir, 'generated'))).toEqual(built);
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fixturegen-stale-'));
    cpSync(join(REPO, 'test', 'cases', 'extends', 'project'), dir, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__'),
    });
    expect(fixturegen(dir, ['build', '--verify', 'none'], VENV_ENV).status).toBe(0);
    built = snapshot(join(dir, 'generated'));
    expect(check().ok).toBe(true);
  });

  it('a parent scenario edit: the parent names its scenario, each child only its parent', () => {
    restoring([scenario('club')], () => {
      writeFileSync(
        scenario('club'),
        readFileSync(scenario('club'), 'utf8').replace('Ada', 'Grace'),
      );
      const result = check();
      const by = reasons(result);
      expect(Object.keys(by).sort()).toEqual(
        ['club', 'diamond', 'redundant', 'transitive', 'with_events', 'with_members'].sort(),
      );
      expect(by.club).toEqual([
        { input: 'scenario', message: 'its scenario scenarios/club.yaml changed' },
      ]);
      expect(by.with_members).toEqual([
        { input: 'parent', message: 'its parent scenario `club` changed' },
      ]);
      expect(by.diamond).toEqual([
        {
          input: 'parent',
          message: 'its parent scenarios `with_members`, `with_events` changed',
        },
      ]);
      expect(by.transitive).toEqual([
        { input: 'parent', message: 'its parent scenario `diamond` changed' },
      ]);
      expect(result.fixAll).toBe('fixturegen build');
    });
  });

  it('a models edit: the scenarios whose catalog slice it touches name the models', () => {
    const models = join(dir, 'club', 'models.py');
    restoring([models], () => {
      writeFileSync(
        models,
        `${readFileSync(models, 'utf8')}    website: Mapped[Optional[str]] = mapped_column(String(80))\n`,
      );
      const by = reasons(check());
      // Sponsor is its own scenario's model and a neighbour of Event (with_events); not club's.
      expect(by.sponsor).toEqual([
        {
          input: 'models',
          message: expect.stringContaining('the models it touches changed (Sponsor') as unknown,
        },
      ]);
      expect(by.with_events).toEqual([
        {
          input: 'models',
          message: expect.stringMatching(/^the models it touches changed \(.*Event/) as unknown,
        },
      ]);
      expect(by.club).toBeUndefined();
      expect(by.with_members).toBeUndefined();
    });
  });

  it("the generator's templates and fixturegen's version, as recorded in the header", () => {
    restoring([gen('club'), gen('sponsor')], () => {
      const zero = '0'.repeat(64);
      // As if written with other templates, and by another fixturegen version: the body is intact.
      writeFileSync(
        gen('club'),
        readFileSync(gen('club'), 'utf8')
          .replace(/input=[0-9a-f]{64}/, `input=${zero}`)
          .replace(/fingerprint=[0-9a-f]+/, 'fingerprint=000000000000'),
      );
      writeFileSync(
        gen('sponsor'),
        readFileSync(gen('sponsor'), 'utf8')
          .replace(/input=[0-9a-f]{64}/, `input=${zero}`)
          .replace(/^# Generated by fixturegen \S+/, '# Generated by fixturegen 0.0.1'),
      );
      const by = reasons(check());
      expect(by).toEqual({
        club: [{ input: 'fingerprint', message: 'the builtin templates changed' }],
        sponsor: [
          {
            input: 'version',
            message: expect.stringMatching(/^fixturegen's version changed \(0\.0\.1 → /) as unknown,
          },
        ],
      });
    });
  });

  it('build lists an orphan with its fix and replaces a header-less file; check says both', () => {
    restoring([scenario('transitive'), gen('sponsor')], () => {
      rmSync(scenario('transitive'));
      // A generated file whose header was removed: edited by hand, for check and for build alike.
      const lines = readFileSync(gen('sponsor'), 'utf8').split('\n');
      writeFileSync(gen('sponsor'), lines.slice(3).join('\n'));

      const human = fixturegen(dir, ['check'], VENV_ENV);
      expect(human.status).toBe(1);
      expect(human.stdout).toContain('generated/sponsor.py has no fixturegen header');
      expect(human.stdout).toContain('generated/transitive.py is orphaned');
      const last = human.stdout.trimEnd().split('\n').at(-1);
      expect(last).toBe('fix all: rm generated/transitive.py && fixturegen build');

      const b = fixturegen(dir, ['build', '--verify', 'none'], VENV_ENV);
      expect(b.status).toBe(0);
      expect(b.stdout).toMatch(
        /orphaned\s+generated\/transitive\.py — its scenario scenarios\/transitive\.yaml no longer exists/,
      );
      expect(b.stdout).toContain('fix: rm generated/transitive.py');
      expect(b.stdout).toContain('replaced generated/sponsor.py, which had no fixturegen header');
      expect(reasons(check())).toEqual({ transitive: 'orphaned' });
    });
  });

  it("running check's fix-all command makes check pass", () => {
    restoring([scenario('club'), scenario('transitive'), gen('with_events')], () => {
      rmSync(scenario('transitive'));
      writeFileSync(
        scenario('club'),
        readFileSync(scenario('club'), 'utf8').replace('Ada', 'Grace'),
      );
      writeFileSync(gen('with_events'), `${readFileSync(gen('with_events'), 'utf8')}# tweak\n`);
      const result = check();
      expect(reasons(result).with_events).toBe('hand-edited');
      expect(result.fixAll).toBe('rm generated/transitive.py && fixturegen build');
      for (const command of result.fixAll!.split(' && ')) {
        const [program, ...args] = command.split(' ');
        if (program === 'rm') for (const f of args) rmSync(join(dir, f));
        else expect(fixturegen(dir, [...args, '--verify', 'none'], VENV_ENV).status).toBe(0);
      }
      expect(check()).toMatchObject({ ok: true, findings: [], fixAll: null });
    });
  });
});
