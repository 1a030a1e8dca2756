// One implementation, shared with the benchmarks: see bench/support/openai-server.mjs.
export {
  promptTokens,
  renderTemplate,
  startOpenAiServer,
  textTokens,
} from '../../bench/support/openai-server.mjs';
export type {
  AnswerFn,
  Fault,
  OpenAiTestServer,
  RecordedRequest,
  ScriptedAnswer,
  ScriptedUsage,
  ServerOptions,
} from '../../bench/support/openai-server.mjs';
