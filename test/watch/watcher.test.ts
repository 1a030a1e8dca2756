import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeKind } from '../../src/watch/graph.js';
import { createScheduler } from '../../src/watch/scheduler.js';
import {
  defaultIgnore,
  startWatching,
  unknownFiles,
  type Watcher,
} from '../../src/watch/watcher.js';
import { deferred, Recorder, withDeadline } from './helpers.js';

const DEADLINE = 5000;

interface Event {
  readonly path: string;
  readonly kind: ChangeKind;
}

let root: string;
let watchers: Watcher[];

function write(rel: string, text = 'x\n'): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
}

function start(paths: string[], ignore = defaultIgnore(root, 'generated')) {
  const events = new Recorder<Event>();
  const errors: Error[] = [];
  const w = startWatching({
    root,
    paths,
    ignore,
    onChange: (path, kind) => events.push({ path, kind }),
    onError: (e) => errors.push(e),
  });
  watchers.push(w);
  return { w, events, errors };
}

const at = (rel: string, kind?: ChangeKind) => (e: Event) =>
  e.path === join(root, rel) && (kind === undefined || e.kind === kind);

beforeEach(() => {
  // realpath: on some systems tmpdir is a symlink and chokidar reports the real path.
  root = realpathSync(mkdtempSync(join(tmpdir(), 'fixturegen-watch-')));
  watchers = [];
  write('fixturegen.yaml', 'models: crm.models\n');
  write('scenarios/a.yaml', 'name: a\n');
  write('crm/models/__init__.py', '');
  write('crm/models/user.py', 'class User: ...\n');
  write('generated/__init__.py', '');
  write('.fixturegen/cache/x.json', '{}');
});

afterEach(async () => {
  await Promise.all(watchers.map((w) => w.close()));
  rmSync(root, { recursive: true, force: true });
});

describe('defaultIgnore', () => {
  it('ignores the output folder by path, tool folders by name, and editor temp files', () => {
    const ig = defaultIgnore('/p', 'generated', ['/opt/venvs/p']);
    for (const p of [
      '/p/generated',
      '/p/generated/tenant.py',
      '/p/.git',
      '/p/.git/index',
      '/p/.venv/lib/site.py',
      '/p/node_modules/x/index.js',
      '/p/.fixturegen/cache/a.json',
      '/p/crm/models/__pycache__/user.cpython-312.pyc',
      '/p/scenarios/.a.yaml.swp',
      '/p/scenarios/.a.yaml.swx',
      '/p/scenarios/a.yaml~',
      '/p/scenarios/.#a.yaml',
      '/p/scenarios/4913',
      '/p/scenarios/a.yaml___jb_tmp___',
      '/opt/venvs/p/bin/python',
    ]) {
      expect(ig(p), p).toBe(true);
    }
    for (const p of [
      '/p',
      '/p/scenarios',
      '/p/scenarios/a.yaml',
      '/p/fixturegen.yaml',
      '/p/crm/models/user.py',
      '/p/crm/generated/models.py', // a models subpackage named like the output folder
      '/p/generated_old/x.py',
      '/p/templates/builtin/module.hbs',
    ]) {
      expect(ig(p), p).toBe(false);
    }
  });

  it('matches folder names only below the root, so a project inside node_modules still works', () => {
    const ig = defaultIgnore('/home/u/node_modules/proj', 'out');
    expect(ig('/home/u/node_modules/proj/scenarios/a.yaml')).toBe(false);
    expect(ig('/home/u/node_modules/proj/node_modules/x.js')).toBe(true);
    expect(ig('/home/u/node_modules/proj/out/a.py')).toBe(true);
  });
});

describe('unknownFiles (the rescan behind lost adds)', () => {
  it('lists accepted files chokidar does not know, skipping folders', async () => {
    write('scenarios/b.yaml');
    write('scenarios/c.yaml~');
    write('scenarios/nested/d.yaml');
    const dir = join(root, 'scenarios');
    const ig = defaultIgnore(root, 'generated');
    expect(
      await unknownFiles(
        dir,
        () => new Set(['a.yaml']),
        (p) => !ig(p),
      ),
    ).toEqual([join(dir, 'b.yaml')]);
    expect(
      await unknownFiles(
        dir,
        () => new Set(['a.yaml', 'b.yaml']),
        () => true,
      ),
    ).toEqual([join(dir, 'c.yaml~')]);
    expect(
      await unknownFiles(
        join(root, 'gone'),
        () => new Set(),
        () => true,
      ),
    ).toEqual([]);
  });
});

describe('startWatching', () => {
  it('reports a change to a watched file, with its absolute path', async () => {
    const { w, events } = start(['scenarios', 'fixturegen.yaml']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    await writeFile(join(root, 'scenarios/a.yaml'), 'name: a\n# edited\n');
    await events.next(at('scenarios/a.yaml', 'change'), DEADLINE, 'change of a.yaml');
    await writeFile(join(root, 'fixturegen.yaml'), 'models: crm.other\n');
    await events.next(at('fixturegen.yaml', 'change'), DEADLINE, 'change of config');
  });

  it('reports add and unlink', async () => {
    const { w, events } = start(['scenarios']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    await writeFile(join(root, 'scenarios/b.yaml'), 'name: b\n');
    await events.next(at('scenarios/b.yaml', 'add'), DEADLINE, 'add of b.yaml');
    await rm(join(root, 'scenarios/b.yaml'));
    await events.next(at('scenarios/b.yaml', 'unlink'), DEADLINE, 'unlink of b.yaml');
  });

  it('never reports its own output, tool folders or editor temp files', async () => {
    write('.git/HEAD', 'ref: refs/heads/main\n');
    write('node_modules/pkg/index.js', '');
    write('.venv/lib/site.py', '');
    // Watch the whole root, so only the ignore function stands between these writes and events.
    const { w, events } = start(['.']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    const noise = [
      'generated/tenant.py',
      'generated/__init__.py',
      '.fixturegen/cache/y.json',
      '.fixturegen/tmp/candidate.py',
      '.git/HEAD',
      '.git/objects/ab/cdef',
      'node_modules/pkg/index.js',
      '.venv/lib/site.py',
      'crm/models/__pycache__/user.cpython-312.pyc',
      'scenarios/.a.yaml.swp',
      'scenarios/a.yaml~',
      'scenarios/.#a.yaml',
      'scenarios/4913',
    ];
    await Promise.all(
      noise.map((rel) => writeFile(join(root, rel), 'noise\n').catch(() => undefined)),
    );
    // Noise in folders that existed already (and in new subfolders) first, then a watched file:
    // the watched event arriving alone proves the noise was dropped, not merely late.
    for (const rel of noise) write(rel, 'noise again\n');
    await writeFile(join(root, 'scenarios/a.yaml'), 'name: a\n# edited\n');
    await events.next(at('scenarios/a.yaml'), DEADLINE, 'change of a.yaml');
    // A second round trip gives any straggler from the noise time to show up.
    await writeFile(join(root, 'crm/models/user.py'), 'class User: pass\n');
    await events.next(at('crm/models/user.py'), DEADLINE, 'change of user.py');
    // Paths, once each: a write may be seen as two events, which the scheduler's set absorbs.
    expect([...new Set(events.items.map((e) => e.path.slice(root.length + 1)))].sort()).toEqual([
      'crm/models/user.py',
      'scenarios/a.yaml',
    ]);
  });

  it('ignores an output folder created after watching started', async () => {
    rmSync(join(root, 'generated'), { recursive: true });
    const { w, events } = start(['.']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    write('generated/__init__.py', '');
    write('generated/tenant.py', 'def tenant(): ...\n');
    await writeFile(join(root, 'scenarios/a.yaml'), 'name: a\n# edited\n');
    await events.next(at('scenarios/a.yaml'), DEADLINE, 'change of a.yaml');
    write('generated/tenant.py', 'def tenant(): return 1\n');
    await writeFile(join(root, 'fixturegen.yaml'), 'models: crm.other\n');
    await events.next(at('fixturegen.yaml'), DEADLINE, 'change of config');
    expect(events.items.every((e) => !e.path.includes(`${root}/generated`))).toBe(true);
  });

  it('setPaths swaps the watched list: added files report, removed ones stop', async () => {
    const { w, events } = start(['scenarios']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    await withDeadline(
      w.setPaths(['scenarios', 'crm/models/__init__.py', 'crm/models/user.py']),
      DEADLINE,
      'setPaths',
    );
    await writeFile(join(root, 'crm/models/user.py'), 'class User: pass\n');
    await events.next(at('crm/models/user.py'), DEADLINE, 'change of user.py');

    await withDeadline(w.setPaths(['scenarios', 'crm/models/__init__.py']), DEADLINE, 'setPaths');
    const before = events.items.length;
    await writeFile(join(root, 'crm/models/user.py'), 'class User: x = 1\n');
    await writeFile(join(root, 'scenarios/a.yaml'), 'name: a\n# edited\n');
    await events.next(at('scenarios/a.yaml'), DEADLINE, 'change of a.yaml');
    await writeFile(join(root, 'crm/models/__init__.py'), '# still watched\n');
    await events.next(at('crm/models/__init__.py'), DEADLINE, 'change of __init__.py');
    expect([
      ...new Set(events.items.slice(before).map((e) => e.path.slice(root.length + 1))),
    ]).toEqual(['scenarios/a.yaml', 'crm/models/__init__.py']);
  });

  it('watches a file that does not exist yet (a config created later)', async () => {
    const { w, events } = start(['scenarios', 'pyproject.toml']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    await writeFile(join(root, 'pyproject.toml'), '[tool.fixturegen]\n');
    await events.next(at('pyproject.toml', 'add'), DEADLINE, 'add of pyproject.toml');
  });

  it('watches a folder that does not exist yet (templates created later)', async () => {
    const { w, events } = start(['scenarios', 'templates/prompt']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    write('templates/prompt/system.hbs', 'You write pytest fixtures.\n');
    await events.next(at('templates/prompt/system.hbs', 'add'), DEADLINE, 'add of system.hbs');
    write('templates/other.hbs', 'not wanted\n'); // beside the wanted folder: not reported
    await writeFile(join(root, 'templates/prompt/system.hbs'), 'v2\n');
    await events.next(at('templates/prompt/system.hbs', 'change'), DEADLINE, 'change');
    expect(events.items.some(at('templates/other.hbs'))).toBe(false);
  });

  it('follows a watched folder: new and removed subfolders, a save by rename, the folder itself', async () => {
    const { w, events, errors } = start(['scenarios']);
    await withDeadline(w.ready, DEADLINE, 'ready');
    write('scenarios/team/x.yaml', 'name: x\n');
    await events.next(at('scenarios/team/x.yaml', 'add'), DEADLINE, 'add in a new subfolder');
    await writeFile(join(root, 'scenarios/team/x.yaml'), 'name: x\n# edited\n');
    await events.next(at('scenarios/team/x.yaml', 'change'), DEADLINE, 'change in the subfolder');
    // An editor's save: a temporary file renamed over the scenario.
    writeFileSync(join(root, 'scenarios/a.yaml.tmp-1'), 'name: a\n# saved\n');
    renameSync(join(root, 'scenarios/a.yaml.tmp-1'), join(root, 'scenarios/a.yaml'));
    await events.next(at('scenarios/a.yaml', 'change'), DEADLINE, 'save by rename');
    rmSync(join(root, 'scenarios/team'), { recursive: true });
    await events.next(at('scenarios/team/x.yaml', 'unlink'), DEADLINE, 'subfolder removed');
    // The watched folder itself removed, then made again: its files come back as added.
    rmSync(join(root, 'scenarios'), { recursive: true });
    await events.next(at('scenarios/a.yaml', 'unlink'), DEADLINE, 'folder removed');
    write('scenarios/b.yaml', 'name: b\n');
    await events.next(at('scenarios/b.yaml', 'add'), DEADLINE, 'folder made again');
    await writeFile(join(root, 'scenarios/b.yaml'), 'name: b\n# edited\n');
    await events.next(at('scenarios/b.yaml', 'change'), DEADLINE, 'change in the new folder');
    expect(errors).toEqual([]);
  });

  it('routes an onChange that throws to onError and keeps watching', async () => {
    const errors: Error[] = [];
    const seen = new Recorder<string>();
    const w = startWatching({
      root,
      paths: ['scenarios'],
      ignore: defaultIgnore(root, 'generated'),
      onChange: (path) => {
        seen.push(path);
        if (path.endsWith('a.yaml')) throw new Error('consumer broke');
      },
      onError: (e) => errors.push(e),
    });
    watchers.push(w);
    await withDeadline(w.ready, DEADLINE, 'ready');
    await writeFile(join(root, 'scenarios/a.yaml'), 'name: a\n# edited\n');
    await seen.next((p) => p.endsWith('a.yaml'), DEADLINE, 'a.yaml');
    await writeFile(join(root, 'scenarios/b.yaml'), 'name: b\n');
    await seen.next((p) => p.endsWith('b.yaml'), DEADLINE, 'b.yaml');
    expect(errors.map((e) => e.message)).toContain('consumer broke');
  });

  it('closes cleanly, also before it was ready and while a swap is pending', async () => {
    const a = start(['scenarios']);
    await withDeadline(a.w.close(), DEADLINE, 'close before ready');
    const b = start(['scenarios']);
    await withDeadline(b.w.ready, DEADLINE, 'ready');
    const swap = b.w.setPaths(['scenarios', 'crm']);
    await withDeadline(Promise.all([b.w.close(), swap]), DEADLINE, 'close during swap');
    await withDeadline(b.w.setPaths(['crm']), DEADLINE, 'setPaths after close');
  });

  it('turns a burst of 500 written files into one or two scheduler runs', async () => {
    const N = 500;
    const seen = new Set<string>();
    const batches: number[] = [];
    const allSeen = deferred();
    const scheduler = createScheduler<string>({
      run: (batch) => {
        batches.push(batch.size);
        for (const p of batch) seen.add(p);
        if (seen.size >= N) allSeen.resolve();
        return Promise.resolve();
      },
    });
    const errors: Error[] = [];
    const raw: string[] = []; // for the failure message
    const w = startWatching({
      root,
      paths: ['scenarios'],
      ignore: defaultIgnore(root, 'generated'),
      onChange: (path, kind) => {
        raw.push(`${kind} ${path.slice(root.length + 1)}`);
        scheduler.add(path);
      },
      onError: (e) => errors.push(e),
    });
    watchers.push(w);
    await withDeadline(w.ready, DEADLINE, 'ready');
    const t0 = performance.now();
    await Promise.all([
      ...Array.from({ length: N }, (_, i) =>
        writeFile(join(root, 'scenarios', `s${i}.yaml`), `name: s${i}\n`),
      ),
      // Editor droppings in the same folder: neither chokidar nor the rescan may report them.
      ...Array.from({ length: 20 }, (_, i) =>
        writeFile(join(root, 'scenarios', `.#s${i}.yaml`), 'lock\n'),
      ),
    ]);
    const written = performance.now() - t0;
    await withDeadline(allSeen.promise, 10_000, `${N} files through the scheduler`).catch(
      (e: unknown) => {
        throw new Error(`${String(e)}; seen ${seen.size}, events ${raw.length}`, { cause: e });
      },
    );
    await scheduler.idle();
    const total = performance.now() - t0;
    await scheduler.close();
    console.info(
      `burst of ${N}: written in ${written.toFixed(0)} ms, all run after ${total.toFixed(0)} ms, ` +
        `runs ${batches.length} (batch sizes ${batches.join(', ')})`,
    );
    expect(seen.size).toBe(N);
    expect([...seen].every((p) => /\/s\d+\.yaml$/.test(p))).toBe(true);
    expect(errors).toEqual([]);
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches.length).toBeLessThanOrEqual(2);
  });
});
