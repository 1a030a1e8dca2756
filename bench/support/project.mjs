// A throwaway fixturegen project over a synthetic models package (the chain models of
// synthetic-models.mjs), shared by the scale and watch benchmarks: `<pkg>/models/` holds base.py
// and one module per group of `perModule` models; in a group, model k > 0 belongs to model k − 1
// (NOT NULL foreign key, back-populated one-to-many); with `partners`, every third model also has
// an optional partner in the next group's first model. Builtin generator, verify `run`, in-memory
// SQLite.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainModelLines } from './synthetic-models.mjs';

export const cls = (g, k) => `G${g}M${k}`;
const table = (g, k) => `g${g}_m${k}`;

const BASE = `import enum

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Status(enum.Enum):
    draft = "draft"
    active = "active"
    archived = "archived"
`;

function groupModule(pkg, g, size, groups, partners) {
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
    `from ${pkg}.models.base import Base, Status`,
  ];
  const next = (g + 1) % groups;
  for (let k = 0; k < size; k += 1) {
    out.push(
      '',
      '',
      ...chainModelLines({
        cls: cls(g, k),
        table: table(g, k),
        parent: k > 0 ? { cls: cls(g, k - 1), table: table(g, k - 1) } : null,
        child: k < size - 1 ? { cls: cls(g, k + 1), table: table(g, k + 1) } : null,
      }),
    );
    if (partners && k % 3 === 2)
      out.push(
        `    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("${table(next, 0)}.id"))`,
        `    partner: Mapped[Optional["${cls(next, 0)}"]] = relationship()`,
      );
  }
  return `${out.join('\n')}\n`;
}

/**
 * Writes the project into a new temporary folder and returns it. `models` mapped classes in
 * modules of `perModule`; `scenarios` maps each scenario's name to its YAML text; `python` is the
 * interpreter with SQLAlchemy (the checkout's .venv).
 */
export function writeProject({
  prefix,
  pkg,
  models,
  perModule,
  partners = false,
  python,
  scenarios,
}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, pkg, 'models'), { recursive: true });
  mkdirSync(join(dir, 'scenarios'));
  writeFileSync(join(dir, pkg, '__init__.py'), '');
  const groups = Math.ceil(models / perModule);
  writeFileSync(
    join(dir, pkg, 'models', '__init__.py'),
    Array.from(
      { length: groups },
      (_, g) => `from ${pkg}.models.group_${g} import *  # noqa: F403\n`,
    ).join(''),
  );
  writeFileSync(join(dir, pkg, 'models', 'base.py'), BASE);
  for (let g = 0; g < groups; g += 1) {
    const size = Math.min(perModule, models - g * perModule);
    writeFileSync(
      join(dir, pkg, 'models', `group_${g}.py`),
      groupModule(pkg, g, size, groups, partners),
    );
  }
  writeFileSync(
    join(dir, 'fixturegen.yaml'),
    [
      `models: ${pkg}.models`,
      'scenarios: scenarios',
      'output: generated',
      `python: ${python}`,
      'database_url: "sqlite+pysqlite:///:memory:"',
      'generator: builtin',
      'verify: run',
      '',
    ].join('\n'),
  );
  for (const [name, text] of Object.entries(scenarios))
    writeFileSync(join(dir, 'scenarios', `${name}.yaml`), text);
  return dir;
}
