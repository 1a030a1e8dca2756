/**
 * Pulls the Python module out of a model's answer. The model is asked for one fenced block, but
 * answers vary: prose around the block, several blocks (an explanation snippet and the module),
 * no fence at all, or a `<think>` preamble from a reasoning template.
 */
export type Extraction =
  { readonly ok: true; readonly code: string } | { readonly ok: false; readonly message: string };

interface Fence {
  readonly label: string;
  readonly body: string;
}

const QUOTE_CHARS = 120;
const PYTHON_LABELS = new Set(['python', 'py', 'python3', 'py3']);
/** A line that only a Python module (not prose) would start with. */
const MODULE_LINE =
  /^(?:from\s+[\w.]+\s+import\s|import\s+[\w.]|def\s+\w|async\s+def\s+\w|class\s+\w|@[\w.]+)/m;
const PLAIN_CODE_START = /^(?:import\s|from\s|"""|'''|#|@|def\s|class\s|async\s+def\s)/;

export function extractPython(answer: string): Extraction {
  const text = stripThinking(answer).replace(/\r\n?/g, '\n');
  if (text.trim() === '') {
    return { ok: false, message: 'the answer is empty' };
  }

  const fences = findFences(text);
  const modules = fences.filter((f) => MODULE_LINE.test(f.body));
  const labelled = modules.filter((f) => PYTHON_LABELS.has(f.label));
  if (labelled.length > 0) {
    // Several python blocks: the module is the big one, the others are usually usage snippets.
    const longest = labelled.reduce((best, f) => (f.body.length > best.body.length ? f : best));
    return { ok: true, code: finish(longest.body) };
  }
  const unlabelled = modules.find((f) => f.label === '');
  if (unlabelled) return { ok: true, code: finish(unlabelled.body) };

  if (fences.length === 0) {
    const trimmed = text.trim();
    if (PLAIN_CODE_START.test(trimmed) && MODULE_LINE.test(trimmed)) {
      return { ok: true, code: finish(trimmed) };
    }
  }

  const what =
    fences.length === 0
      ? 'no Python code block'
      : `no Python module in its ${fences.length} code block${fences.length === 1 ? '' : 's'}`;
  return { ok: false, message: `the answer has ${what}: ${quote(text)}` };
}

/** Removes `<think>…</think>` sections, and an unclosed `<think>` through the end (it never answered). */
export function stripThinking(text: string): string {
  let out = text.replace(/<think>[\s\S]*?<\/think>/g, '');
  // Some chat templates open the block in the prompt, so only the closing tag reaches the answer.
  const orphanClose = out.indexOf('</think>');
  if (orphanClose >= 0) out = out.slice(orphanClose + '</think>'.length);
  const unclosed = out.indexOf('<think>');
  if (unclosed >= 0) out = out.slice(0, unclosed);
  return out;
}

/** CommonMark-style fences (``` or ~~~, three or more, up to three spaces of indent). */
export function findFences(text: string): Fence[] {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/.exec(lines[i] ?? '');
    if (!open) {
      i += 1;
      continue;
    }
    const indent = open[1]?.length ?? 0;
    const marker = open[2] ?? '```';
    const label = (open[3] ?? '').toLowerCase();
    const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j] ?? '')) {
      body.push(dedent(lines[j] ?? '', indent));
      j += 1;
    }
    // An unclosed fence runs to the end of the answer (a stream that stopped just before it).
    fences.push({ label, body: body.join('\n') });
    i = j + 1;
  }
  return fences;
}

function dedent(line: string, indent: number): string {
  let k = 0;
  while (k < indent && line[k] === ' ') k += 1;
  return line.slice(k);
}

function finish(code: string): string {
  return `${code.replace(/^\s*\n/, '').trimEnd()}\n`;
}

export function quote(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  const head = flat.length > QUOTE_CHARS ? `${flat.slice(0, QUOTE_CHARS)}…` : flat;
  return JSON.stringify(head);
}
