import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { stringify as yamlStringify } from 'yaml';
import { catalogSlice } from '../../catalog/slice.js';
import type { Catalog, ColumnInfo, ModelInfo, RelationshipInfo } from '../../catalog/types.js';
import type { IndexExpr, Plan, PlanValue, ValueExpr } from '../../plan/types.js';
import { className } from '../builtin/render.js';
import { renderValue } from '../builtin/pyexpr.js';
import type { ExprContext } from '../builtin/pyexpr.js';
import { TEMPLATES_DIR } from '../templates.js';
import type { ChatMessage } from './client.js';

/**
 * The prompt: a system message that is the same for every scenario of a project (the contract,
 * the rules, an example), then one user message with everything about the scenario. Servers with
 * prefix caching (vLLM) reuse the first message's blocks across scenarios.
 */

/** Shipped prompt templates; a project may override any of them by name (see `loadPromptTemplates`). */
export const PROMPT_TEMPLATES_DIR = join(TEMPLATES_DIR, 'prompt');
/** Where a project puts its own versions, relative to its root. */
export const PROJECT_PROMPT_DIR = join('templates', 'prompt');
const NAMES = ['system.hbs', 'scenario.hbs', 'repair.hbs'] as const;

/** Characters per token assumed when no tokenizer is at hand: conservative for Python and English. */
export const CHARS_PER_TOKEN = 3.5;

export interface PromptTemplates {
  /** Hash of the effective templates' names and bytes: part of the generator's fingerprint. */
  readonly hash: string;
  /** Effective file per template name (shipped or the project's). */
  readonly files: Readonly<Record<string, string>>;
  readonly system: Handlebars.TemplateDelegate;
  readonly scenario: Handlebars.TemplateDelegate;
  readonly repair: Handlebars.TemplateDelegate;
}

/**
 * The shipped templates, each replaced by `<root>/templates/prompt/<name>` when the project has
 * that file. Read once per generator: a template change is a new fingerprint, so every scenario
 * becomes stale and its prompt (and cache key) changes with it.
 */
export function loadPromptTemplates(root: string | null): PromptTemplates {
  const files: Record<string, string> = {};
  const projectDir = root === null ? null : join(root, PROJECT_PROMPT_DIR);
  const own = projectDir && existsSync(projectDir) ? new Set(readdirSync(projectDir)) : new Set();
  const h = createHash('sha256');
  const compiled: Record<string, Handlebars.TemplateDelegate> = {};
  for (const name of NAMES) {
    const file =
      projectDir && own.has(name) ? join(projectDir, name) : join(PROMPT_TEMPLATES_DIR, name);
    const text = readFileSync(file, 'utf8');
    files[name] = file;
    h.update(name).update('\0').update(text).update('\0');
    compiled[name] = Handlebars.compile(text, { noEscape: true, strict: true });
  }
  return {
    hash: h.digest('hex'),
    files,
    system: compiled['system.hbs']!,
    scenario: compiled['scenario.hbs']!,
    repair: compiled['repair.hbs']!,
  };
}

export interface PromptContext {
  readonly catalog: Catalog;
  /** Python import path of the output package. */
  readonly packageName: string;
  readonly sessionFixture: string;
  /** Every plan by name (for extended scenarios' class names). */
  readonly plans: ReadonlyMap<string, Plan>;
}

export interface PromptOptions {
  /**
   * The models described in the prompt; default the catalog slice the scenario touches. The
   * benchmark passes the whole catalog to measure what the slice saves.
   */
  readonly models?: readonly ModelInfo[];
}

/** The first request's messages for a scenario. */
export function buildMessages(
  plan: Plan,
  ctx: PromptContext,
  templates: PromptTemplates,
  options: PromptOptions = {},
): ChatMessage[] {
  return [
    { role: 'system', content: systemText(ctx, templates) },
    { role: 'user', content: scenarioText(plan, ctx, templates, options) },
  ];
}

export function systemText(ctx: PromptContext, templates: PromptTemplates): string {
  const modules = [...new Set(ctx.catalog.modules)].sort();
  return finish(
    templates.system({
      package: ctx.packageName,
      sessionFixture: ctx.sessionFixture,
      modelModules: modules.map((m) => `\`${m}\``).join(', ') || '(none)',
    }),
  );
}

export function scenarioText(
  plan: Plan,
  ctx: PromptContext,
  templates: PromptTemplates,
  options: PromptOptions = {},
): string {
  const models = options.models ?? catalogSlice(ctx.catalog, plan.models);
  const parents = plan.extends.map((p) => ({
    name: p,
    cls: ctx.plans.get(p)?.className ?? className(p),
  }));
  const described = describePlan(plan, ctx);
  return finish(
    templates.scenario({
      name: plan.name,
      className: plan.className,
      source: plan.source,
      package: ctx.packageName,
      description: plan.description?.trim() || null,
      yaml: scenarioYaml(plan),
      catalog: formatModels(models),
      labels: described.labels,
      imports: described.imports.length > 0 ? described.imports.join('; ') : null,
      counts: countLines(plan),
      edgeCases: Array.isArray(plan.edgeCases) && plan.edgeCases.length > 0 ? plan.edgeCases : null,
      extends: parents.length > 0,
      extendsText: parents.map((p) => `\`${p.name}\``).join(', '),
      extendsImports: parents
        .map((p) => `\`from ${ctx.packageName}.${p.name} import ${p.cls}, create_${p.name}\``)
        .join(', '),
      signatures: signatures(plan, ctx, parents),
    }),
  );
}

/** The message that asks for a corrected module, listing what failed. */
export function repairText(
  templates: PromptTemplates,
  problems: readonly string[],
  round: number,
  rounds: number,
): string {
  return finish(templates.repair({ problems, round, rounds }));
}

export interface PromptSize {
  readonly characters: number;
  /** `ceil(characters / 3.5)`: an estimate, not the server's tokenizer. */
  readonly estimatedTokens: number;
}

export function promptSize(messages: readonly ChatMessage[]): PromptSize {
  const characters = messages.reduce((n, m) => n + m.content.length, 0);
  return { characters, estimatedTokens: estimateTokens(characters) };
}

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / CHARS_PER_TOKEN);
}

function finish(text: string): string {
  return `${text.trim()}\n`;
}

/** The scenario document from its canonical JSON (keys sorted), without the description. */
export function scenarioYaml(plan: Plan): string {
  let doc: unknown;
  try {
    doc = JSON.parse(plan.canonical);
  } catch {
    return '# (not available)';
  }
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const { description: _description, ...rest } = doc as Record<string, unknown>;
    void _description;
    doc = rest;
  }
  const text = yamlStringify(doc, { lineWidth: 0 }).trimEnd();
  return text === '{}' ? '# (no keys besides the description)' : text;
}

// ---------------------------------------------------------------------------------------------
// The catalog, compactly: one line per column and per relationship.

export function formatModels(models: readonly ModelInfo[]): string {
  if (models.length === 0) return '(no models)';
  return models.map(formatModel).join('\n\n');
}

function formatModel(model: ModelInfo): string {
  const head = [`class ${model.name}`, `from ${model.module}`, `table ${model.table}`];
  if (model.inherits) head.push(`inherits ${shortName(model.inherits)}`);
  if (model.polymorphicIdentity !== null)
    head.push(`polymorphic identity ${JSON.stringify(model.polymorphicIdentity)}`);
  if (model.abstract) head.push('abstract');
  const lines = [head.join(', ')];
  for (const col of model.columns) lines.push(`  ${formatColumn(model, col)}`);
  for (const rel of model.relationships) lines.push(`  ${formatRelationship(rel)}`);
  const composite = model.uniques.filter((u) => u.length > 1 && !sameKeys(u, model.primaryKey));
  for (const u of composite) lines.push(`  unique together: (${u.join(', ')})`);
  return lines.join('\n');
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}

function typeText(col: ColumnInfo): string {
  if (col.enum) {
    const stored = col.enum.stored.join('|');
    const py = col.enum.pythonEnum;
    return py ? `Enum ${py.name} (from ${py.module}: ${stored})` : `Enum (${stored})`;
  }
  if (col.length !== null) return `${col.type}(${col.length})`;
  if (col.precision !== null)
    return col.scale !== null
      ? `${col.type}(${col.precision}, ${col.scale})`
      : `${col.type}(${col.precision})`;
  if (col.timezone) return `${col.type}(timezone=True)`;
  if (col.itemFamily) return `${col.type} of ${col.itemFamily}`;
  return col.type;
}

function formatColumn(model: ModelInfo, col: ColumnInfo): string {
  const parts = [typeText(col), col.nullable ? 'nullable' : 'NOT NULL'];
  if (col.primaryKey) parts.push('PK');
  if (col.autoincrement) parts.push('autoincrement');
  if (col.hasDefault) parts.push('default');
  if (col.hasServerDefault) parts.push('server default');
  if (!col.primaryKey && model.uniques.some((u) => u.length === 1 && u[0] === col.key))
    parts.push('unique');
  if (col.isDiscriminator) parts.push('discriminator');
  for (const fk of col.foreignKeys) {
    const target = fk.model
      ? ` (${shortName(fk.model)}${fk.attribute ? `.${fk.attribute}` : ''})`
      : '';
    parts.push(`FK ${fk.table}.${fk.column}${target}`);
  }
  const name = col.name !== col.key ? ` [column ${col.name}]` : '';
  return `${col.key}: ${parts.join(', ')}${name}`;
}

const DIRECTION: Record<RelationshipInfo['direction'], string> = {
  MANYTOONE: 'many-to-one',
  ONETOMANY: 'one-to-many',
  MANYTOMANY: 'many-to-many',
};

function formatRelationship(rel: RelationshipInfo): string {
  const target = shortName(rel.target);
  const parts = [
    `relationship → ${rel.uselist ? `list[${target}]` : target}`,
    DIRECTION[rel.direction],
  ];
  if (rel.localColumns.length > 0) parts.push(`sets ${rel.localColumns.join(', ')}`);
  if (rel.secondary) parts.push(`link table ${rel.secondary}`);
  if (rel.backPopulates) parts.push(`back_populates ${rel.backPopulates}`);
  if (rel.viewonly) parts.push('viewonly: never assign it');
  return `${rel.key}: ${parts.join(', ')}`;
}

function shortName(qualname: string): string {
  return qualname.slice(qualname.lastIndexOf('.') + 1);
}

// ---------------------------------------------------------------------------------------------
// The plan in words: labels, counts, values as Python expressions, references.

interface Described {
  readonly labels: string[];
  readonly imports: string[];
}

function describePlan(plan: Plan, ctx: PromptContext): Described {
  const lists = new Set<string>([
    ...plan.inherited.filter((x) => x.count !== null).map((x) => x.label),
    ...plan.entities.filter((e) => e.count !== null).map((e) => e.label),
  ]);
  const std = new Set<string>();
  const enums = new Map<string, Set<string>>();
  const exprCtx = (i: 'loop' | number): ExprContext => ({
    i,
    imports: std,
    enumName: (module, cls) => {
      const set = enums.get(module) ?? new Set<string>();
      set.add(cls);
      enums.set(module, set);
      return cls;
    },
    labelVar: (label) => label,
    isList: (label) => lists.has(label),
  });
  const labels: string[] = [];
  for (const x of plan.inherited) {
    const via = plan.extends.find(
      (p) =>
        (ctx.plans.get(p)?.inherited ?? []).some((y) => y.label === x.label) ||
        (ctx.plans.get(p)?.entities ?? []).some((e) => e.label === x.label),
    );
    labels.push(
      `- \`${x.label}\`: ${amount(x.count, x.className)} (${x.model}), inherited: take it from the \`${via ?? x.scenario}\` parent's dataclass (\`${via ?? x.scenario}.${x.label}\`); create nothing for it`,
    );
  }
  for (const entity of plan.entities) {
    const head =
      entity.count === null
        ? `- \`${entity.label}\`: one ${entity.className} (${entity.model})`
        : `- \`${entity.label}\`: a list of exactly ${entity.count} ${entity.className} (${entity.model}), i = 0..${entity.count - 1}`;
    const ctxFor = exprCtx(entity.count === null ? 0 : 'loop');
    const values = [...entity.values].sort((a, b) => (a.attribute < b.attribute ? -1 : 1));
    const lines = values.map(
      (v) => `    ${v.attribute} = ${renderValue(v.value, ctxFor)}${valueNote(v, lists)}`,
    );
    labels.push(
      lines.length > 0
        ? `${head}, with:\n${lines.join('\n')}`
        : `${head}, with no values (every column is left to its default)`,
    );
  }
  const imports: string[] = [];
  for (const m of [...std].sort()) imports.push(`\`import ${m}\``);
  for (const [module, classes] of [...enums.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    imports.push(`\`from ${module} import ${[...classes].sort().join(', ')}\``);
  }
  return { labels, imports };
}

function amount(count: number | null, cls: string): string {
  return count === null ? `one ${cls}` : `a list of ${count} ${cls}`;
}

function valueNote(v: PlanValue, lists: ReadonlySet<string>): string {
  const notes: string[] = [];
  if (v.origin === 'autolink') {
    notes.push('not written in the scenario: a NOT NULL foreign key linked to the only candidate');
  } else if (v.origin === 'synth') {
    notes.push(
      'not written in the scenario: NOT NULL without a default, so fixturegen chose this value',
    );
  }
  if (v.collection) notes.push('a collection: assign a list (or append each member)');
  const refs = describeRefs(v.value, lists);
  if (refs) notes.push(refs);
  return notes.length > 0 ? `  # ${notes.join('; ')}` : '';
}

/** A reference that reads a column of another instance needs that instance flushed first. */
function describeRefs(expr: ValueExpr, lists: ReadonlySet<string>): string | null {
  switch (expr.kind) {
    case 'ref': {
      if (expr.attribute !== null) {
        return `the ${expr.attribute} of ${refText(expr.label, expr.index)}: flush it before reading it`;
      }
      if (expr.index === null && lists.has(expr.label)) return `every item of ${expr.label}`;
      return null;
    }
    case 'synth':
      return describeRefs(expr.expr, lists);
    default:
      return null;
  }
}

function refText(label: string, index: IndexExpr | null): string {
  if (index === null) return label;
  switch (index.kind) {
    case 'const':
      return `${label}[${index.value}]`;
    case 'i':
      return `${label}[i]`;
    case 'mod':
      return `${label}[i % ${index.k}]`;
    case 'div':
      return `${label}[i // ${index.k}]`;
  }
}

function countLines(plan: Plan): string[] {
  const entries = Object.entries(plan.expectCounts).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  if (entries.length === 0) return ['(none declared)'];
  return entries.map(([model, n]) => `${model}: exactly ${n}`);
}

function signatures(
  plan: Plan,
  ctx: PromptContext,
  parents: readonly { name: string; cls: string }[],
): string {
  const fields = [
    ...plan.inherited.map((x) => ({ label: x.label, cls: x.className, count: x.count })),
    ...plan.entities.map((e) => ({ label: e.label, cls: e.className, count: e.count })),
  ];
  const lines = ['@dataclasses.dataclass(frozen=True)', `class ${plan.className}:`];
  if (fields.length === 0) lines.push('    pass  # the scenario declares no labels');
  for (const f of fields)
    lines.push(`    ${f.label}: ${f.count === null ? f.cls : `list[${f.cls}]`}`);
  const createParams = ['session', ...parents.map((p) => `${p.name}: ${p.cls} | None = None`)];
  lines.push(
    '',
    '',
    `def create_${plan.name}(${createParams.join(', ')}) -> ${plan.className}:`,
    '    ...',
  );
  const fixtureParams = [ctx.sessionFixture, ...parents.map((p) => p.name)];
  const call = [ctx.sessionFixture, ...parents.map((p) => `${p.name}=${p.name}`)];
  lines.push(
    '',
    '',
    '@pytest.fixture',
    `def ${plan.name}(${fixtureParams.join(', ')}) -> ${plan.className}:`,
    `    return create_${plan.name}(${call.join(', ')})`,
  );
  return lines.join('\n');
}
