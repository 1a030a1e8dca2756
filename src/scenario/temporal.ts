/**
 * Dates, datetimes and times from their ISO 8601 text. A naive DateTime column gets UTC wall time
 * (an offset in the text is applied); an aware column keeps the offset (naive text means UTC).
 */
import { civilFromDays, daysFromCivil, isValidDate, pad } from '../plan/calendar.js';
import { bad, type Column, type Conversion } from './conversion.js';

export function toDate(text: string, col: Column): Conversion {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  const hint = 'write the date as YYYY-MM-DD, e.g. 2024-05-01';
  if (!m) return bad(`${JSON.stringify(text)} is not a date (${col.key} needs YYYY-MM-DD)`, hint);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isValidDate(y, mo, d)) return bad(`${text} is not a day of the calendar`, hint);
  return { ok: true, value: { kind: 'date', year: y, month: mo, day: d } };
}

const DATETIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,6}))?)?\s*(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$/;

export function toDateTime(text: string, col: Column): Conversion {
  const m = DATETIME.exec(text);
  const hint = 'write ISO 8601, e.g. 2024-05-01T09:30:00 or 2024-05-01T09:30:00+02:00';
  if (!m) return bad(`${JSON.stringify(text)} is not an ISO 8601 date and time`, hint);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  const us = Number((m[7] ?? '').padEnd(6, '0'));
  if (!isValidDate(y, mo, d) || h > 23 || mi > 59 || s > 59) {
    return bad(`${text} is not a valid date and time`, hint);
  }
  let offset: number | null = null;
  if (m[8] !== undefined) {
    const z = m[8];
    if (z === 'Z' || z === 'z') offset = 0;
    else {
      const om = /^([+-])([0-9]{2}):?([0-9]{2})?$/.exec(z)!;
      const abs = Number(om[2]) * 60 + Number(om[3] ?? 0);
      if (Number(om[2]) > 23 || Number(om[3] ?? 0) > 59)
        return bad(`${z} is not a UTC offset`, hint);
      offset = om[1] === '-' ? -abs : abs;
    }
  }
  // A naive column stores UTC wall time; an aware column keeps the offset (naive text means UTC).
  let minutes = daysFromCivil(y, mo, d) * 1440 + h * 60 + mi;
  let keep: number | null;
  if (col.timezone) keep = offset ?? 0;
  else {
    if (offset !== null) minutes -= offset;
    keep = null;
  }
  const days = Math.floor(minutes / 1440);
  const rest = minutes - days * 1440;
  const c = civilFromDays(days);
  if (c.year < 1 || c.year > 9999) return bad(`${text} is outside the years 1..9999`, hint);
  const parts = [c.year, c.month, c.day, Math.floor(rest / 60), rest % 60, s, us];
  let iso = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(parts[3]!)}:${pad(parts[4]!)}:${pad(s)}`;
  if (us !== 0) iso += `.${pad(us, 6)}`;
  if (keep !== null) {
    const sign = keep < 0 ? '-' : '+';
    iso += `${sign}${pad(Math.floor(Math.abs(keep) / 60))}:${pad(Math.abs(keep) % 60)}`;
  }
  return { ok: true, value: { kind: 'datetime', iso, parts, offsetMinutes: keep } };
}

export function toTime(text: string, col: Column): Conversion {
  const m = /^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?$/.exec(text);
  const hint = 'write HH:MM or HH:MM:SS, e.g. 09:30';
  if (!m) return bad(`${JSON.stringify(text)} is not a time of day (${col.key})`, hint);
  const parts = [
    Number(m[1]),
    Number(m[2]),
    Number(m[3] ?? 0),
    Number((m[4] ?? '').padEnd(6, '0')),
  ];
  if (parts[0]! > 23 || parts[1]! > 59 || parts[2]! > 59)
    return bad(`${text} is not a valid time`, hint);
  return { ok: true, value: { kind: 'time', parts } };
}
