/**
 * Benchmark registry. A benchmark is one file `bench/<name>.bench.ts` that calls
 * `registerBenchmark({ name, run })`; bench/main.ts loads every such file, so adding one is that
 * single call. `run` returns figures; the harness writes bench/results/<name>.json and
 * regenerates docs/benchmarks.md.
 */

/** One measured figure, optionally beside a baseline measured in the same run. */
export interface Figure {
  /** Table group, e.g. the engine (`sqlite`, `postgres`). */
  group?: string;
  name: string;
  unit: string;
  value: number;
  baseline?: { name: string; value: number };
  /** value / baseline.value (or the figure's own ratio when the target is on another figure). */
  ratio?: number;
  /** Minimum ratio required, and its wording for the table (e.g. `≥ 50 % of raw`). */
  target?: { minRatio: number; text: string };
  met?: boolean;
}

export interface BenchContext {
  /** Multiplier of the default sizes (env BENCH_SCALE, default 1). */
  scale: number;
  /** Size scaled and rounded, at least `min`. */
  size(defaultSize: number, min?: number): number;
  /** A progress bar for one phase; call `tick(n)` as work completes and `done()` at the end. */
  progress(label: string, total: number): { tick(n?: number): void; done(): void };
  log(message: string): void;
}

export interface BenchResult {
  figures: Figure[];
  /** Free text shown under the table: sizes, what exactly was measured. */
  notes?: string[];
  /** Anything else worth keeping in the JSON (sizes, settings). */
  parameters?: Record<string, unknown>;
}

export interface Benchmark {
  name: string;
  description?: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

const benchmarks = new Map<string, Benchmark>();

export function registerBenchmark(b: Benchmark): void {
  if (benchmarks.has(b.name)) throw new Error(`benchmark ${b.name} registered twice`);
  benchmarks.set(b.name, b);
}

export function registeredBenchmarks(): Benchmark[] {
  return [...benchmarks.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A figure compared with its baseline: ratio = value / baseline, met when ratio ≥ minRatio. */
export function compared(
  f: { group?: string; name: string; unit: string; value: number },
  baseline: { name: string; value: number },
  minRatio?: number,
  targetText?: string,
): Figure {
  const ratio = baseline.value > 0 ? f.value / baseline.value : 0;
  const fig: Figure = { ...f, baseline, ratio };
  if (minRatio !== undefined) {
    fig.target = { minRatio, text: targetText ?? `≥ ${Math.round(minRatio * 100)} % of baseline` };
    fig.met = ratio >= minRatio;
  }
  return fig;
}

/** Operations per second of `count` operations taking `ms` milliseconds. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

/** Runs `fn` and returns its wall-clock time in milliseconds. */
export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
