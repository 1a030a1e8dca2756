import type { CatalogView } from '../../../catalog/slice.js';
import type { Plan } from '../../../plan/types.js';

export interface PromptContext {
  readonly catalog: CatalogView;
  /** Python import path of the output package. */
  readonly packageName: string;
  readonly sessionFixture: string;
  /** Every plan by name (for extended scenarios' class names). */
  readonly plans: ReadonlyMap<string, Plan>;
}
