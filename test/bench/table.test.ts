// The bench table's logic (bench/support/table.mjs): rows in, ratios, verdicts and text out. No
// timing here: the figures are made up, and what is checked is what the table says about them.
import { describe, expect, it } from 'vitest';
import {
  cells,
  evaluate,
  fmt,
  renderMarkdown,
  renderText,
  summary,
  targetText,
  type BenchRow,
} from '../../bench/support/table.mjs';

const row = (over: Partial<BenchRow>): BenchRow => ({
  group: 'g',
  measure: 'm',
  unit: 'ms',
  fixturegen: 100,
  baselineLabel: 'floor',
  baseline: 50,
  target: null,
  ...over,
});

describe('evaluate', () => {
  it('a ratio target holds at or under its bound and is missed over it', () => {
    expect(evaluate(row({ target: { kind: 'ratio', max: 2 } }))).toEqual({
      ratio: 2,
      ratioText: '2.00×',
      verdict: 'holds',
      reason: null,
    });
    const over = evaluate(row({ fixturegen: 101, target: { kind: 'ratio', max: 2 } }));
    expect(over.verdict).toBe('missed');
    expect(over.ratio).toBeCloseTo(2.02);
  });

  it('a speed-up target compares baseline / fixturegen and says how many times faster', () => {
    const r = row({ fixturegen: 10, baseline: 269, target: { kind: 'speedup', min: 15 } });
    expect(evaluate(r)).toMatchObject({ ratioText: '26.9× faster', verdict: 'holds' });
    expect(evaluate({ ...r, baseline: 149 }).verdict).toBe('missed');
    // The ratio column of JSON stays fixturegen / baseline.
    expect(evaluate(r).ratio).toBeCloseTo(10 / 269);
  });

  it('a value target looks at fixturegen alone, and needs no baseline', () => {
    const t = { kind: 'value', max: 150 } as const;
    expect(evaluate(row({ fixturegen: 150, baseline: null, target: t })).verdict).toBe('holds');
    expect(evaluate(row({ fixturegen: 151, baseline: 10, target: t })).verdict).toBe('missed');
    expect(evaluate(row({ fixturegen: 151, baseline: null, target: t })).ratioText).toBe('—');
  });

  it('an extra-cost target compares fixturegen − baseline with its bound', () => {
    const t = { kind: 'extra', max: 5 } as const;
    expect(evaluate(row({ fixturegen: 5.4, baseline: 0.5, target: t }))).toMatchObject({
      ratioText: '+4.90 ms',
      verdict: 'holds',
    });
    expect(evaluate(row({ fixturegen: 5.6, baseline: 0.5, target: t })).verdict).toBe('missed');
  });

  it('a row without a target has no verdict, but still a ratio', () => {
    expect(evaluate(row({}))).toMatchObject({ ratio: 2, verdict: '—' });
  });

  it('an error, a missing measure or a missing baseline the target needs make the row failed', () => {
    expect(evaluate(row({ error: 'needs bulk fixtures', fixturegen: null }))).toEqual({
      ratio: null,
      ratioText: '—',
      verdict: 'failed',
      reason: 'needs bulk fixtures',
    });
    expect(evaluate(row({ fixturegen: NaN })).reason).toBe('no fixturegen measure');
    expect(evaluate(row({ baseline: NaN })).reason).toBe('no baseline measure');
    const noBase = row({ baseline: null, target: { kind: 'ratio', max: 2 } });
    expect(evaluate(noBase)).toMatchObject({
      verdict: 'failed',
      reason: 'the target needs a baseline',
    });
  });

  it('an error wins over figures the row may have', () => {
    expect(
      evaluate(row({ error: 'watcher exited 1', target: { kind: 'ratio', max: 9 } })),
    ).toMatchObject({ verdict: 'failed', reason: 'watcher exited 1' });
  });
});

describe('formatting', () => {
  it('numbers keep a precision that suits their size', () => {
    expect([fmt(1538.4), fmt(26.94), fmt(3.291), fmt(0.564), fmt(null), fmt(NaN)]).toEqual([
      '1538',
      '26.9',
      '3.29',
      '0.56',
      '—',
      '—',
    ]);
  });

  it('targets read as people write them', () => {
    expect(targetText({ kind: 'ratio', max: 1.5 })).toBe('≤1.5×');
    expect(targetText({ kind: 'speedup', min: 15 })).toBe('≥15× faster');
    expect(targetText({ kind: 'value', max: 150 }, 'ms')).toBe('≤150 ms');
    expect(targetText({ kind: 'extra', max: 5 }, 'ms')).toBe('≤5 ms over baseline');
    expect(targetText(null)).toBe('—');
  });
});

describe('the table', () => {
  const rows: BenchRow[] = [
    row({
      group: 'bulk',
      measure: 'bulk setup, SQLite',
      fixturegen: 650,
      baselineLabel: 'Core executemany floor',
      baseline: 77,
      target: { kind: 'ratio', max: 7 },
      note: 'what bulk setup is',
    }),
    row({
      group: 'bulk',
      measure: 'bulk setup, SQLite',
      fixturegen: 650,
      baselineLabel: 'factory_boy, flush per object',
      baseline: 16940,
      target: { kind: 'speedup', min: 15 },
      note: 'what bulk setup is',
    }),
    row({
      group: 'build',
      measure: 'build --force, 200 scenarios',
      fixturegen: null,
      baselineLabel: 'one pytest process',
      baseline: null,
      target: { kind: 'ratio', max: 1.5 },
      error: 'the first build failed',
    }),
    row({
      group: 'startup',
      measure: 'fixturegen --help',
      fixturegen: 266,
      baselineLabel: 'node -e 0',
      baseline: 248,
      target: { kind: 'ratio', max: 2 },
    }),
    row({ group: 'llm', measure: 'prompt', unit: 'tokens', fixturegen: 4288, baseline: 24595 }),
  ];

  it('has one line per row with measure, both medians, ratio, target and verdict', () => {
    const table = cells(rows);
    expect(table[0]).toEqual([
      'measure',
      'fixturegen',
      'baseline',
      'median',
      'ratio',
      'target',
      'verdict',
    ]);
    expect(table.slice(1)).toEqual([
      [
        'bulk setup, SQLite',
        '650 ms',
        'Core executemany floor',
        '77.0 ms',
        '8.44×',
        '≤7×',
        'missed',
      ],
      [
        'bulk setup, SQLite',
        '650 ms',
        'factory_boy, flush per object',
        '16940 ms',
        '26.1× faster',
        '≥15× faster',
        'holds',
      ],
      ['build --force, 200 scenarios', '—', 'one pytest process', '—', '—', '≤1.5×', 'failed'],
      ['fixturegen --help', '266 ms', 'node -e 0', '248 ms', '1.07×', '≤2×', 'holds'],
      ['prompt', '4288 tokens', 'floor', '24595 tokens', '0.17×', '—', '—'],
    ]);
  });

  it('as text: groups apart, each note once, and why a row failed', () => {
    const text = renderText(rows);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^measure\s+fixturegen\s+baseline\s+median\s+ratio\s+target\s+verdict$/,
    );
    expect(lines[1]).toMatch(/^-+( +-+){6}$/);
    // bulk (2 rows), blank, build, blank, startup, blank, llm
    expect(lines.slice(2, 9).map((l) => l === '')).toEqual([
      false,
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(text.match(/what bulk setup is/g)).toHaveLength(1);
    expect(text).toContain('failed:\n  build: the first build failed');
    // Columns line up: every row's verdict starts where the header's does.
    const at = lines[0]!.indexOf('verdict');
    for (const l of lines.slice(2, 11).filter((l) => l !== ''))
      expect(l.slice(at)).toMatch(/^(holds|missed|failed|—)$/);
  });

  it('as Markdown: a header, an alignment row, one row per row, then notes and failures', () => {
    const md = renderMarkdown(rows).trimEnd().split('\n');
    expect(md[0]).toBe('| measure | fixturegen | baseline | median | ratio | target | verdict |');
    expect(md[1]).toBe('|---|---:|---|---:|---:|---|---|');
    expect(md[2]).toBe(
      '| bulk setup, SQLite | 650 ms | Core executemany floor | 77.0 ms | 8.44× | ≤7× | missed |',
    );
    expect(md.slice(2, 7)).toHaveLength(5);
    expect(md).toContain('- bulk: what bulk setup is');
    expect(md).toContain('- failed, build: the first build failed');
  });

  it('counts verdicts', () => {
    expect(summary(rows)).toEqual({ holds: 2, missed: 1, failed: 1, untargeted: 1 });
  });
});
