/**
 * CLI conventions through the built CLI: did-you-mean for commands and options, `--version`,
 * `help COMMAND` and `COMMAND --help` for every command, and lazy loading: `--version` and
 * `--help` load none of the heavy dependencies, as a module-resolution hook records.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, REPO, fixturegen } from '../support/python.js';

const COMMANDS = [
  'init',
  'validate',
  'build',
  'watch',
  'check',
  'catalog',
  'prompt',
  'draft',
  'doctor',
  'eval',
];
const VERSION = (
  JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
).version;

describe('did you mean', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-cli-'));

  it('suggests the command for a typo, exits 2 and runs nothing', () => {
    const r = fixturegen(dir, ['bulid']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown command "bulid"');
    expect(r.stderr).toContain('did you mean "build"?');
  });

  it('suggests nothing for a word far from every command', () => {
    const r = fixturegen(dir, ['tenant_with_team']);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain('did you mean');
    expect(r.stderr).toContain('fixturegen help');
  });

  it('suggests the option for a typo, among those of the command', () => {
    const r = fixturegen(dir, ['build', '--forse']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --forse');
    expect(r.stderr).toContain('did you mean "--force"?');
    expect(r.stderr).toContain('fixturegen help build');
    expect(fixturegen(dir, ['check', '--jsno']).stderr).toContain('did you mean "--json"?');
  });

  it("names the command an option belongs to when it is another command's", () => {
    const r = fixturegen(dir, ['check', '--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--force is an option of `fixturegen build`');
  });

  it('suggests the command for a typo after help', () => {
    const r = fixturegen(dir, ['help', 'chekc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('did you mean "check"?');
  });
});

describe('version and help', () => {
  it('prints the version with --version and -v', () => {
    for (const flag of ['--version', '-v']) {
      const r = fixturegen(REPO, [flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
  });

  it('lists every command', () => {
    const r = fixturegen(REPO, ['help']);
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(fixturegen(REPO, []).stdout).toBe(r.stdout);
    expect(fixturegen(REPO, ['--help']).stdout).toBe(r.stdout);
  });

  it.each(COMMANDS)('gives %s its own help, the same from `help` and `--help`', (c) => {
    const r = fixturegen(REPO, ['help', c]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Usage: fixturegen ${c}`);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain(`fixturegen ${c}`);
    expect(fixturegen(REPO, [c, '--help']).stdout).toBe(r.stdout);
    expect(fixturegen(REPO, [c, '-h']).stdout).toBe(r.stdout);
  });
});

describe('lazy loading', () => {
  const HEAVY = ['chokidar', 'handlebars', 'ajv', 'zod', 'yaml', 'openai', 'smol-toml'];

  /** The packages under node_modules that `fixturegen ARGS` loads, by a resolve hook's record. */
  function loadedPackages(cwd: string, args: string[]): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-hooks-'));
    const log = join(dir, 'loaded.txt');
    writeFileSync(log, '');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}
`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
    const r = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), CLI, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.stderr).not.toContain('Error');
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(urls.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(true);
    const packages = urls.flatMap(
      (u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? [],
    );
    return [...new Set(packages)].sort();
  }

  it('--version, --help and help COMMAND load none of the heavy packages', () => {
    for (const args of [['--version'], ['--help'], ['help', 'build'], ['bulid']]) {
      const loaded = loadedPackages(REPO, args);
      expect(
        loaded.filter((p) => HEAVY.includes(p)),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('a command that runs loads what it needs (the hook does see them)', () => {
    // A configuration parsed for the first time (and refused by the schema: no Python needed).
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-badconfig-'));
    writeFileSync(join(dir, 'fixturegen.yaml'), 'models: 1\n');
    const loaded = loadedPackages(dir, ['validate']);
    expect(loaded).toEqual(expect.arrayContaining(['yaml', 'zod']));
  });
});
