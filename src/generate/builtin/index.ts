export { createBuiltinGenerator } from './generator.js';
export { renderInitModule, renderScenarioModule, className } from './render.js';
export { usesBulk } from './entities.js';
