import { describe, expect, it } from 'vitest';
import { extractYaml, mergeDraft } from '../../src/draft/answer.js';
import { unifiedDiff } from '../../src/draft/diff.js';
import { draftCatalog } from '../../src/draft/prompt.js';
import { backendsOf } from '../../src/generate/llm/backends/list.js';
import { configSchema } from '../../src/config/schema.js';
import { crmCatalog } from '../support/catalog-builders.js';

const FILE = '# keep me\ndescription:   Two users.   # and me\n';
const ENTITIES = "entities:\n  u: { model: User, count: 2 }  # the model's comment\n";

describe('extractYaml', () => {
  it('takes the yaml block, an unlabelled block with entities, or bare entities', () => {
    expect(extractYaml('Sure.\n```yaml\nentities: {}\n```\n')).toEqual({
      ok: true,
      yaml: 'entities: {}\n',
    });
    expect(extractYaml('```\nentities:\n  a: 1\n```')).toEqual({
      ok: true,
      yaml: 'entities:\n  a: 1\n',
    });
    expect(extractYaml('entities:\n  a: 1')).toEqual({ ok: true, yaml: 'entities:\n  a: 1\n' });
    expect(extractYaml('<think>hmm</think>```yml\nentities: {}\n```').ok).toBe(true);
  });

  it('says what it found instead', () => {
    const r = extractYaml('I would create a tenant first.');
    expect(r).toEqual({
      ok: false,
      message: 'the answer has no YAML code block: "I would create a tenant first."',
    });
    const python = extractYaml('```python\nx = 1\n```');
    expect(!python.ok && python.message).toMatch(/no YAML with `entities` in its 1 code block/);
  });
});

describe('mergeDraft', () => {
  it('appends the drafted keys after the file, keeping its text byte for byte', () => {
    const r = mergeDraft(FILE, ENTITIES);
    expect(r).toEqual({ ok: true, text: FILE + ENTITIES.replace('  # the', ' # the') });
  });

  it('adds a newline to a file without one', () => {
    const r = mergeDraft('description: x', 'entities: {}\n');
    expect(r).toEqual({ ok: true, text: 'description: x\nentities: {}\n' });
  });

  it('fills an empty entities key in place', () => {
    const r = mergeDraft('description: x\nentities: {}\n# end\n', ENTITIES);
    expect(r.ok && r.text).toContain('entities:\n  u: { model: User, count: 2 }');
    expect(r.ok && r.text).toContain('# end');
  });

  it('refuses other keys, a second expect, and YAML that does not parse', () => {
    expect(mergeDraft(FILE, 'description: other\nentities: {}\n')).toEqual({
      ok: false,
      problems: [
        'answer only `entities` and `expect`, not `description` (the file keeps its own description)',
      ],
    });
    expect(
      mergeDraft('description: x\nexpect: { counts: { User: 2 } }\n', 'entities: {}\nexpect: {}\n'),
    ).toEqual({
      ok: false,
      problems: [
        'the scenario file already states `expect`: answer only `entities`, keeping to it',
      ],
    });
    const bad = mergeDraft(FILE, 'entities:\n  u: [\n');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems[0]).toMatch(
      /^your YAML does not parse \(line \d+, column \d+ of your block\)/,
    );
    expect(mergeDraft(FILE, 'expect: {}\n')).toEqual({
      ok: false,
      problems: ['your block has no `entities`'],
    });
  });
});

describe('unifiedDiff', () => {
  it('shows an append as one hunk with its context', () => {
    const d = unifiedDiff('a\nb\nc\nd\n', 'a\nb\nc\nd\ne\nf\n', 'a/x', 'b/x');
    expect(d).toBe('--- a/x\n+++ b/x\n@@ -2,3 +2,5 @@\n b\n c\n d\n+e\n+f\n');
    expect(unifiedDiff('same\n', 'same\n', 'a', 'b')).toBe('');
  });

  it('shows a change in the middle', () => {
    const d = unifiedDiff('1\n2\n3\n', '1\nX\n3\n', 'a', 'b');
    expect(d).toBe('--- a\n+++ b\n@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n');
  });
});

describe('draftCatalog', () => {
  it('finds the models a sentence names, by class name in plural words', () => {
    const c = draftCatalog(crmCatalog(), 'A tenant with three users and ten permission grants.');
    expect(c.named).toEqual([
      'crm.legacy.User', // another module's User: both are named
      'crm.models.PermissionGrant',
      'crm.models.Tenant',
      'crm.models.User',
    ]);
    expect(c.whole).toBe(true); // a small catalog is sent whole
  });
});

describe('backendsOf', () => {
  it('completes each backend from the llm block, or uses the block alone', () => {
    const llm = configSchema.parse({
      models: 'm',
      llm: {
        max_tokens: 100,
        extra_body: { top_k: null, seed: 1 },
        backends: [
          { base_url: 'http://a/v1', model: 'a' },
          { base_url: 'http://b/v1', model: 'b', api_key_env: 'B_KEY', extra_body: { seed: 2 } },
        ],
      },
    }).llm;
    const [a, b] = backendsOf(llm);
    expect(a!.label).toBe('a @ http://a/v1');
    expect(a!.config).toMatchObject({
      base_url: 'http://a/v1',
      model: 'a',
      max_tokens: 100,
      extra_body: { top_k: null, seed: 1 },
    });
    expect(b!.config).toMatchObject({ api_key_env: 'B_KEY', extra_body: { top_k: null, seed: 2 } });
    expect('backends' in a!.config).toBe(false);
    const single = backendsOf(configSchema.parse({ models: 'm' }).llm);
    expect(single.map((x) => x.label)).toEqual([
      'Qwen/Qwen3-Coder-30B-A3B-Instruct @ http://localhost:8000/v1',
    ]);
  });
});
