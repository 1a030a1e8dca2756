export { compileScenarios, isDescriptionOnly } from './compile.js';
export { fileStem } from './entry.js';
export type {
  CompileOptions,
  CompileResult,
  CompileStep,
  ScenarioFailure,
  ScenarioInput,
} from './compile.js';
export { CompileCache } from './compile-cache.js';
export { loadScenario } from './load.js';
export { checkSchema, scenarioValidator } from './schema.js';
export { modelPathsOf, scenarioModelPaths } from './model-paths.js';
export { Codes } from '../diagnostics/scenario-codes.js';
export type { Code } from '../diagnostics/scenario-codes.js';
export type { Path, RawEntity, RawScenario, ScenarioSource } from './types.js';
