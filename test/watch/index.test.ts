import { expect, it } from 'vitest';
import * as watch from '../../src/watch/index.js';

it('re-exports the watch API', () => {
  expect(Object.keys(watch).sort()).toEqual([
    'DEFAULT_BURST_DEBOUNCE_MS',
    'DEFAULT_BURST_SIZE',
    'DEFAULT_DEBOUNCE_MS',
    'DEFAULT_MAX_WAIT_MS',
    'WATCH_DEBOUNCE_MS',
    'affectedByChanges',
    'affectedBySliceChange',
    'buildGraph',
    'collapseEvents',
    'createScheduler',
    'defaultIgnore',
    'startWatchSession',
    'startWatching',
    'transition',
    'withExtenders',
  ]);
});
