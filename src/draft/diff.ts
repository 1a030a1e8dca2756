/**
 * A unified diff of two texts, for `draft` to show what it writes. Common leading and trailing
 * lines are cut first, so the line LCS runs only over the changed middle (a draft appends, so the
 * middle is usually empty on the old side).
 */
export function unifiedDiff(
  oldText: string,
  newText: string,
  oldName: string,
  newName: string,
  context = 3,
): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number };
  const ops: Op[] = [];
  for (let k = 0; k < start; k += 1) ops.push({ kind: ' ', text: a[k]!, ai: k, bi: k });
  ops.push(...middle(a.slice(start, endA), b.slice(start, endB), start));
  for (let k = 0; k < a.length - endA; k += 1)
    ops.push({ kind: ' ', text: a[endA + k]!, ai: endA + k, bi: endB + k });

  const out = [`--- ${oldName}`, `+++ ${newName}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i += 1;
      continue;
    }
    let from = Math.max(0, i - context);
    let to = i;
    // Extend the hunk while the next change is within 2 × context lines.
    for (;;) {
      while (to < ops.length && ops[to]!.kind !== ' ') to += 1;
      let next = to;
      while (next < ops.length && ops[next]!.kind === ' ') next += 1;
      if (next < ops.length && next - to <= 2 * context) to = next;
      else break;
    }
    to = Math.min(ops.length, to + context);
    const hunk = ops.slice(from, to);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = (hunk.find((o) => o.kind !== '+')?.ai ?? hunk[0]!.ai) + (aCount > 0 ? 1 : 0);
    const bStart = (hunk.find((o) => o.kind !== '-')?.bi ?? hunk[0]!.bi) + (bCount > 0 ? 1 : 0);
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.text}`);
    from = to;
    i = to;
  }
  return `${out.join('\n')}\n`;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function middle(
  a: readonly string[],
  b: readonly string[],
  offset: number,
): { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number }[] {
  // LCS table over the changed middle only.
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let x = n - 1; x >= 0; x -= 1)
    for (let y = m - 1; y >= 0; y -= 1)
      lcs[x]![y] =
        a[x] === b[y] ? lcs[x + 1]![y + 1]! + 1 : Math.max(lcs[x + 1]![y]!, lcs[x]![y + 1]!);
  const ops: { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number }[] = [];
  let x = 0;
  let y = 0;
  while (x < n || y < m) {
    if (x < n && y < m && a[x] === b[y]) {
      ops.push({ kind: ' ', text: a[x]!, ai: offset + x, bi: offset + y });
      x += 1;
      y += 1;
    } else if (x < n && (y >= m || lcs[x + 1]![y]! >= lcs[x]![y + 1]!)) {
      // Removals before additions, as diff(1) and git show a changed line.
      ops.push({ kind: '-', text: a[x]!, ai: offset + x, bi: offset + y });
      x += 1;
    } else {
      ops.push({ kind: '+', text: b[y]!, ai: offset + x, bi: offset + y });
      y += 1;
    }
  }
  return ops;
}
