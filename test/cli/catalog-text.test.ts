/** The text of `fixturegen catalog`: unique constraints, one-to-one and view-only relationships,
 * and columns whose type takes other values than it stores. */
import { expect, test } from 'vitest';
import { catalogLines } from '../../src/cli/catalog-text.js';
import { catalog, column, idColumn, model, relationship } from '../support/catalog-builders.js';

test('shows uniques, one-to-one and view-only relationships, and resolved types', () => {
  const lines = catalogLines(
    catalog([
      model('app.models.Tenant', {
        columns: [
          idColumn(),
          column('slug', { nullable: false, length: 40 }),
          column('region', { nullable: false }),
          column('name', { nullable: false }),
          column('token', {
            type: 'GUID',
            family: 'uuid',
            storedAs: 'BINARY(16)',
            familyFrom: 'library',
          }),
        ],
        uniques: [['id'], ['slug'], ['name', 'region']],
        relationships: [
          relationship('profile', 'app.models.Profile', 'ONETOMANY', { uselist: false }),
          relationship('active_users', 'app.models.User', 'ONETOMANY', { viewonly: true }),
          relationship('users', 'app.models.User', 'ONETOMANY'),
        ],
      }),
    ]),
  );
  const at = (key: string) => lines.find((l) => l.startsWith(`  ${key} `)) ?? '';
  expect(at('slug')).toMatch(/String\(40\)\s+not null, unique$/);
  expect(at('name')).not.toContain('unique');
  expect(at('id')).toMatch(/pk, autoincrement, not null$/);
  expect(at('token')).toMatch(/GUID as uuid\s+nullable$/);
  expect(at('profile')).toMatch(/ONETOMANY\s+→ app\.models\.Profile {2}\(one-to-one\)$/);
  expect(at('active_users')).toMatch(/→ app\.models\.User {2}\(view-only\)$/);
  expect(at('users')).toMatch(/→ app\.models\.User$/);
  expect(lines).toContain('  unique (name, region)');
  expect(lines.filter((l) => l.startsWith('  unique ('))).toHaveLength(1);
});
