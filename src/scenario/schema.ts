import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { diagAt } from './position.js';
import type { Path, ScenarioSource } from './types.js';

const SCHEMA_URL = new URL('../../schemas/scenario.schema.json', import.meta.url);

let validator: ValidateFunction | null = null;

/** The compiled scenario schema; compiled on first use and kept for the process. */
export function scenarioValidator(): ValidateFunction {
  if (validator === null) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
    // Editor annotations of the YAML language server; they do not constrain anything.
    ajv.addVocabulary(['defaultSnippets', 'markdownDescription']);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** JSON pointer → path, with sequence indexes as numbers (positions need them). */
function toPath(pointer: string, data: unknown): Path {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : null;
    }
  }
  return out;
}

/** `entities.users.count`, for messages. */
export function describePath(path: Path): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s === '' ? 'the scenario' : s;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(expected: string, value: unknown): boolean {
  const t = jsonType(value);
  return expected === t || (expected === 'number' && t === 'integer');
}

function valueAt(data: unknown, path: Path): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

const NAME_RULES: Record<string, { what: string; rule: string }> = {
  scenarioName: {
    what: 'scenario name',
    rule: 'use lower-case letters, digits and underscores, not starting with a digit',
  },
  label: { what: 'label', rule: 'use letters, digits and underscores, not starting with a digit' },
  identifier: {
    what: 'name',
    rule: 'use letters, digits and underscores, not starting with a digit',
  },
  modulePath: { what: 'Python import path', rule: 'write a dotted module path such as crm.models' },
  modelName: { what: 'model name', rule: 'write a class name (User) or module.Class' },
};

function nameRule(e: ErrorObject, path: Path): { what: string; rule: string } {
  const m = /#\/\$defs\/([A-Za-z]+)\//.exec(e.schemaPath);
  let rule = NAME_RULES[m?.[1] ?? ''] ?? { what: 'name', rule: 'see the scenario format' };
  if (path.at(-1) === 'entities' && e.propertyName !== undefined) rule = { ...rule, what: 'label' };
  if (path.at(-1) === 'values' && e.propertyName !== undefined) {
    rule = { ...rule, what: 'attribute name' };
  }
  return rule;
}

/** What to write instead of a value of the wrong type. */
function typeHint(expected: string, value: unknown, path: Path): string {
  const last = path.at(-1);
  if (expected === 'integer' && typeof value === 'string' && /^[0-9]+$/.test(value.trim())) {
    return `write ${value.trim()} without quotes`;
  }
  if (expected === 'object') {
    if (typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*:\S/.test(value)) {
      const colon = value.indexOf(':');
      return `put a space after the colon: "${value.slice(0, colon)}: ${value.slice(colon + 1)}"`;
    }
    if (path.length === 2 && path[0] === 'entities') {
      return 'an entity is a mapping with model: ClassName, indented under its label';
    }
    if (last === 'values') return 'write attribute: value pairs indented under values:';
    return `write key: value pairs indented under ${String(last ?? 'it')}:`;
  }
  if (value === null) return `write a value after "${String(last ?? '')}:", or leave the key out`;
  if (expected === 'string') {
    return typeof value === 'object'
      ? 'write plain text; quote text that starts with [ or {'
      : // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects took the branch above
        `quote it: "${String(value)}"`;
  }
  if (expected === 'integer' || expected === 'number') return 'write a number without quotes';
  return `write ${TYPE_NAMES[expected] ?? expected}`;
}

function oneDiagnostic(src: ScenarioSource, e: ErrorObject): Diagnostic | null {
  const path = toPath(e.instancePath, src.data);
  const where = describePath(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(
        (e.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const inEntity = path.length === 2 && path[0] === 'entities';
      const hint =
        didYouMean(key, allowed) ??
        (inEntity
          ? `an entity has ${allowed.join(', ')}; attributes go under values:`
          : `allowed keys: ${allowed.join(', ')}`);
      const place = path.length === 0 ? 'scenario' : where;
      return diagAt(src, Codes.unknownKey, `unknown key "${key}" in ${place}`, [...path, key], {
        which: 'key',
        hint,
      });
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return diagAt(src, Codes.missingKey, `${where} has no "${missing}"`, path, {
        which: 'key',
        hint:
          missing === 'model'
            ? 'add model: ClassName'
            : missing === 'auto' && path[0] === 'edge_cases'
              ? 'write edge_cases: auto, or a mapping with auto: true and any of exclude, kinds, max'
              : `add ${missing}: to ${where}`,
      });
    }
    case 'type': {
      const expected = (e.params as { type: string }).type;
      return diagAt(
        src,
        Codes.schemaType,
        `${where} must be ${TYPE_NAMES[expected] ?? expected}`,
        path,
        { hint: typeHint(expected, valueAt(src.data, path), path) },
      );
    }
    case 'pattern':
    case 'not': {
      const named = e.propertyName !== undefined;
      const text = named ? e.propertyName! : String(valueAt(src.data, path));
      const target = named ? [...path, e.propertyName!] : path;
      const rule = nameRule(e, path);
      return e.keyword === 'not'
        ? diagAt(
            src,
            Codes.badName,
            `"${text}" is a Python keyword and cannot be a ${rule.what}`,
            target,
            {
              which: named ? 'key' : 'value',
              hint: `pick another ${rule.what}, for example "${text}_"`,
            },
          )
        : diagAt(src, Codes.badName, `"${text}" is not a valid ${rule.what}`, target, {
            which: named ? 'key' : 'value',
            hint: rule.rule,
          });
    }
    case 'minimum':
    case 'maximum':
      if (path.at(-1) === 'count' && path[0] === 'entities') {
        return diagAt(
          src,
          Codes.countRange,
          `count must be between 1 and 100000, not ${String(valueAt(src.data, path))}`,
          path,
          {
            hint: 'leave count out for a single instance',
          },
        );
      }
      return diagAt(src, Codes.schemaOther, `${where} ${e.message ?? 'is out of range'}`, path, {
        hint: path[0] === 'expect' ? 'a row count is 0 or more' : undefined,
      });
    case 'propertyNames':
      return null; // reported through the inner error, which names the key
    case 'minItems':
      return diagAt(src, Codes.schemaOther, `${where} must not be empty`, path, {
        hint: `leave ${String(path.at(-1) ?? 'it')} out instead of writing an empty list`,
      });
    case 'uniqueItems':
      return diagAt(src, Codes.schemaOther, `${where} lists the same item twice`, path, {
        hint: 'remove the repeated item',
      });
    case 'minLength':
      return diagAt(src, Codes.schemaOther, `${where} must not be empty`, path, {
        hint: 'write some text, or remove the item',
      });
    default:
      return diagAt(src, Codes.schemaOther, `${where} ${e.message ?? 'is invalid'}`, path);
  }
}

function alternative(e: ErrorObject): string | null {
  if (e.keyword === 'type') {
    const t = (e.params as { type: string }).type;
    return t === 'array' ? 'a list' : (TYPE_NAMES[t] ?? t);
  }
  if (e.keyword === 'const')
    return JSON.stringify((e.params as { allowedValue: unknown }).allowedValue);
  return null;
}

/**
 * ajv reports every failed branch of an `anyOf`. Keep the errors of the branch whose type matches
 * the value (they say what is wrong inside it); when no branch matches, say what the value may be.
 */
function simplify(src: ScenarioSource, errors: readonly ErrorObject[]): Diagnostic[] {
  const anyOfPaths = new Set(
    errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  const wrongBranch = new Set<ErrorObject>();
  const alternatives = new Map<string, string[]>();
  for (const e of errors) {
    if (!anyOfPaths.has(e.instancePath) || e.keyword === 'anyOf') continue;
    const value = valueAt(src.data, toPath(e.instancePath, src.data));
    const typeMismatch =
      e.keyword === 'type' && !typeMatches((e.params as { type: string }).type, value);
    if (typeMismatch || e.keyword === 'const') {
      wrongBranch.add(e);
      const alt = alternative(e);
      if (alt !== null) {
        alternatives.set(e.instancePath, [...(alternatives.get(e.instancePath) ?? []), alt]);
      }
    }
  }
  const out: Diagnostic[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf' || wrongBranch.has(e)) continue;
    const d = oneDiagnostic(src, e);
    if (d !== null) out.push(d);
  }
  for (const pointer of anyOfPaths) {
    const explained = errors.some(
      (e) =>
        e.keyword !== 'anyOf' &&
        !wrongBranch.has(e) &&
        (e.instancePath === pointer || e.instancePath.startsWith(`${pointer}/`)),
    );
    if (explained) continue;
    const path = toPath(pointer, src.data);
    const last = path.at(-1);
    const listOf =
      last === 'edge_cases'
        ? 'a list of strings'
        : last === 'models'
          ? 'a list of import paths'
          : 'a list of names';
    const alts = [...new Set(alternatives.get(pointer) ?? [])].map((a) =>
      a === 'a list' ? listOf : a,
    );
    const text = alts.length > 0 ? alts.join(' or ') : 'valid';
    const hint =
      last === 'edge_cases'
        ? 'write auto, {auto: true, exclude: [...], kinds: [...], max: N}, or a list of strings'
        : last === 'models'
          ? 'write one import path, or a list of them: [crm.models, billing.models]'
          : 'write one name, or a list of them: [a, b]';
    out.push(
      diagAt(src, Codes.schemaType, `${describePath(path)} must be ${text}`, path, { hint }),
    );
  }
  return out;
}

/** Checks the document against schemas/scenario.schema.json; diagnostics point at the YAML nodes. */
export function checkSchema(src: ScenarioSource): Diagnostic[] {
  const validate = scenarioValidator();
  if (validate(src.data)) return [];
  const diagnostics = simplify(src, validate.errors ?? []);
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const k = `${d.line}:${d.column}:${d.code}:${d.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
