import type { CatalogView } from '../../../catalog/slice.js';
import type { Plan, PlanValue } from '../../../plan/types.js';

export interface PromptContext {
  readonly catalog: CatalogView;
  /** Python import path of the output package. */
  readonly packageName: string;
  readonly sessionFixture: string;
  /** Every plan by name (for extended scenarios' class names). */
  readonly plans: ReadonlyMap<string, Plan>;
  /**
   * `async: true` in the configuration: the module's create functions and fixtures are coroutines
   * on an AsyncSession (docs/generated-code.md#async-projects), and the prompt shows that contract.
   */
  readonly async?: boolean;
}

/**
 * Renders planned values as the Python the module should write, collecting the imports they
 * need: the base's values and every variant's go through one renderer, so the imports line covers
 * both.
 */
export interface ValueRenderer {
  /** `attribute = expression  # notes` for one planned value of a label. */
  line(value: PlanValue, count: number | null): string;
  /** The expression alone. */
  expr(value: PlanValue, count: number | null): string;
  imports(): string[];
}
