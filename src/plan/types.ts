import type { TypeFamily } from '../catalog/types.js';

/**
 * The Plan IR: what a scenario means once checked against the catalog. Generators render it; the
 * verifier derives its expectations from it. Values are expressions of the instance index `i` so a
 * `count: 100000` entity stays one node, not a hundred thousand.
 */

/** An index into a list label: a constant, `i`, `i % k` or `i // k`. */
export type IndexExpr =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'i' }
  | { readonly kind: 'mod'; readonly k: number }
  | { readonly kind: 'div'; readonly k: number };

/** A Python value known at compile time, already converted for its column type. */
export type PyLiteral =
  | { readonly kind: 'none' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: string } // decimal digits, arbitrary size
  | { readonly kind: 'float'; readonly value: string } // repr()-style text
  | { readonly kind: 'decimal'; readonly value: string } // exact text, e.g. "1234.50"
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: string } // UTF-8 text to encode
  | { readonly kind: 'date'; readonly year: number; readonly month: number; readonly day: number }
  | {
      readonly kind: 'datetime';
      readonly iso: string; // normalized ISO 8601, rendered via datetime.datetime(...)
      readonly parts: readonly number[]; // year, month, day, hour, minute, second, microsecond
      /** Offset from UTC in minutes, or null for a naive datetime. */
      readonly offsetMinutes: number | null;
    }
  | { readonly kind: 'time'; readonly parts: readonly number[] } // hour, minute, second, microsecond
  | { readonly kind: 'interval'; readonly seconds: string } // exact decimal text
  | { readonly kind: 'uuid'; readonly value: string } // canonical lower-case
  | {
      readonly kind: 'enum';
      /** Python enum class (imported from its module) and member name; or a plain string. */
      readonly enumModule: string | null;
      readonly enumClass: string | null;
      readonly member: string;
      /** Write the member's value (`Kind.A.value`): the column binds plain values. */
      readonly asValue?: boolean;
    }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'list'; readonly items: readonly PyLiteral[] };

/**
 * A value expression for one attribute. `literal` is the same for every instance; the others may
 * depend on `i`.
 */
export type ValueExpr =
  | { readonly kind: 'literal'; readonly value: PyLiteral }
  /** `"user{n}@x"` — parts are text or the index; `convert` says how the result is converted. */
  | {
      readonly kind: 'interpolate';
      readonly parts: readonly (string | { readonly var: 'i' | 'n' })[];
      /** The family the interpolated text is converted to; `string` keeps it text. */
      readonly convert: TypeFamily;
      /** For enum columns, how members are reached; same shape as PyLiteral enum. */
      readonly enumModule?: string | null;
      readonly enumClass?: string | null;
      readonly enumAsValue?: boolean;
    }
  /** A reference to a label's instance (index null: the whole label, an instance or a list). */
  | {
      readonly kind: 'ref';
      readonly label: string;
      readonly index: IndexExpr | null;
      /**
       * `null`: the instance itself (relationship). A string: the attribute of the referenced
       * instance whose value goes in (foreign-key column given a reference).
       */
      readonly attribute: string | null;
    }
  | { readonly kind: 'refList'; readonly items: readonly ValueExpr[] }
  | { readonly kind: 'cycle'; readonly items: readonly ValueExpr[] }
  /** A value nobody wrote, synthesized deterministically per type (may use `i` for uniqueness). */
  | { readonly kind: 'synth'; readonly expr: ValueExpr };

export interface PlanValue {
  /** Mapped attribute key. */
  readonly attribute: string;
  readonly value: ValueExpr;
  /** Where it came from: `written`, `autolink` (NOT NULL FK to the only candidate) or `synth`. */
  readonly origin: 'written' | 'autolink' | 'synth';
  /** True when set on a relationship whose collection is filled by appending (secondary tables). */
  readonly collection: boolean;
}

export interface PlanEntity {
  readonly label: string;
  /** Qualname of the mapped class. */
  readonly model: string;
  /** Class name and module, for imports. */
  readonly className: string;
  readonly module: string;
  /** null: one instance; a number: a list of that many. */
  readonly count: number | null;
  /** Sorted by attribute key. */
  readonly values: readonly PlanValue[];
  /** Labels this entity references (dependency edges). */
  readonly dependsOn: readonly string[];
}

export interface PlanInherited {
  /** Scenario (fixture) name the label comes from. */
  readonly scenario: string;
  readonly label: string;
  readonly model: string;
  readonly className: string;
  readonly module: string;
  readonly count: number | null;
}

export interface Plan {
  /** Fixture name (`name` key or file stem). */
  readonly name: string;
  /** PascalCase dataclass name. */
  readonly className: string;
  readonly description: string | null;
  /** Scenario path relative to the project root, forward slashes. */
  readonly source: string;
  /** Scenarios this one extends, directly, in written order. */
  readonly extends: readonly string[];
  /**
   * How often the fixture creates the rows: per test (`function`), or once per module or session
   * with a savepoint per test (the package's `db_module_session` / `db_shared_session`). Absent:
   * per test.
   */
  readonly scope?: 'module' | 'session';
  /**
   * Set by `desiredOutputs` when a scenario this one extends (transitively) is created once per
   * module or session: the rows its factory makes sit beside that parent's shared rows.
   */
  readonly scopedParent?: true;
  /** Labels visible from extended scenarios (transitively), in their creation order. */
  readonly inherited: readonly PlanInherited[];
  /** Own entities in creation (dependency) order; ties broken by label. */
  readonly entities: readonly PlanEntity[];
  /** Qualnames of every model the scenario touches, sorted. */
  readonly models: readonly string[];
  /** Rows per model qualname that must exist after the fixture ran (derived plus `expect.counts`). */
  readonly expectCounts: Readonly<Record<string, number>>;
  /** `edge_cases` from the scenario, for the LLM generator. */
  readonly edgeCases: 'auto' | readonly string[] | null;
  /** Canonical JSON of the scenario document (sorted keys), for hashing. */
  readonly canonical: string;
  /** Named variants (`variants:`), in written order; absent or empty when there are none. */
  readonly variants?: readonly PlanVariant[];
  /** `edge_cases: {auto: true, ...}` options (absent for plain `auto` or no edge cases). */
  readonly edgeCaseOptions?: EdgeCaseOptions;
  /**
   * Derived edge cases (`edge_cases: auto`): set when outputs are planned (they depend on the
   * database's dialect and on the refusals recorded in the written module), absent before.
   */
  readonly derivedCases?: PlanEdgeCases;
}

/**
 * A named variant: the scenario's own entities with the variant's changes, planned like the base
 * (its own creation order, fills and counts). Inherited labels are the base's.
 */
export interface PlanVariant {
  readonly name: string;
  readonly description: string | null;
  readonly entities: readonly PlanEntity[];
  /** Own labels the variant does not create. */
  readonly removed: readonly string[];
  readonly expectCounts: Readonly<Record<string, number>>;
}

/**
 * Rows from which the builtin generator inserts a list entity in bulk (measured:
 * bench/bulk-fixtures.mjs); a derived edge case does not leave such a list out.
 */
export const BULK_MIN = 50;

/** The kinds of derived edge cases (`edge_cases: auto`), as `edge_cases.kinds` names them. */
export const EDGE_CASE_KINDS = [
  'nulls',
  'max_length',
  'empty_string',
  'non_ascii',
  'precision',
  'zero',
  'negative',
  'int_limits',
  'enum',
  'boolean',
  'datetime',
  'empty_json',
  'no_children',
] as const;
export type EdgeCaseKind = (typeof EDGE_CASE_KINDS)[number];

/** One attribute of one row (or of every row of a label: `index` null on a list) changed. */
export interface PlanEdgeChange {
  readonly label: string;
  /** The instance of a list label; null for a single instance, or every instance of a list. */
  readonly index: number | null;
  readonly attribute: string;
  readonly value: PyLiteral;
}

/**
 * A derived edge case: the scenario with one change (an attribute of one row; for `no_children`,
 * the collection emptied, the key of every child pointing at the parent set to NULL, or the
 * children left out). Its changes and removed labels are exactly the overrides of
 * `create_<name>(session, overrides=...)` that make it.
 */
export interface PlanEdgeCase {
  /** Readable and unique in the scenario: `users[0].manager=None`, the pytest id. */
  readonly id: string;
  readonly kind: EdgeCaseKind;
  readonly changes: readonly PlanEdgeChange[];
  /**
   * Own labels the case leaves out (`{label: None}` in the overrides), in creation order: the
   * children of a parent held by a NOT NULL foreign key, and every label that refers to them, as
   * a variant's removed labels must be. Absent: none.
   */
  readonly removed?: readonly string[];
  /**
   * Rows of own list labels the case leaves out, where the label keeps its other rows
   * (`{label: {k: None}}` in the overrides): the children of one instance of a list parent held
   * by a NOT NULL key, and the rows that refer to them. Absent: none.
   */
  readonly removedRows?: readonly PlanRemovedRows[];
  /** `no_children`: the collection the case empties, which the build-time probe reads back. */
  readonly emptied?: {
    readonly label: string;
    readonly index: number | null;
    readonly relationship: string;
  };
}

/** Rows of a list label left out by an edge case: their indexes, ascending. */
export interface PlanRemovedRows {
  readonly label: string;
  readonly indexes: readonly number[];
}

/** `edge_cases: {auto: true, exclude, kinds, max}`; `edge_cases: auto` is every kind, no cap. */
export interface EdgeCaseOptions {
  /** `label` or `label.attribute`. */
  readonly exclude: readonly string[];
  /** null: every kind. */
  readonly kinds: readonly EdgeCaseKind[] | null;
  readonly max: number | null;
}

/** The derived edge cases of a scenario, and those its database refused when it was built. */
export interface PlanEdgeCases {
  /** Every derived case, refused ones included, in a stable order. */
  readonly cases: readonly PlanEdgeCase[];
  /** Ids of the cases the database refused at build time (recorded in the written module). */
  readonly refused: readonly string[];
  /** Cases left out by `max`. */
  readonly capped: number;
}
