import { describe, expect, test } from 'vitest';
import type { PyLiteral } from '../../src/plan/types.js';
import { convertLiteral } from '../../src/scenario/convert.js';
import { column, pythonEnum, type ColumnSpec } from '../support/catalog-builders.js';

function conv(value: unknown, spec: ColumnSpec, source: string | null = null): PyLiteral | string {
  const r = convertLiteral({ value, source }, column('c', spec));
  return r.ok ? r.value : `${r.code}: ${r.message}`;
}

describe('literal conversion by column type', () => {
  test('integers keep every digit, check the type range and refuse strings and floats', () => {
    expect(conv(42, { type: 'Integer' }, '42')).toEqual({ kind: 'int', value: '42' });
    expect(conv(31, { type: 'Integer' }, '0x1F')).toEqual({ kind: 'int', value: '31' });
    expect(
      conv(Number('12345678901234567890'), { type: 'Numeric' }, '12345678901234567890'),
    ).toEqual({
      kind: 'decimal',
      value: '12345678901234567890',
    });
    expect(
      conv(Number('9223372036854775807'), { type: 'BigInteger' }, '9223372036854775807'),
    ).toEqual({
      kind: 'int',
      value: '9223372036854775807',
    });
    expect(conv(40000, { type: 'SmallInteger' }, '40000')).toMatch(/^FG204: 40000 is out of range/);
    expect(conv(1.5, { type: 'Integer' }, '1.5')).toMatch(/^FG204/);
    expect(conv('42', { type: 'Integer' })).toMatch(/^FG204/);
    expect(conv(true, { type: 'Integer' })).toMatch(/^FG204/);
  });

  test('interpolated text converts like a literal written as its result', () => {
    const r = convertLiteral(
      { value: '007', source: null, interpolated: true },
      column('c', { type: 'Integer' }),
    );
    expect(r).toEqual({ ok: true, value: { kind: 'int', value: '7' } });
  });

  test('floats', () => {
    expect(conv(1.5, { type: 'Float' }, '1.5')).toEqual({ kind: 'float', value: '1.5' });
    expect(conv(2, { type: 'Float' }, '2')).toEqual({ kind: 'float', value: '2.0' });
    expect(conv(Infinity, { type: 'Float' }, '.inf')).toMatch(/^FG204/);
  });

  test('Numeric is exact: the written digits, never through a float', () => {
    expect(conv(1234.5, { type: 'Numeric' }, '1234.50')).toEqual({
      kind: 'decimal',
      value: '1234.50',
    });
    expect(conv(0.1, { type: 'Numeric' }, '0.1')).toEqual({ kind: 'decimal', value: '0.1' });
    expect(conv('125000.50', { type: 'Numeric', precision: 12, scale: 2 })).toEqual({
      kind: 'decimal',
      value: '125000.50',
    });
    expect(conv('1.234', { type: 'Numeric', precision: 10, scale: 2 })).toMatch(
      /^FG204: 1.234 has 3 decimal places/,
    );
    expect(conv('1.230', { type: 'Numeric', precision: 10, scale: 2 })).toEqual({
      kind: 'decimal',
      value: '1.230',
    });
    expect(conv('123456789', { type: 'Numeric', precision: 10, scale: 2 })).toMatch(/too large/);
    expect(conv('abc', { type: 'Numeric' })).toMatch(/^FG204/);
  });

  test('booleans', () => {
    expect(conv(true, { type: 'Boolean' })).toEqual({ kind: 'bool', value: true });
    expect(conv('true', { type: 'Boolean' })).toMatch(/^FG204/);
  });

  test('strings are checked against their length, in characters', () => {
    expect(conv('héllo', { type: 'String', length: 5 })).toEqual({ kind: 'str', value: 'héllo' });
    expect(conv('toolong', { type: 'String', length: 3 })).toMatch(/^FG205/);
    expect(conv(1234, { type: 'String' }, '01234')).toMatch(/^FG204/);
  });

  test('dates', () => {
    expect(conv('2024-05-01', { type: 'Date' })).toEqual({
      kind: 'date',
      year: 2024,
      month: 5,
      day: 1,
    });
    expect(conv('2024-02-30', { type: 'Date' })).toMatch(/^FG204/);
    expect(conv('2024-5-1', { type: 'Date' })).toMatch(/^FG204/);
  });

  test('datetimes keep the offset only on timezone-aware columns', () => {
    expect(conv('2024-05-01T09:30:00+02:00', { type: 'DateTime', timezone: true })).toEqual({
      kind: 'datetime',
      iso: '2024-05-01T09:30:00+02:00',
      parts: [2024, 5, 1, 9, 30, 0, 0],
      offsetMinutes: 120,
    });
    // A naive column gets the UTC wall time.
    expect(conv('2024-05-01T01:30:00+02:00', { type: 'DateTime' })).toEqual({
      kind: 'datetime',
      iso: '2024-04-30T23:30:00',
      parts: [2024, 4, 30, 23, 30, 0, 0],
      offsetMinutes: null,
    });
    // Naive text on an aware column means UTC.
    expect(conv('2024-05-01 09:30:15.25', { type: 'DateTime', timezone: true })).toEqual({
      kind: 'datetime',
      iso: '2024-05-01T09:30:15.250000+00:00',
      parts: [2024, 5, 1, 9, 30, 15, 250000],
      offsetMinutes: 0,
    });
    expect(conv('2024-05-01Z', { type: 'DateTime' })).toMatch(/^FG204/);
    expect(conv('2024-05-01T25:00', { type: 'DateTime' })).toMatch(/^FG204/);
  });

  test('times, intervals', () => {
    expect(conv('09:30', { type: 'Time' })).toEqual({ kind: 'time', parts: [9, 30, 0, 0] });
    expect(conv('23:59:59.5', { type: 'Time' })).toEqual({
      kind: 'time',
      parts: [23, 59, 59, 500000],
    });
    expect(conv('24:00', { type: 'Time' })).toMatch(/^FG204/);
    expect(conv(90.5, { type: 'Interval' }, '90.50')).toEqual({
      kind: 'interval',
      seconds: '90.50',
    });
    expect(conv('1 hour', { type: 'Interval' })).toMatch(/^FG204/);
  });

  test('enums by member name or value; plain string enums by stored value', () => {
    const py = pythonEnum('crm.models', 'Status', [
      ['ACTIVE', 'active'],
      ['GONE', 'gone'],
    ]);
    const member = {
      kind: 'enum',
      enumModule: 'crm.models',
      enumClass: 'Status',
      member: 'ACTIVE',
    };
    expect(conv('ACTIVE', { type: 'Enum', enum: py })).toEqual(member);
    expect(conv('active', { type: 'Enum', enum: py })).toEqual(member);
    expect(conv('ACTIV', { type: 'Enum', enum: py })).toMatch(
      /^FG206: "ACTIV" is not a member of Status: ACTIVE, GONE \(values active, gone\)/,
    );
    const plain = { stored: ['low', 'high'], pythonEnum: null };
    expect(conv('low', { type: 'Enum', enum: plain })).toEqual({
      kind: 'enum',
      enumModule: null,
      enumClass: null,
      member: 'low',
    });
    expect(conv('mid', { type: 'Enum', enum: plain })).toMatch(/^FG206/);
  });

  test('UUIDs are canonical and lower-cased', () => {
    expect(conv('123E4567-E89B-12D3-A456-426614174000', { type: 'Uuid' })).toEqual({
      kind: 'uuid',
      value: '123e4567-e89b-12d3-a456-426614174000',
    });
    expect(conv('123e4567e89b12d3a456426614174000', { type: 'Uuid' })).toMatch(/^FG204/);
  });

  test('JSON takes any YAML; binary takes text; arrays convert their items', () => {
    expect(conv({ a: [1, 'x', null] }, { type: 'JSON' })).toEqual({
      kind: 'json',
      value: { a: [1, 'x', null] },
    });
    expect(conv('text', { type: 'JSON' })).toEqual({ kind: 'json', value: 'text' });
    expect(conv('héllo', { type: 'LargeBinary' })).toEqual({ kind: 'bytes', value: 'héllo' });
    expect(conv(['a', 'b'], { type: 'ARRAY', itemFamily: 'string' })).toEqual({
      kind: 'list',
      items: [
        { kind: 'str', value: 'a' },
        { kind: 'str', value: 'b' },
      ],
    });
    expect(conv([1], { type: 'ARRAY', itemFamily: 'string' })).toMatch(/^FG204: c\[0\]/);
    expect(conv({ a: 1 }, { type: 'String' })).toMatch(/^FG218/);
  });
});
