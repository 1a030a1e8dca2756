import type { IndexExpr } from './types.js';

/** The value of an index expression for instance `i`. */
export function evalIndex(index: IndexExpr, i: number): number {
  switch (index.kind) {
    case 'const':
      return index.value;
    case 'i':
      return i;
    case 'mod':
      return i % index.k;
    case 'div':
      return Math.floor(i / index.k);
  }
}
