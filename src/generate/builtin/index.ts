export { createBuiltinGenerator } from './generator.js';
export { renderInitModule, renderScenarioModule, className } from './render.js';
export { bulkLabels, usesBulk } from './entities.js';
