import { join } from 'node:path';
import { TEMPLATES_DIR, templatesHash } from '../templates.js';
import type { Generator } from '../types.js';
import { renderScenarioModule } from './render.js';

export function createBuiltinGenerator(): Generator {
  let fingerprint: string | null = null;
  return {
    id: 'builtin',
    fingerprint() {
      fingerprint ??= `builtin:${templatesHash(join(TEMPLATES_DIR, 'builtin'))}`;
      return fingerprint;
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- rendering is synchronous; async turns its throws into rejections as the interface promises
    async generate(plan, ctx) {
      const body = renderScenarioModule(plan, {
        catalog: ctx.catalog,
        root: ctx.config.root,
        packageName: ctx.packageName,
        sessionFixture: ctx.config.session_fixture ?? 'db_session',
        plans: ctx.plans,
        async: ctx.config.async,
        constraintTests: ctx.config.constraint_tests !== false,
      });
      return { ok: true, body };
    },
  };
}
