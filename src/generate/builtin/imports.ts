/** Import bookkeeping of a generated module, and the local names a label may not take. */
import type { FromImport } from './import-block.js';

/** Names a label's local variable must not take: the function's own names and Python's. */
export const RESERVED = new Set([
  // pycodestyle E741 (in ruff's default rules): names that read like 1 and 0.
  'l',
  'I',
  'O',
  'session',
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
  ) {
    for (const { module, cls } of known) this.note(module, cls);
  }

  private note(module: string, cls: string): void {
    const set = this.modulesOf.get(cls) ?? new Set<string>();
    set.add(module);
    this.modulesOf.set(cls, set);
  }

  name(module: string, cls: string): string {
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

  /** Every class handed out, with its alias where it has one (import-block.ts sorts them). */
  fromImports(): FromImport[] {
    return [...this.byQualname.values()].map(({ module, cls }) => {
      const local = this.local(module, cls);
      return local === cls ? { module, name: cls } : { module, name: cls, alias: local };
    });
  }
}
