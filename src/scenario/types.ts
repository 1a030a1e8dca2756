import type { Document, LineCounter } from 'yaml';

/** A path into the scenario document: mapping keys and sequence indexes. */
export type Path = readonly (string | number)[];

/** One scenario file after YAML parsing, with what is needed to map paths back to positions. */
export interface ScenarioSource {
  /** Path relative to the project root, forward slashes. */
  readonly file: string;
  readonly text: string;
  /** The document as plain data (mappings are objects, sequences arrays). */
  readonly data: unknown;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

/** How often a scenario's rows are created: per test (function), per module, per session. */
export type ScenarioScope = 'function' | 'module' | 'session';

/** The document once the JSON schema accepted it. */
export interface RawScenario {
  readonly name?: string;
  readonly description?: string;
  readonly models?: string | readonly string[];
  readonly extends?: string | readonly string[];
  readonly scope?: ScenarioScope;
  readonly entities?: Readonly<Record<string, RawEntity>>;
  readonly edge_cases?: RawEdgeCases;
  readonly variants?: Readonly<Record<string, RawVariant>>;
  readonly expect?: { readonly counts?: Readonly<Record<string, number>> };
}

export interface RawEntity {
  readonly model: string;
  readonly count?: number;
  readonly values?: Readonly<Record<string, unknown>>;
}

export interface RawVariant {
  readonly description?: string;
  readonly entities?: Readonly<
    Record<string, { readonly count?: number; readonly values?: Readonly<Record<string, unknown>> }>
  >;
  readonly remove?: readonly string[];
}

/** `edge_cases:`: `auto`, strings for the LLM generator, or auto with options. */
export type RawEdgeCases =
  | 'auto'
  | readonly string[]
  | {
      readonly auto: boolean;
      readonly exclude?: readonly string[];
      readonly kinds?: readonly string[];
      readonly max?: number;
    };
