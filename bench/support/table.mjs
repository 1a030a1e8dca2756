// The one table of `npm run bench` (pure functions: rows in, verdicts and text out; tested by
// test/bench/table.test.ts). Every benchmark reports rows of this shape (`--json`), and run.mjs
// gathers them:
//
//   { group, measure, unit, fixturegen, baselineLabel, baseline, runs, target, error?, note? }
//
// (`note`: what the measure is, printed once per group under the table.)
// `fixturegen` and `baseline` are medians measured side by side in the same run (baseline may be
// null when a row has none). `target` is null or one of:
//   { kind: 'ratio', max }    fixturegen / baseline ≤ max   (e.g. bulk setup ≤ 3× its floor)
//   { kind: 'speedup', min }  baseline / fixturegen ≥ min   (e.g. ≥ 15× faster than factory_boy)
//   { kind: 'value', max }    fixturegen ≤ max, in `unit`   (e.g. watch median ≤ 150 ms)
//   { kind: 'extra', max }    fixturegen − baseline ≤ max   (e.g. ≤ 5 ms per test over an empty one)
// A row with `error` (or a measure that is not a finite number) is `failed`.

/** @typedef {{kind: 'ratio' | 'value' | 'extra', max: number} | {kind: 'speedup', min: number}} Target */

const finite = (x) => typeof x === 'number' && Number.isFinite(x);

/** A number at a precision that suits its size: 1538, 26.9, 3.29, 0.56. */
export function fmt(x) {
  if (!finite(x)) return '—';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** The target as people read it. */
export function targetText(target, unit = 'ms') {
  if (!target) return '—';
  switch (target.kind) {
    case 'ratio':
      return `≤${target.max}×`;
    case 'speedup':
      return `≥${target.min}× faster`;
    case 'value':
      return `≤${target.max} ${unit}`;
    case 'extra':
      return `≤${target.max} ${unit} over baseline`;
    default:
      throw new Error(`unknown target kind ${JSON.stringify(target.kind)}`);
  }
}

/**
 * One row's figures and verdict: `ratio` (fixturegen / baseline, or null), `ratioText` (the ratio
 * column: "3.29×", "26.9× faster" for a speed-up target, "+0.56 ms" for an extra-cost target),
 * `verdict` ('holds' | 'missed' | 'failed' | '—' when the row has no target), and `reason` for a
 * failed row.
 */
export function evaluate(row) {
  const fg = row.fixturegen;
  const base = row.baseline;
  const unit = row.unit ?? 'ms';
  const hasBase = base !== null && base !== undefined;
  const ratio = finite(fg) && finite(base) && base !== 0 ? fg / base : null;
  let reason = row.error ?? null;
  if (!reason && !finite(fg)) reason = 'no fixturegen measure';
  if (!reason && hasBase && !finite(base)) reason = 'no baseline measure';
  const needsBase = row.target && row.target.kind !== 'value';
  if (!reason && needsBase && ratio === null) reason = 'the target needs a baseline';
  if (reason) return { ratio: null, ratioText: '—', verdict: 'failed', reason };

  let ratioText = ratio === null ? '—' : `${fmt(ratio)}×`;
  let holds = null;
  const t = row.target;
  if (t) {
    switch (t.kind) {
      case 'ratio':
        holds = ratio <= t.max;
        break;
      case 'speedup':
        ratioText = `${fmt(base / fg)}× faster`;
        holds = base / fg >= t.min;
        break;
      case 'value':
        holds = fg <= t.max;
        break;
      case 'extra':
        ratioText = `+${fmt(fg - base)} ${unit}`;
        holds = fg - base <= t.max;
        break;
      default:
        throw new Error(`unknown target kind ${JSON.stringify(t.kind)}`);
    }
  }
  return {
    ratio,
    ratioText,
    verdict: holds === null ? '—' : holds ? 'holds' : 'missed',
    reason: null,
  };
}

const COLUMNS = ['measure', 'fixturegen', 'baseline', 'median', 'ratio', 'target', 'verdict'];

/** The table's cells, one array of strings per row (header first). */
export function cells(rows) {
  const body = rows.map((row) => {
    const e = evaluate(row);
    const unit = row.unit ?? 'ms';
    const num = (x) => (finite(x) ? `${fmt(x)} ${unit}` : '—');
    return [
      row.measure,
      row.error ? '—' : num(row.fixturegen),
      row.baselineLabel ?? '—',
      row.error ? '—' : num(row.baseline),
      e.ratioText,
      targetText(row.target, unit),
      e.verdict,
    ];
  });
  return [COLUMNS, ...body];
}

/** Why each failed row failed. */
function failures(rows) {
  const out = [];
  for (const row of rows) {
    const e = evaluate(row);
    if (e.verdict === 'failed') out.push({ row, reason: e.reason });
  }
  return out;
}

const reasonsOf = (rows) => [...new Set(failures(rows).map((f) => `${f.row.group}: ${f.reason}`))];
const notesOf = (rows) => [
  ...new Set(rows.filter((r) => r.note).map((r) => `${r.group}: ${r.note}`)),
];

/** Plain text, columns padded, a blank line between groups; notes and failures under it. */
export function renderText(rows) {
  const table = cells(rows);
  const widths = COLUMNS.map((_, k) => Math.max(...table.map((r) => r[k].length)));
  const numeric = new Set([1, 3, 4]);
  const lines = table.map((r) =>
    r
      .map((c, k) => (numeric.has(k) ? c.padStart(widths[k]) : c.padEnd(widths[k])))
      .join('  ')
      .trimEnd(),
  );
  // A blank line between groups.
  const body = lines
    .slice(1)
    .flatMap((line, k) => (k > 0 && rows[k].group !== rows[k - 1].group ? ['', line] : [line]));
  const out = [lines[0], widths.map((w) => '-'.repeat(w)).join('  '), ...body];
  const notes = notesOf(rows);
  if (notes.length > 0) out.push('', 'notes:', ...notes.map((n) => `  ${n}`));
  const reasons = reasonsOf(rows);
  if (reasons.length > 0) out.push('', 'failed:', ...reasons.map((r) => `  ${r}`));
  return `${out.join('\n')}\n`;
}

/** A Markdown table (for the closing note), notes and failed rows explained under it. */
export function renderMarkdown(rows) {
  const table = cells(rows);
  const esc = (c) => c.replaceAll('|', '\\|');
  const lines = [
    `| ${table[0].join(' | ')} |`,
    `|${table[0].map((_, k) => ([1, 3, 4].includes(k) ? '---:' : '---')).join('|')}|`,
    ...table.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  const notes = notesOf(rows);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
  const reasons = reasonsOf(rows);
  if (reasons.length > 0) lines.push('', ...reasons.map((r) => `- failed, ${r}`));
  return `${lines.join('\n')}\n`;
}

/** Counts of verdicts: { holds, missed, failed, untargeted }. */
export function summary(rows) {
  const out = { holds: 0, missed: 0, failed: 0, untargeted: 0 };
  for (const row of rows) {
    const v = evaluate(row).verdict;
    if (v === '—') out.untargeted += 1;
    else out[v] += 1;
  }
  return out;
}
