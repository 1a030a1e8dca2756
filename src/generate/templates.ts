import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** `templates/` shipped with fixturegen (beside dist/ in the npm package). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates', import.meta.url));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** A template from `templates/<group>/<name>`, compiled once. Output is not HTML: no escaping. */
export function template(dir: string, name: string): Handlebars.TemplateDelegate {
  const path = join(dir, name);
  let t = compiled.get(path);
  if (!t) {
    t = Handlebars.compile(readFileSync(path, 'utf8'), { noEscape: true, strict: true });
    compiled.set(path, t);
  }
  return t;
}

/** Hash of every file in a template folder, sorted by name: part of each output's input hash. */
export function templatesHash(dir: string): string {
  const h = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    h.update(name);
    h.update('\0');
    h.update(readFileSync(join(dir, name)));
    h.update('\0');
  }
  return h.digest('hex');
}

/** Forgets compiled templates (watch mode, after a template changed). */
export function clearTemplateCache(): void {
  compiled.clear();
}

/** A folder of prompt templates, each the project's own copy when it has one, else fixturegen's. */
export interface TemplateSet<N extends string> {
  /** Over every template's name and text: part of the fingerprint (a change makes outputs stale). */
  readonly hash: string;
  /** Which file each template was read from. */
  readonly files: Record<string, string>;
  readonly compiled: Record<N, Handlebars.TemplateDelegate>;
}

/**
 * Reads `names` from `projectDir` where the project has that file, else from `defaultDir`, and
 * compiles them (no HTML escaping, strict). Used by the LLM prompt and by `draft`.
 */
export function loadTemplateSet<N extends string>(
  projectDir: string | null,
  defaultDir: string,
  names: readonly N[],
): TemplateSet<N> {
  const own = projectDir && existsSync(projectDir) ? new Set(readdirSync(projectDir)) : new Set();
  const h = createHash('sha256');
  const files: Record<string, string> = {};
  const compiled = {} as Record<N, Handlebars.TemplateDelegate>;
  for (const name of names) {
    const file = projectDir && own.has(name) ? join(projectDir, name) : join(defaultDir, name);
    const text = readFileSync(file, 'utf8');
    files[name] = file;
    h.update(name).update('\0').update(text).update('\0');
    compiled[name] = Handlebars.compile(text, { noEscape: true, strict: true });
  }
  return { hash: h.digest('hex'), files, compiled };
}
