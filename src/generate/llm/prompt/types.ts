import type { Catalog } from '../../../catalog/types.js';
import type { Plan } from '../../../plan/types.js';

export interface PromptContext {
  readonly catalog: Catalog;
  /** Python import path of the output package. */
  readonly packageName: string;
  readonly sessionFixture: string;
  /** Every plan by name (for extended scenarios' class names). */
  readonly plans: ReadonlyMap<string, Plan>;
}
