import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFast } from '../../src/config/fast.js';
import { loadConfig } from '../../src/config/load.js';
import { stateDir } from '../../src/config/state.js';

const CONFIG = `# a comment the parse drops
models: [app.models, app.more]
output: gen
async: true
llm:
  extra_body: { chat_template_kwargs: { enable_thinking: false } }
`;

describe('loading the configuration from its remembered parse', () => {
  let dir: string;
  const remembered = () => join(stateDir(dir), 'config.json');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fixturegen-fast-config-'));
    mkdirSync(join(dir, 'scenarios'));
    writeFileSync(join(dir, 'fixturegen.yaml'), CONFIG);
  });

  it('gives what the full load gives, the first time and from what it remembered', async () => {
    const full = loadConfig({ cwd: dir, env: {} });
    expect(full.ok).toBe(true);
    const first = await loadConfigFast({ cwd: dir, env: {} });
    expect(existsSync(remembered())).toBe(true);
    const again = await loadConfigFast({ cwd: dir, env: {} });
    expect(first).toEqual(full);
    expect(again).toEqual(full);
    // The defaults the schema filled in are part of what was remembered.
    expect(again.ok && again.value.database_url).toBe('sqlite+aiosqlite:///:memory:');
    // And what was remembered is what the next load uses (shown by changing it behind its back).
    const stored = JSON.parse(readFileSync(remembered(), 'utf8')) as { value: { output: string } };
    stored.value.output = 'from_the_state';
    writeFileSync(remembered(), JSON.stringify(stored));
    const used = await loadConfigFast({ cwd: dir, env: {} });
    expect(used.ok && used.value.output).toBe('from_the_state');
  });

  it('parses an edited file again', async () => {
    await loadConfigFast({ cwd: dir, env: {} });
    writeFileSync(join(dir, 'fixturegen.yaml'), CONFIG.replace('output: gen', 'output: other'));
    const r = await loadConfigFast({ cwd: dir, env: {} });
    expect(r.ok && r.value.output).toBe('other');
    expect(r).toEqual(loadConfig({ cwd: dir, env: {} }));
  });

  it('reads the environment and the disk on every load', async () => {
    await loadConfigFast({ cwd: dir, env: {} });
    const env = { FIXTUREGEN_DATABASE_URL: 'postgresql+asyncpg://localhost/x' };
    const r = await loadConfigFast({ cwd: dir, env });
    expect(r.ok && r.value.verifyDatabaseUrl).toBe('postgresql+asyncpg://localhost/x');
    // A sync driver is refused for async output, from the environment too.
    const sync = await loadConfigFast({
      cwd: dir,
      env: { FIXTUREGEN_DATABASE_URL: 'postgresql://localhost/x' },
    });
    expect(sync.ok ? [] : sync.diagnostics.map((d) => d.code)).toEqual(['FG620']);
    // A folder gone since: reported where the file names it, as the full load does.
    rmSync(join(dir, 'scenarios'), { recursive: true });
    const gone = await loadConfigFast({ cwd: dir, env: {} });
    expect(gone).toEqual(loadConfig({ cwd: dir, env: {} }));
    expect(gone.ok).toBe(false);
  });

  it('does not remember a configuration that holds a password, and loads it right every time', async () => {
    const withPassword = `${CONFIG}database_url: "postgresql+asyncpg://me:s3cretpw@db/app"\n`;
    writeFileSync(join(dir, 'fixturegen.yaml'), withPassword);
    for (let i = 0; i < 2; i += 1) {
      const r = await loadConfigFast({ cwd: dir, env: {} });
      expect(r.ok && r.value.database_url).toBe('postgresql+asyncpg://me:s3cretpw@db/app');
    }
    expect(existsSync(remembered())).toBe(false);
  });

  it('a remembered file of another content, or not ours, is not used', async () => {
    await loadConfigFast({ cwd: dir, env: {} });
    const stored = JSON.parse(readFileSync(remembered(), 'utf8')) as { value: { output: string } };
    stored.value.output = 'tampered';
    writeFileSync(remembered(), JSON.stringify({ ...stored, key: 'another key' }));
    const r = await loadConfigFast({ cwd: dir, env: {} });
    expect(r.ok && r.value.output).toBe('gen');
    writeFileSync(remembered(), 'not JSON');
    expect(await loadConfigFast({ cwd: dir, env: {} })).toEqual(loadConfig({ cwd: dir, env: {} }));
  });
});
