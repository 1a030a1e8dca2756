import { yaml } from './helpers.js';

/** The example of docs/scenario-format.md, verbatim. */
export const FORMAT_EXAMPLE = yaml`
  # yaml-language-server: $schema=../schemas/scenario.schema.json
  description: A tenant with three users, two roles and ten permission grants.
  entities:
    acme:
      model: Tenant
      values:
        name: Acme Corp
    users:
      model: User
      count: 3
      values:
        email: "user{n}@acme.test"        # {n} = i + 1
        tenant: "@acme"                   # reference; could be left out (auto-link, below)
    roles:
      model: Role
      count: 2
      values:
        name: { cycle: [admin, viewer] }
        tenant: "@acme"
    grants:
      model: PermissionGrant
      count: 10
      values:
        user: "@users[i % 3]"
        role: "@roles[i // 5]"
        permission: "perm.{i}"
`;
