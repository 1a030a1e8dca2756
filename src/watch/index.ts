export {
  createScheduler,
  DEFAULT_BURST_DEBOUNCE_MS,
  DEFAULT_BURST_SIZE,
  DEFAULT_DEBOUNCE_MS,
  DEFAULT_MAX_WAIT_MS,
  type Scheduler,
  type SchedulerOptions,
  type SchedulerStats,
} from './scheduler.js';
export {
  affectedByChanges,
  affectedBySliceChange,
  buildGraph,
  collapseEvents,
  withExtenders,
  type ChangeEvent,
  type ChangeImpact,
  type ChangeKind,
  type ScenarioGraph,
  type ScenarioNode,
  type WatchInputs,
} from './graph.js';
export { defaultIgnore, startWatching, type Watcher, type WatchOptions } from './watcher.js';
export { transition } from './core.js';
export type { Action, Fact, Run, RunSummary, Step, WatchState } from './core-types.js';
export {
  startWatchSession,
  WATCH_DEBOUNCE_MS,
  type RunReport,
  type WatchSession,
  type WatchSessionOptions,
} from './session.js';
