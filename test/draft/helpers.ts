import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleProject } from '../support/project.js';

export const SENTENCE = 'A tenant with three users, two roles and ten permission grants.';

/** The description-only scenario, with comments and spacing a re-serialization would lose. */
export const DESCRIBED = `# yaml-language-server: $schema=../schemas/scenario.schema.json
# Drafted from one sentence: this comment and the spacing below must survive.
description:   ${SENTENCE}    # the user's words
`;

const ENTITIES = (tenantName: string) => `entities:
  acme:
    model: Tenant
    values: { ${tenantName}: Grants Inc, plan: pro, created_on: 2024-05-01 }
  users:
    model: User
    count: 3
    values: { email: "member{n}@grants.test", tenant: "@acme" }
  roles:
    model: Role
    count: 2
    values: { name: { cycle: [admin, viewer] }, tenant: "@acme" }
  grants:
    model: PermissionGrant
    count: 10
    values: { user: "@users[i % 3]", role: "@roles[i // 5]", permission: "perm.{i}" }
expect:
  counts: { Tenant: 1, User: 3, Role: 2, PermissionGrant: 10 }
`;

export const GOOD_YAML = ENTITIES('name');
/** `nmae`: an attribute Tenant does not have. */
export const HALLUCINATED_YAML = ENTITIES('nmae');

export const yamlAnswer = (yaml: string): string =>
  `Here is the scenario.\n\n\`\`\`yaml\n${yaml}\`\`\`\n`;

/** The sample project with `scenarios/team_grants.yaml` holding only a description. */
export function describedProject(): string {
  const dir = sampleProject('fixturegen-draft-');
  writeFileSync(join(dir, 'scenarios', 'team_grants.yaml'), DESCRIBED);
  return dir;
}
