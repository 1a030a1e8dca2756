/** Import bookkeeping of a generated module, and the local names a label may not take. */
import type { ModelAccess } from '../../catalog/types.js';
import type { FromImport } from './import-block.js';

/** How a model class is reached when `from <module> import <class>` does not work. */
export type AccessOf = (module: string, cls: string) => ModelAccess | undefined;

/**
 * The class a registry lookup finds: the mapper of `anchor`'s registry whose class has the
 * catalog's `module.qualname`. Over several lines, indented by `indent`.
 */
export function lookupExpression(a: Extract<ModelAccess, { key: string }>, indent = ''): string {
  const registry = a.via === 'registry' ? a.name : `${a.name}.registry`;
  return [
    'next(',
    `${indent}    mapper.class_`,
    `${indent}    for mapper in ${registry}.mappers`,
    `${indent}    if f"{mapper.class_.__module__}.{mapper.class_.__qualname__}" == ${JSON.stringify(a.key)}`,
    `${indent})`,
  ].join('\n');
}

/** Names a label's local variable must not take: the function's own names and Python's. */
export const RESERVED = new Set([
  // pycodestyle E741 (in ruff's default rules): names that read like 1 and 0.
  'l',
  'I',
  'O',
  'session',
  'variant',
  'overrides',
  'i',
  'pytest',
  'dataclasses',
  'datetime',
  'decimal',
  'uuid',
  'list',
  'range',
  'int',
  'float',
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

/**
 * One local name per (module, class). A class whose name another imported module also has is
 * aliased after its module (`a_models_User`, `b_models_User`). `known` lists every (module, class)
 * the module will import (a first rendering pass collects them), so a name never changes after it
 * was first handed out, whatever order the renderer meets the classes in.
 */
export class Imports {
  private readonly byQualname = new Map<string, { module: string; cls: string }>();
  private readonly modulesOf = new Map<string, Set<string>>();
  readonly std = new Set<string>();

  /**
   * `known`: what the module imports; `defined`: names the module defines itself (its dataclass),
   * which an imported class of the same name must not shadow.
   */
  constructor(
    known: Iterable<{ module: string; cls: string }> = [],
    private readonly defined: ReadonlySet<string> = new Set(),
    private readonly access: AccessOf = () => undefined,
  ) {
    for (const { module, cls } of known) this.note(module, cls);
  }

  private note(module: string, cls: string): void {
    const set = this.modulesOf.get(cls) ?? new Set<string>();
    set.add(module);
    this.modulesOf.set(cls, set);
  }

  name(module: string, cls: string): string {
    // A nested class (an enum defined in a model class): import the outer one.
    const dot = cls.indexOf('.');
    if (dot > 0) return `${this.name(module, cls.slice(0, dot))}${cls.slice(dot)}`;
    const key = `${module}.${cls}`;
    if (!this.byQualname.has(key)) {
      this.byQualname.set(key, { module, cls });
      this.note(module, cls);
    }
    return this.local(module, cls);
  }

  private local(module: string, cls: string): string {
    const clash = this.defined.has(cls) || (this.modulesOf.get(cls)?.size ?? 0) > 1;
    return clash ? `${module.replace(/\./g, '_')}_${cls}` : cls;
  }

  /** The local names of every class known so far (a label's variable must not take one). */
  locals(): Set<string> {
    const out = new Set<string>();
    for (const [cls, modules] of this.modulesOf) {
      for (const module of modules) out.add(this.local(module, cls));
    }
    return out;
  }

  /** Every (module, class) handed out, for the second pass. */
  used(): { module: string; cls: string }[] {
    return [...this.byQualname.values()];
  }

  /**
   * Every class handed out, with its alias where it has one (import-block.ts sorts them); a class
   * reached another way is imported by the name its access gives, or through its anchor.
   */
  fromImports(): FromImport[] {
    const out = new Map<string, FromImport>();
    const add = (f: FromImport) => out.set(`${f.module}\0${f.name}\0${f.alias ?? ''}`, f);
    for (const { module, cls } of this.byQualname.values()) {
      const local = this.local(module, cls);
      const a = this.access(module, cls);
      if (a === undefined)
        add(local === cls ? { module, name: cls } : { module, name: cls, alias: local });
      else if (a.via === 'attribute')
        add(
          a.name === local
            ? { module: a.module, name: a.name }
            : { module: a.module, name: a.name, alias: local },
        );
      else add({ module: a.module, name: a.name });
    }
    return [...out.values()];
  }

  /** `Local = next(…)` for each class that is reached through its mapper registry. */
  lookups(): string[] {
    const out: string[] = [];
    for (const { module, cls } of this.byQualname.values()) {
      const a = this.access(module, cls);
      if (a !== undefined && a.via !== 'attribute') {
        out.push(`${this.local(module, cls)} = ${lookupExpression(a)}`);
      }
    }
    return out.sort();
  }
}
