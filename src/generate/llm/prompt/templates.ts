import { join } from 'node:path';
import type Handlebars from 'handlebars';
import { TEMPLATES_DIR, loadTemplateSet } from '../../templates.js';

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
  const projectDir = root === null ? null : join(root, PROJECT_PROMPT_DIR);
  const { hash, files, compiled } = loadTemplateSet(projectDir, PROMPT_TEMPLATES_DIR, NAMES);
  return {
    hash,
    files,
    system: compiled['system.hbs'],
    scenario: compiled['scenario.hbs'],
    repair: compiled['repair.hbs'],
  };
}
