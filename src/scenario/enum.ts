/** Enum literals: a Python enum's members, or the stored strings of a plain string enum. */
import { didYouMean } from '../diagnostics/suggest.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { bad, show, type Column, type Conversion } from './conversion.js';

/** Enum member by name, then by value; a plain string enum by its stored strings. */
export function toEnum(value: unknown, col: Column): Conversion {
  const info = col.enum;
  const py = info?.pythonEnum ?? null;
  if (py !== null) {
    const byName = py.members.find((m) => m.name === value);
    const byValue =
      byName ??
      py.members.find(
        (m) =>
          m.value === value ||
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- catalog values are JSON scalars here
          (typeof m.value !== 'object' && String(m.value) === String(value)),
      );
    if (byValue && (typeof value === 'string' || typeof value === 'number')) {
      return {
        ok: true,
        value: {
          kind: 'enum',
          enumModule: py.module,
          enumClass: py.name,
          member: byValue.name,
          ...(py.asValue ? { asValue: true } : {}),
        },
      };
    }
    const names = py.members.map((m) => m.name);
    const values = py.members.map((m) => String(m.value)).filter((v) => !names.includes(v));
    const all =
      values.length > 0 ? `${names.join(', ')} (values ${values.join(', ')})` : names.join(', ');
    return bad(
      `${show(value)} is not a member of ${py.name}: ${all}`,
      didYouMean(String(value), [...names, ...values]) ??
        `write a member name, e.g. ${col.key}: ${names[0] ?? ''}`,
      Codes.notEnumMember,
    );
  }
  const stored = info?.stored ?? [];
  if (typeof value === 'string' && stored.includes(value)) {
    return { ok: true, value: { kind: 'enum', enumModule: null, enumClass: null, member: value } };
  }
  return bad(
    `${show(value)} is not one of ${col.key}'s values: ${stored.join(', ')}`,
    didYouMean(String(value), stored) ?? `write one of them, e.g. ${col.key}: ${stored[0] ?? ''}`,
    Codes.notEnumMember,
  );
}
