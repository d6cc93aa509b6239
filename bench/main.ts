/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named), writes
 * bench/results/<name>.json for each and regenerates docs/benchmarks.md from all results.
 * Exit code 1 when a benchmark crashed; unmet targets are reported, not fatal.
 */
import { SingleBar, Presets } from 'cli-progress';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { registeredBenchmarks, type BenchContext } from './registry';
import { machineInfo, writeMarkdown, writeResult, formatNumber } from './report';

/** Repository root: this file runs as dist/bench/main.js (or bench/main.ts under ts-node). */
const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

function loadBenchmarks(): void {
  for (const f of readdirSync(__dirname).sort()) {
    // Each benchmark file registers itself when loaded; which files exist is known only at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (/\.bench\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')) require(path.join(__dirname, f));
  }
}

function context(scale: number): BenchContext {
  return {
    scale,
    size: (n, min = 1) => Math.max(min, Math.round(n * scale)),
    log: (m) => process.stderr.write(`  ${m}\n`),
    progress(label, total) {
      const bar = new SingleBar(
        { format: `  ${label.padEnd(44)} [{bar}] {value}/{total} {duration_formatted}`, hideCursor: true, clearOnComplete: false },
        Presets.shades_classic,
      );
      const tty = process.stderr.isTTY;
      const t0 = Date.now();
      let count = 0;
      if (tty) bar.start(total, 0);
      return {
        tick: (n = 1) => {
          count += n;
          if (!tty) return;
          if (count > total) bar.setTotal(count); // total unknown in advance (0)
          bar.increment(n);
        },
        done: () => {
          if (tty) bar.stop();
          else process.stderr.write(`  ${label}: ${count} in ${Date.now() - t0} ms\n`);
        },
      };
    },
  };
}

async function main(): Promise<number> {
  loadBenchmarks();
  const all = registeredBenchmarks();
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !all.some((b) => b.name === w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${all.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = wanted.length ? all.filter((b) => wanted.includes(b.name)) : all;
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  if (!(scale > 0)) {
    console.error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
    return 2;
  }
  let failed = 0;
  for (const b of selected) {
    process.stderr.write(`== ${b.name}\n`);
    const t0 = Date.now();
    try {
      const r = await b.run(context(scale));
      const durationMs = Date.now() - t0;
      const file = writeResult(ROOT, {
        benchmark: b.name,
        description: b.description,
        machine: machineInfo(ROOT),
        scale,
        durationMs,
        allTargetsMet: r.figures.every((f) => f.met !== false),
        ...r,
      });
      for (const f of r.figures) {
        const vs = f.baseline ? `  vs ${formatNumber(f.baseline.value)} ${f.baseline.name}: ${formatNumber(f.ratio ?? 0)} ×` : '';
        const t = f.met === undefined ? '' : f.met ? '  target met' : `  TARGET MISSED (${f.target?.text})`;
        console.log(`${b.name}  ${f.group ? f.group + ': ' : ''}${f.name}: ${formatNumber(f.value)} ${f.unit}${vs}${t}`);
      }
      process.stderr.write(`  wrote ${path.relative(ROOT, file)} (${Math.round(durationMs / 1000)} s)\n`);
    } catch (e) {
      failed++;
      console.error(`benchmark ${b.name} failed: ${(e as Error).stack ?? e}`);
    }
  }
  const md = writeMarkdown(ROOT);
  process.stderr.write(`wrote ${path.relative(ROOT, md)}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
