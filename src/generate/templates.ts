import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
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
