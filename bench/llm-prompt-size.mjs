// Prompt size per scenario with the catalog slice (what fixturegen sends) versus the whole catalog,
// on a synthetic schema of --models mapped classes (default 120) introspected by the real Python
// helper. Plain JS importing the built modules: run `npm run build` first, then
// `node bench/llm-prompt-size.mjs [--models 120] [--domains 10] [--json] [--checkout DIR]`. Token counts are estimates at
// 3.5 characters per token (CHARS_PER_TOKEN), the same estimate `fixturegen prompt` prints.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchArgs, checkoutOf, report } from './support/common.mjs';
import { chainModelLines } from './support/synthetic-models.mjs';

const values = benchArgs({
  models: { type: 'string', default: '120' },
  domains: { type: 'string', default: '10' },
  keep: { type: 'boolean', default: false },
});
const checkout = checkoutOf(values);
const out = report('llm', values);
const MODELS = Number(values.models);
const DOMAINS = Number(values.domains);
const PER = Math.ceil(MODELS / DOMAINS);
if (MODELS < 100) out.log(`note: ${MODELS} models; the acceptance figure is for at least 100`);

const python = [
  checkout.python,
  process.env.VIRTUAL_ENV && join(process.env.VIRTUAL_ENV, 'bin', 'python'),
]
  .filter(Boolean)
  .find((p) => existsSync(p));
if (!python) {
  out.log('no .venv with SQLAlchemy: run `npm run setup` first');
  process.exit(2);
}

let prompt, helperMod, scenario;
try {
  const dist = (p) => pathToFileURL(join(checkout.dist, p)).href;
  prompt = await import(dist('generate/llm/index.js'));
  helperMod = await import(dist('helper/client.js'));
  scenario = await import(dist('scenario/index.js'));
} catch (err) {
  out.log(`cannot load dist/ (run \`npm run build\` first): ${err.message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// A synthetic schema: DOMAINS groups of PER models. In a group, model k > 0 belongs to model
// k − 1 (NOT NULL foreign key, with the one-to-many side back-populated); every fourth model also
// has an optional partner in the next group's root. Columns of the usual kinds and constraints.

const cls = (d, k) => `D${String(d).padStart(2, '0')}M${String(k).padStart(2, '0')}`;
const table = (d, k) => `d${String(d).padStart(2, '0')}_m${String(k).padStart(2, '0')}`;

function modelsModule() {
  const out = [
    '"""Synthetic schema for fixturegen\'s prompt-size benchmark."""',
    'from __future__ import annotations',
    '',
    'import datetime',
    'import enum',
    'from decimal import Decimal',
    'from typing import Optional',
    '',
    'from sqlalchemy import Date, Enum, ForeignKey, Numeric, String, UniqueConstraint',
    'from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship',
    '',
    '',
    'class Base(DeclarativeBase):',
    '    pass',
    '',
    '',
    'class Status(enum.Enum):',
    '    draft = "draft"',
    '    active = "active"',
    '    archived = "archived"',
    '',
  ];
  let n = 0;
  const partnersOf = new Map(); // root class -> [(class, key)]
  for (let d = 0; d < DOMAINS && n < MODELS; d += 1) {
    for (let k = 0; k < PER && n < MODELS; k += 1, n += 1) {
      if (k % 4 === 3) {
        const root = cls((d + 1) % DOMAINS, 0);
        partnersOf.set(root, [...(partnersOf.get(root) ?? []), cls(d, k)]);
      }
    }
  }
  n = 0;
  for (let d = 0; d < DOMAINS && n < MODELS; d += 1) {
    for (let k = 0; k < PER && n < MODELS; k += 1, n += 1) {
      const c = cls(d, k);
      const last = k === PER - 1 || n === MODELS - 1;
      out.push(
        '',
        ...chainModelLines({
          cls: c,
          table: table(d, k),
          parent: k > 0 ? { cls: cls(d, k - 1), table: table(d, k - 1) } : null,
          child: last ? null : { cls: cls(d, k + 1), table: table(d, k + 1) },
        }),
      );
      if (k % 4 === 3) {
        const root = cls((d + 1) % DOMAINS, 0);
        out.push(
          `    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("${table((d + 1) % DOMAINS, 0)}.id"))`,
          `    partner: Mapped[Optional[${root}]] = relationship(back_populates="partners_${c.toLowerCase()}")`,
        );
      }
      for (const other of partnersOf.get(c) ?? []) {
        out.push(
          `    partners_${other.toLowerCase()}: Mapped[list[${other}]] = relationship(back_populates="partner")`,
        );
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/** Scenarios like the sample's: a root, a list belonging to it, and a list of grandchildren. */
function scenarios() {
  const out = [];
  for (const d of [0, Math.floor(DOMAINS / 2), DOMAINS - 1]) {
    out.push({
      file: `scenarios/domain_${d}_small.yaml`,
      text: [
        `description: One ${cls(d, 0)} with three ${cls(d, 1)} rows and six ${cls(d, 2)} rows.`,
        'entities:',
        `  root: { model: ${cls(d, 0)}, values: { name: Root ${d} } }`,
        `  items: { model: ${cls(d, 1)}, count: 3, values: { name: "item {n}", parent: "@root" } }`,
        `  parts: { model: ${cls(d, 2)}, count: 6, values: { name: "part {n}", parent: "@items[i // 2]" } }`,
        '',
      ].join('\n'),
    });
  }
  out.push({
    file: 'scenarios/deep_chain.yaml',
    text: [
      `description: A chain of five ${cls(1, 0)}…${cls(1, 4)} rows, the fourth with a partner.`,
      'entities:',
      `  partner: { model: ${cls(2, 0)}, values: { name: Partner } }`,
      `  a: { model: ${cls(1, 0)}, values: { name: A } }`,
      `  b: { model: ${cls(1, 1)}, values: { name: B, parent: "@a" } }`,
      `  c: { model: ${cls(1, 2)}, values: { name: C, parent: "@b" } }`,
      `  d: { model: ${cls(1, 3)}, values: { name: D, parent: "@c", partner: "@partner" } }`,
      `  e: { model: ${cls(1, 4)}, values: { name: E, parent: "@d" } }`,
      '',
    ].join('\n'),
  });
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'fixturegen-bench-schema-'));
mkdirSync(join(dir, 'bigschema'));
writeFileSync(join(dir, 'bigschema', '__init__.py'), '');
writeFileSync(join(dir, 'bigschema', 'models.py'), modelsModule());

const helper = helperMod.startPythonHelper({ python, root: dir });
let catalog;
try {
  catalog = await helper.request('introspect', { models: ['bigschema.models'] });
} finally {
  await helper.close();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
if (catalog.models.length < MODELS)
  throw new Error(`introspected ${catalog.models.length} models, expected ${MODELS}`);

const compiled = scenario.compileScenarios(scenarios(), catalog, {
  defaultModels: ['bigschema.models'],
});
if (compiled.failures.length > 0) {
  out.log(JSON.stringify(compiled.failures, null, 2));
  process.exit(1);
}
const templates = prompt.loadPromptTemplates(null);
const plans = new Map(compiled.plans.map((p) => [p.name, p]));
const ctx = { catalog, packageName: 'generated', sessionFixture: 'db_session', plans };

const tok = (messages) => prompt.promptSize(messages).estimatedTokens;
const rows = compiled.plans.map((plan) => {
  const slice = prompt.buildMessages(plan, ctx, templates);
  const whole = prompt.buildMessages(plan, ctx, templates, { models: catalog.models });
  return {
    name: plan.name,
    touched: plan.models.length,
    sliceModels: slice[1].content.match(/^class /gm).length,
    system: tok(slice.slice(0, 1)),
    slice: tok(slice),
    whole: tok(whole),
    sliceUser: tok(slice.slice(1)),
    wholeUser: tok(whole.slice(1)),
  };
});

out.log(
  `llm prompt size: ${catalog.models.length} mapped classes (introspected by the helper), ` +
    `${rows.length} scenarios; tokens estimated at ${prompt.CHARS_PER_TOKEN} characters per token`,
);
out.log(`system message (same for every scenario): ${rows[0].system} tokens`);
out.log(
  'prompt tokens = system + scenario message; the scenario message alone in the last columns',
);
out.log(
  'scenario          touched  in slice  prompt: slice   whole  whole/slice   message: slice   whole  whole/slice',
);
for (const r of rows) {
  out.log(
    [
      r.name.padEnd(18),
      String(r.touched).padStart(6),
      String(r.sliceModels).padStart(9),
      String(r.slice).padStart(14),
      String(r.whole).padStart(7),
      (r.whole / r.slice).toFixed(1).padStart(12),
      String(r.sliceUser).padStart(16),
      String(r.wholeUser).padStart(7),
      (r.wholeUser / r.sliceUser).toFixed(1).padStart(12),
    ].join(' '),
  );
}
const mean = (f) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
out.log(
  `mean prompt per scenario: slice ${mean((r) => r.slice).toFixed(0)} tokens, whole catalog ` +
    `${mean((r) => r.whole).toFixed(0)} tokens: ratio ${(mean((r) => r.whole) / mean((r) => r.slice)).toFixed(1)}x ` +
    `(scenario message alone ${(mean((r) => r.wholeUser) / mean((r) => r.sliceUser)).toFixed(1)}x)`,
);
Object.assign(
  out.row({
    measure: `LLM prompt, catalog slice (${catalog.models.length} models; mean of ${rows.length} scenarios)`,
    unit: 'tokens',
    baselineLabel: 'whole catalog',
    note: `tokens estimated at ${prompt.CHARS_PER_TOKEN} characters per token`,
  }),
  { fixturegen: mean((r) => r.slice), baseline: mean((r) => r.whole), runs: rows.length },
);
out.emit();
