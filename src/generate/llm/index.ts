export { createLlmGenerator, LLM_CODES } from './generator.js';
export type {
  LlmGenerator,
  LlmGeneratorDeps,
  LlmResult,
  LlmScenarioReport,
  LlmStatus,
} from './generator.js';
export {
  buildMessages,
  CHARS_PER_TOKEN,
  estimateTokens,
  formatModels,
  loadPromptTemplates,
  promptSize,
  PROJECT_PROMPT_DIR,
  PROMPT_TEMPLATES_DIR,
} from './prompt.js';
export type { PromptContext, PromptSize, PromptTemplates } from './prompt.js';
export { LlmAnswerError, LlmUnavailableError } from './client.js';
