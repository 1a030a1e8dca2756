import { describe, expect, it } from 'vitest';
import { topLevelBindings } from '../../src/generate/llm/edge-block.js';

describe('topLevelBindings (what an appended edge-case block may collide with)', () => {
  it('reads imports, aliases, parenthesized and continued from-imports, definitions and assignments', () => {
    const code = [
      'import datetime',
      'import decimal as dec, uuid',
      'import os.path',
      'from clubs.models import (',
      '    Club,',
      '    Tier as T,  # comment',
      ')',
      'from pytest import \\',
      '    fixture',
      'EDGE_CASES = {}',
      'count: int = 1',
      'async def chess_club_edge_cases(request):',
      '    inner = 1',
      'class ChessClub:',
      '    pass',
    ].join('\n');
    const b = topLevelBindings(code);
    expect(b.get('datetime')).toEqual({ kind: 'module', module: 'datetime', line: 1 });
    expect(b.get('dec')).toEqual({ kind: 'module', module: 'decimal', line: 2 });
    expect(b.get('uuid')).toEqual({ kind: 'module', module: 'uuid', line: 2 });
    expect(b.get('decimal')).toBeUndefined();
    expect(b.get('os')).toEqual({ kind: 'module', module: 'os', line: 3 });
    expect(b.get('Club')).toEqual({ kind: 'from', module: 'clubs.models', name: 'Club', line: 4 });
    expect(b.get('T')).toEqual({ kind: 'from', module: 'clubs.models', name: 'Tier', line: 4 });
    expect(b.get('Tier')).toBeUndefined();
    expect(b.get('fixture')).toEqual({ kind: 'from', module: 'pytest', name: 'fixture', line: 8 });
    expect(b.get('EDGE_CASES')).toEqual({ kind: 'other', line: 10 });
    expect(b.get('count')).toEqual({ kind: 'other', line: 11 });
    expect(b.get('chess_club_edge_cases')).toEqual({ kind: 'other', line: 12 });
    expect(b.get('ChessClub')).toEqual({ kind: 'other', line: 14 });
    expect(b.get('inner')).toBeUndefined();
  });
});
