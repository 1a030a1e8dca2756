import type { DiagnosticCode } from './codes.js';

/**
 * Names for the diagnostic codes of the scenario stages (the registry is ../diagnostics/codes.ts). FG1xx: the file itself (YAML, schema); FG2xx: what
 * the scenario means against the model catalog. Never renumber: users search for these.
 */
export const Codes = {
  yamlSyntax: 'FG101',
  duplicateKey: 'FG102',
  tabIndent: 'FG103',
  badIndent: 'FG104',
  unclosed: 'FG105',
  multipleDocuments: 'FG106',
  alias: 'FG107',
  unsupportedYaml: 'FG108',
  notAMapping: 'FG109',
  schemaType: 'FG110',
  unknownKey: 'FG111',
  missingKey: 'FG112',
  badName: 'FG113',
  countRange: 'FG114',
  schemaOther: 'FG115',
  badFileStem: 'FG116',
  /** From the end of the range; FG198 (a file that cannot be read) is pipeline/inputs.ts's. */
  badText: 'FG196',
  reservedName: 'FG197',
  beyondLimits: 'FG199',

  unknownModel: 'FG201',
  ambiguousModel: 'FG202',
  unknownAttribute: 'FG203',
  typeMismatch: 'FG204',
  tooLong: 'FG205',
  notEnumMember: 'FG206',
  nullNotAllowed: 'FG207',
  unknownLabel: 'FG208',
  wrongModel: 'FG209',
  listWhereOne: 'FG210',
  indexRange: 'FG211',
  badReference: 'FG212',
  notReferenceable: 'FG213',
  autolinkNone: 'FG214',
  autolinkMany: 'FG215',
  referenceCycle: 'FG216',
  badInterpolation: 'FG217',
  wrongForm: 'FG218',
  notSettable: 'FG219',
  cannotSynthesize: 'FG220',
  unknownExtends: 'FG221',
  extendsCycle: 'FG222',
  extendsFailed: 'FG223',
  labelClash: 'FG224',
  duplicateName: 'FG225',
  setTwice: 'FG226',
  selfReference: 'FG227',
  uniqueClash: 'FG228',
  /** A description and no entities: `fixturegen draft` writes them. */
  descriptionOnly: 'FG250',
  scopeNeedsOwnSession: 'FG240',
  scopeWiderThanParent: 'FG241',
  /** `scope: module|session` with `async: true`. */
  scopeWithAsync: 'FG242',
  /** `scope: module|session` with SQLAlchemy 1.4 (no join_transaction_mode). */
  scopeNeedsSqlalchemy2: 'FG243',
  /** Taken from the end of the FG2xx range: other codes are added from the start in parallel. */
  unplacedType: 'FG299',
} as const satisfies Record<string, DiagnosticCode>;

export type Code = (typeof Codes)[keyof typeof Codes];
