/**
 * The draft prompt: a system message with the scenario language (the same for every scenario),
 * then one request per scenario with its description and the part of the catalog it is about.
 * Templates live in templates/draft/; a project overrides one by putting a file of the same name in
 * its own templates/draft/.
 */
import { join } from 'node:path';
import type Handlebars from 'handlebars';
import { catalogSlice } from '../catalog/slice.js';
import type { Catalog, ModelInfo } from '../catalog/types.js';
import type { ChatMessage } from '../generate/llm/client/types.js';
import { formatModels } from '../generate/llm/prompt/catalog.js';
import { TEMPLATES_DIR, loadTemplateSet } from '../generate/templates.js';

export const DRAFT_TEMPLATES_DIR = join(TEMPLATES_DIR, 'draft');
export const PROJECT_DRAFT_DIR = join('templates', 'draft');
const NAMES = ['system.hbs', 'request.hbs', 'repair.hbs'] as const;

/** Below this many models the whole catalog is sent: picking would save little and risk more. */
export const SMALL_CATALOG = 12;

export interface DraftTemplates {
  readonly hash: string;
  readonly files: Readonly<Record<string, string>>;
  readonly system: Handlebars.TemplateDelegate;
  readonly request: Handlebars.TemplateDelegate;
  readonly repair: Handlebars.TemplateDelegate;
}

export function loadDraftTemplates(root: string | null): DraftTemplates {
  const projectDir = root === null ? null : join(root, PROJECT_DRAFT_DIR);
  const { hash, files, compiled } = loadTemplateSet(projectDir, DRAFT_TEMPLATES_DIR, NAMES);
  return {
    hash,
    files,
    system: compiled['system.hbs'],
    request: compiled['request.hbs'],
    repair: compiled['repair.hbs'],
  };
}

/** `permission grants` → [`permission`, `grant`]: lower case, rough English singular. */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
    .map(singular);
}

function singular(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && /(ss|sh|ch|x)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

function contains(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  for (let i = 0; i + needle.length <= haystack.length; i += 1) {
    if (needle.every((w, k) => haystack[i + k] === w)) return true;
  }
  return false;
}

export interface DraftCatalog {
  readonly models: readonly ModelInfo[];
  /** Models the description names (by class or table name), before neighbours were added. */
  readonly named: readonly string[];
  readonly whole: boolean;
}

/**
 * The models a description is about: those it names by class name (`PermissionGrant` as
 * "permission grants") or table name, with their foreign-key and relationship neighbours; the
 * whole catalog when it is small or the description names none.
 */
export function draftCatalog(catalog: Catalog, description: string): DraftCatalog {
  const concrete = catalog.models;
  const text = words(description);
  const named = concrete
    .filter((m) => contains(text, words(m.name)) || contains(text, words(m.table)))
    .map((m) => m.qualname)
    .sort();
  if (concrete.length <= SMALL_CATALOG || named.length === 0) {
    return { models: [...concrete].sort(byQualname), named, whole: true };
  }
  return { models: catalogSlice(catalog, named), named, whole: false };
}

const byQualname = (a: ModelInfo, b: ModelInfo): number =>
  a.qualname < b.qualname ? -1 : a.qualname > b.qualname ? 1 : 0;

export interface DraftRequest {
  readonly name: string;
  readonly source: string;
  readonly description: string;
  /** The file's own `expect`, as YAML, or null. */
  readonly expect: string | null;
  readonly extends: readonly string[];
  /** `users: User, a list of 3` for each label of the extended scenarios. */
  readonly inherited: readonly string[];
  readonly catalog: DraftCatalog;
}

export function draftMessages(templates: DraftTemplates, req: DraftRequest): ChatMessage[] {
  const note = req.catalog.whole
    ? 'The whole model catalog of the project.'
    : `The models the description names (${req.catalog.named.map((q) => q.split('.').pop()).join(', ')}) and their foreign-key and relationship neighbours.`;
  return [
    { role: 'system', content: finish(templates.system({})) },
    {
      role: 'user',
      content: finish(
        templates.request({
          name: req.name,
          source: req.source,
          description: req.description.trim(),
          expect: req.expect,
          extends: req.extends.length > 0 ? req.extends.map((e) => `\`${e}\``).join(', ') : null,
          inherited: req.inherited,
          catalogNote: note,
          catalog: formatModels(req.catalog.models),
        }),
      ),
    },
  ];
}

export function draftRepairText(
  templates: DraftTemplates,
  scenario: string,
  problems: readonly string[],
  round: number,
  rounds: number,
  expect: boolean,
): string {
  return finish(
    templates.repair({ scenario: scenario.trimEnd(), problems, round, rounds, expect }),
  );
}

function finish(text: string): string {
  return `${text.trim()}\n`;
}
