// A generated project of N scenarios over a synthetic models package (the chain models of
// synthetic-models.mjs), for the scale benchmarks (build, check, watch). Scenario k uses group
// k mod G: a root, two children and, for one in four, a `extends` of the previous scenario of its
// group, so the dependency graph has depth as a real project's does.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainModelLines } from './synthetic-models.mjs';

const PER_MODULE = 4;
const GROUPS = 6;
const cls = (g, k) => `G${g}M${k}`;
const table = (g, k) => `g${g}_m${k}`;

function groupModule(g) {
  const out = [
    'from __future__ import annotations',
    '',
    'import datetime',
    'from decimal import Decimal',
    'from typing import Optional',
    '',
    'from sqlalchemy import Date, Enum, ForeignKey, Numeric, String, UniqueConstraint',
    'from sqlalchemy.orm import Mapped, mapped_column, relationship',
    '',
    'from scaleapp.models.base import Base, Status',
  ];
  for (let k = 0; k < PER_MODULE; k += 1) {
    out.push(
      '',
      '',
      ...chainModelLines({
        cls: cls(g, k),
        table: table(g, k),
        parent: k > 0 ? { cls: cls(g, k - 1), table: table(g, k - 1) } : null,
        child: k < PER_MODULE - 1 ? { cls: cls(g, k + 1), table: table(g, k + 1) } : null,
      }),
    );
  }
  return `${out.join('\n')}\n`;
}

const BASE = `import enum

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Status(enum.Enum):
    draft = "draft"
    active = "active"
    archived = "archived"
`;

export const scenarioName = (k) => `s${String(k).padStart(4, '0')}`;

/** Scenario k's text; `edit` changes a value (the watch benchmark's save). */
export function scenarioText(k, edit = 0) {
  const g = k % GROUPS;
  const lines = [`description: Scenario ${k}, edit ${edit}.`];
  const parent = k - GROUPS;
  if (k % 4 === 3 && parent >= 0) lines.push(`extends: [${scenarioName(parent)}]`);
  lines.push(
    'entities:',
    `  root${k}: { model: ${cls(g, 0)}, values: { name: "Root ${k} ${edit}", code: "r${k}" } }`,
    `  items${k}: { model: ${cls(g, 1)}, count: 2, values: { name: "item {n}", code: "i{n}", parent: "@root${k}" } }`,
    '',
  );
  return lines.join('\n');
}

/** Writes the project; returns its folder. `python` is the interpreter with SQLAlchemy. */
export function writeScaleProject({ scenarios, python, prefix = 'fixturegen-scale-' }) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'scaleapp', 'models'), { recursive: true });
  mkdirSync(join(dir, 'scenarios'));
  writeFileSync(join(dir, 'scaleapp', '__init__.py'), '');
  const groups = Array.from({ length: GROUPS }, (_, g) => g);
  writeFileSync(
    join(dir, 'scaleapp', 'models', '__init__.py'),
    groups.map((g) => `from scaleapp.models.group_${g} import *  # noqa: F403\n`).join(''),
  );
  writeFileSync(join(dir, 'scaleapp', 'models', 'base.py'), BASE);
  for (const g of groups)
    writeFileSync(join(dir, 'scaleapp', 'models', `group_${g}.py`), groupModule(g));
  writeFileSync(
    join(dir, 'fixturegen.yaml'),
    [
      'models: scaleapp.models',
      'scenarios: scenarios',
      'output: generated',
      `python: ${python}`,
      'database_url: "sqlite+pysqlite:///:memory:"',
      'generator: builtin',
      'verify: run',
      '',
    ].join('\n'),
  );
  for (let k = 0; k < scenarios; k += 1)
    writeFileSync(join(dir, 'scenarios', `${scenarioName(k)}.yaml`), scenarioText(k));
  return dir;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
