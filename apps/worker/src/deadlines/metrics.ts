/**
 * What the deadline watcher counts about itself: the counters of raises, skips, reschedules, ticks and
 * failures, and the two lag series the benchmark reads (tick job start lag, raise lag).
 *
 * One object shared by the scheduler (ticks, reschedules, failed entries, re-created entries, start lag)
 * and the process manager (raises, skips, raise lag), so that the facade exposes a single set of figures
 * for the tests, the bench and the worker's /metrics endpoint (index.ts) whichever part moved them.
 */

/** Raised by this worker (tests, metrics). `reconciledJobs`: schedule entries the reconciler re-created. */
export interface DeadlineCounters {
  raisedDueSoon: number;
  raisedMissed: number;
  skipped: number;
  rescheduled: number;
  reconciledJobs: number;
  ticks: number;
  failedEntries: number;
}

/** Samples kept per lag series: the oldest are dropped beyond this. */
const LAG_SAMPLES = 100_000;

export class DeadlineMetrics {
  readonly counters: DeadlineCounters = { raisedDueSoon: 0, raisedMissed: 0, skipped: 0, rescheduled: 0, reconciledJobs: 0, ticks: 0, failedEntries: 0 };
  /** How late tick jobs started after their boundary (ms), newest last, at most 100,000 kept (bench). */
  readonly startLag: number[] = [];
  /** How late alerts were raised after their due instant (ms), newest last, at most 100,000 kept (bench). */
  readonly raiseLag: number[] = [];

  /** A job started `ms` after its instant. */
  recordStart(ms: number): void {
    push(this.startLag, ms);
  }

  /** An alert was raised `ms` after its due instant. */
  recordRaise(ms: number): void {
    push(this.raiseLag, ms);
  }
}

function push(series: number[], ms: number): void {
  if (series.length >= LAG_SAMPLES) series.shift();
  series.push(ms);
}
