export { createLlmGenerator } from './generator/create.js';
export { LLM_CODES } from './generator/feedback.js';
export type {
  LlmGenerator,
  LlmGeneratorDeps,
  LlmResult,
  LlmScenarioReport,
  LlmStatus,
} from './generator/types.js';
export { formatModels } from './prompt/catalog.js';
export { buildMessages } from './prompt/messages.js';
export { CHARS_PER_TOKEN, estimateTokens, promptSize } from './prompt/size.js';
export {
  loadPromptTemplates,
  PROJECT_PROMPT_DIR,
  PROMPT_TEMPLATES_DIR,
} from './prompt/templates.js';
export type { PromptSize } from './prompt/size.js';
export type { PromptTemplates } from './prompt/templates.js';
export type { PromptContext } from './prompt/types.js';
export { LlmAnswerError, LlmUnavailableError } from './client/errors.js';
