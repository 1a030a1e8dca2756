/**
 * "Did you mean": the one suggestion algorithm of fixturegen. python/fixturegen_helper/suggest.py
 * is a line-by-line port for the guard's hints; test/diagnostics/suggest-cases.json holds the cases
 * both must answer the same way.
 *
 * A candidate is close to the written word when
 * - few letters differ: the edit distance (optimal string alignment, so swapping two neighbouring
 *   letters is one edit; case ignored) is at most a third of the longer word (at least one edit), or
 * - one is the other plus whole words: the words of one (split at `_`, `.`, `-` and camelCase) are
 *   all words of the other and add up to at least three letters (`owner` → `is_owner`, `Grant` →
 *   `PermissionGrant`).
 * Candidates rank close ones first, then by edit distance, then alphabetically (so every answer is
 * deterministic). A `_`-prefixed candidate is an internal name: offered only for a word that itself
 * starts with `_`.
 */

/** Edit distance with insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows: the transposition step looks two rows back.
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, prev2[j - 2]! + 1);
      }
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** All of `part`'s words are words of `whole`, and they are more than a stray letter or two. */
function wordsWithin(part: readonly string[], whole: readonly string[]): boolean {
  return part.join('').length >= 3 && part.every((w) => whole.includes(w));
}

interface Ranked {
  readonly candidate: string;
  readonly close: boolean;
  readonly distance: number;
}

function measure(word: string, candidate: string): Ranked {
  const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
  const limit = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
  const [a, b] = [words(word), words(candidate)];
  const close = distance <= limit || wordsWithin(a, b) || wordsWithin(b, a);
  return { candidate, close, distance };
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function ranked(word: string, candidates: Iterable<string>): Ranked[] {
  const internal = word.startsWith('_');
  return [...new Set(candidates)]
    .filter((c) => c !== word && (internal || !c.startsWith('_')))
    .map((c) => measure(word, c))
    .sort(
      (x, y) =>
        Number(y.close) - Number(x.close) ||
        x.distance - y.distance ||
        byCodeUnits(x.candidate, y.candidate),
    );
}

/** The candidates, most similar to `word` first; `_`-prefixed ones only for a `_`-prefixed word. */
export function rankBySimilarity(word: string, candidates: Iterable<string>): string[] {
  return ranked(word, candidates).map((r) => r.candidate);
}

/** The candidate closest to `word`, or null when none is close. */
export function suggest(word: string, candidates: Iterable<string>): string | null {
  const best = ranked(word, candidates)[0];
  return best?.close ? best.candidate : null;
}

/** The one shape of every suggestion: `did you mean "x"?`, with what to write, quoted as JSON. */
export function meant(text: string): string {
  return `did you mean ${JSON.stringify(text)}?`;
}

/** `did you mean "x"?` for the closest candidate, or undefined when nothing is close. */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  write: (candidate: string) => string = (c) => c,
): string | undefined {
  const s = suggest(word, candidates);
  return s === null ? undefined : meant(write(s));
}

/**
 * A hint for an unknown name: `did you mean "x"?` when a candidate is close, otherwise
 * `<what>: a, b, c, …`, the first `limit` candidates by similarity (never `_`-prefixed ones).
 */
export function hintFor(
  word: string,
  candidates: Iterable<string>,
  what: string,
  limit = 12,
): string {
  const list = ranked(word, candidates);
  if (list[0]?.close) return meant(list[0].candidate);
  const names = list.slice(0, limit).map((r) => r.candidate);
  const more = list.length > limit ? ', …' : '';
  return `${what}: ${names.join(', ') || 'none'}${more}`;
}
