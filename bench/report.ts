import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One figure of the run. The value is a ratio against a raw baseline measured in the same
 * run, because absolute rates on a shared 2-core machine move too much to compare across
 * runs; the absolute rates behind it are kept in `details`.
 */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target: number | null;
  /** `min`: met when value >= target (ratios); `max`: met when value <= target (latencies). */
  readonly bound: 'min' | 'max';
  readonly met: boolean;
  readonly details: Readonly<Record<string, unknown>>;
}

export function result(
  name: string,
  value: number,
  target: number,
  details: Readonly<Record<string, unknown>>,
): BenchResult {
  return {
    name,
    value: round(value, 3),
    unit: 'ratio',
    target,
    bound: 'min',
    met: value >= target,
    details,
  };
}

/**
 * A figure with an upper bound (a latency): met when value <= target. A null target reports
 * the figure without judging it.
 */
export function upperBound(
  name: string,
  value: number,
  unit: string,
  target: number | null,
  details: Readonly<Record<string, unknown>>,
): BenchResult {
  return {
    name,
    value: round(value, 3),
    unit,
    target,
    bound: 'max',
    met: target === null || value <= target,
    details,
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function formatTable(results: readonly BenchResult[]): string {
  const header = ['name', 'value', 'unit', 'target', 'met'];
  const rows = results.map((r) => [
    r.name,
    r.value.toFixed(3),
    r.unit,
    r.target === null ? '-' : `${r.bound === 'min' ? '>=' : '<='} ${r.target}`,
    r.target === null ? '-' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Writes the results next to earlier runs (bench/results is git-ignored) and returns the path. */
export function writeResults(results: readonly BenchResult[], now = new Date()): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${now.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
