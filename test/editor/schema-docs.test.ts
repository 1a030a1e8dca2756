/**
 * Editor help: the YAML language server shows a schema node's title and description on hover and
 * offers its examples and snippets for completion, so every key and every value form must have
 * them. And the schema must still accept every value form (the compiler checks them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { scenarioValidator } from '../../src/scenario/index.js';

type Node = Record<string, unknown>;
const SCHEMA = JSON.parse(
  readFileSync(new URL('../../schemas/scenario.schema.json', import.meta.url), 'utf8'),
) as Node;

/** Every schema node a user meets: each property, each definition, each form of a value. */
function documented(): { where: string; node: Node }[] {
  const out: { where: string; node: Node }[] = [{ where: '(root)', node: SCHEMA }];
  const walk = (node: Node, where: string): void => {
    for (const [key, sub] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
      out.push({ where: `${where}.${key}`, node: sub });
      walk(sub, `${where}.${key}`);
    }
    const extra = node.additionalProperties;
    if (extra !== null && typeof extra === 'object' && !('$ref' in extra)) {
      out.push({ where: `${where}.*`, node: extra as Node });
      walk(extra as Node, `${where}.*`);
    }
  };
  walk(SCHEMA, '');
  for (const [name, def] of Object.entries(SCHEMA.$defs as Record<string, Node>)) {
    out.push({ where: `$defs.${name}`, node: def });
    walk(def, `$defs.${name}`);
  }
  return out;
}

describe('schemas/scenario.schema.json', () => {
  test.each(documented().map((d) => [d.where, d.node] as const))(
    '%s has a title, a description and examples',
    (_where, node) => {
      expect(typeof node.title).toBe('string');
      expect((node.title as string).length).toBeGreaterThan(0);
      expect(typeof node.description).toBe('string');
      expect((node.description as string).length).toBeGreaterThan(20);
      if (node !== SCHEMA) {
        expect(Array.isArray(node.examples)).toBe(true);
        expect((node.examples as unknown[]).length).toBeGreaterThan(0);
      }
    },
  );

  test('every top-level, entity and expect key of the format is described', () => {
    const props = (n: unknown) => Object.keys((n as Node).properties as Node).sort();
    const defs = SCHEMA.$defs as Record<string, Node>;
    expect(props(SCHEMA)).toEqual(
      [
        'description',
        'edge_cases',
        'entities',
        'expect',
        'extends',
        'models',
        'name',
        'scope',
        'variants',
      ].sort(),
    );
    expect(props(defs.variant)).toEqual(['description', 'entities', 'remove']);
    expect(props(defs.entity)).toEqual(['count', 'model', 'values']);
    expect(props((SCHEMA.properties as Node).expect)).toEqual(['counts']);
  });

  test('a value is one of the documented forms, each with its own title', () => {
    const defs = SCHEMA.$defs as Record<string, Node>;
    const forms = (defs.value!.anyOf as { $ref: string }[]).map(
      (r) => defs[r.$ref.replace('#/$defs/', '')]!.title,
    );
    expect(forms).toEqual([
      'Text',
      'Interpolated text',
      'Reference',
      'Literal @ text',
      'Number',
      'Boolean',
      'NULL',
      'List of references',
      'Cycle',
      'JSON mapping',
      'JSON or ARRAY list',
    ]);
  });

  test('every example validates where it belongs, and every value form passes the schema', () => {
    const validate = scenarioValidator();
    const ok = (doc: unknown) => expect(validate(doc), JSON.stringify(doc)).toBe(true);
    const defs = SCHEMA.$defs as Record<string, Node>;
    const props = SCHEMA.properties as Record<string, Node>;
    for (const [key, node] of Object.entries(props)) {
      for (const ex of node.examples as unknown[]) ok({ [key]: ex });
    }
    for (const ex of defs.entity!.examples as unknown[]) ok({ entities: { x: ex } });
    const entityProps = defs.entity!.properties as Record<string, Node>;
    for (const [key, node] of Object.entries(entityProps)) {
      for (const ex of node.examples as unknown[])
        ok({ entities: { x: { model: 'User', [key]: ex } } });
    }
    const counts = (props.expect!.properties as Record<string, Node>).counts!;
    for (const ex of counts.examples as unknown[]) ok({ expect: { counts: ex } });
    const value = (v: unknown) => ({ entities: { x: { model: 'Tenant', values: { a: v } } } });
    const forms = (defs.value!.anyOf as { $ref: string }[]).map((r) => r.$ref.split('/').at(-1)!);
    for (const name of ['value', ...forms]) {
      for (const ex of defs[name]!.examples as unknown[]) ok(value(ex));
    }
    // The compiler, not the schema, judges values: the schema accepts anything YAML can write.
    for (const v of [
      '',
      '@',
      '@@',
      '{',
      '}',
      '@x{i}',
      'a{{b}}',
      -0.5,
      { cycle: 'x' },
      { cycle: [] },
      { a: null },
      [null],
      [[1]],
      ['@a', 1],
    ]) {
      ok(value(v));
    }
  });
});
