import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../../templates.js';

/** Shipped prompt templates; a project may override any of them by name (see `loadPromptTemplates`). */
export const PROMPT_TEMPLATES_DIR = join(TEMPLATES_DIR, 'prompt');
/** Where a project puts its own versions, relative to its root. */
export const PROJECT_PROMPT_DIR = join('templates', 'prompt');
const NAMES = ['system.hbs', 'scenario.hbs', 'repair.hbs'] as const;

export interface PromptTemplates {
  /** Hash of the effective templates' names and bytes: part of the generator's fingerprint. */
  readonly hash: string;
  /** Effective file per template name (shipped or the project's). */
  readonly files: Readonly<Record<string, string>>;
  readonly system: Handlebars.TemplateDelegate;
  readonly scenario: Handlebars.TemplateDelegate;
  readonly repair: Handlebars.TemplateDelegate;
}

/**
 * The shipped templates, each replaced by `<root>/templates/prompt/<name>` when the project has
 * that file. Read once per generator: a template change is a new fingerprint, so every scenario
 * becomes stale and its prompt (and cache key) changes with it.
 */
export function loadPromptTemplates(root: string | null): PromptTemplates {
  const files: Record<string, string> = {};
  const projectDir = root === null ? null : join(root, PROJECT_PROMPT_DIR);
  const own = projectDir && existsSync(projectDir) ? new Set(readdirSync(projectDir)) : new Set();
  const h = createHash('sha256');
  const compiled: Record<string, Handlebars.TemplateDelegate> = {};
  for (const name of NAMES) {
    const file =
      projectDir && own.has(name) ? join(projectDir, name) : join(PROMPT_TEMPLATES_DIR, name);
    const text = readFileSync(file, 'utf8');
    files[name] = file;
    h.update(name).update('\0').update(text).update('\0');
    compiled[name] = Handlebars.compile(text, { noEscape: true, strict: true });
  }
  return {
    hash: h.digest('hex'),
    files,
    system: compiled['system.hbs']!,
    scenario: compiled['scenario.hbs']!,
    repair: compiled['repair.hbs']!,
  };
}
