/**
 * The limits' values alone (see limits.ts, which checks them): modules that only need a number,
 * such as reading the scenario files, get it without loading the YAML library.
 */
export const LIMITS = {
  /** Bytes of one scenario file. */
  scenarioBytes: 64 * 1024,
  /** Bytes of the configuration file. */
  configBytes: 64 * 1024,
  /** Nested mappings and lists. A scenario needs about 6. */
  depth: 64,
  /** Aliases (`*name`) in one file: one merge key per entity is plenty. */
  aliases: 1000,
  /** Labels under `entities`. */
  entities: 1000,
  /** Instances of all entities together (`count` summed): each is checked on its own. */
  instances: 1_000_000,
  /** Nodes that aliases expand to, all together (one merge key per entity fits). */
  expandedNodes: 50_000,
  /** Characters of a scenario name: it names a file, and a folder during verification. */
  nameChars: 100,
} as const;
