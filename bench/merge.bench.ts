import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mintToken } from '@crm/platform';
import { freePort, person, progress, waitReady, withTempDir } from './fixtures';
import { type BenchResult, round, upperBound } from './report';

const MAIN = join(__dirname, '../dist/apps/contacts/main.js');
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const ROUNDS = Number(process.env['BENCH_MERGE_ROUNDS'] ?? 300);
const WARMUP = 20;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summary(latencies: readonly number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50), 2),
    p99: round(percentile(sorted, 99), 2),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
  };
}

/**
 * Merge and undo latency against a rename on the same server: each round renames one party,
 * merges a second into a third (both with an email, a phone and a tag, so the survivor
 * takes on contact points and a tag), then undoes that merge. The three run back to back
 * in every round, one request at a time, so machine noise hits them alike. A merge reads
 * three streams and appends to two; an undo reads two and appends to two; a rename reads
 * one and appends to one.
 */
export async function mergeBench(): Promise<BenchResult[]> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx nx build contacts first`);
  return withTempDir('merge', async (dir) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${String(port)}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dir,
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      await waitReady(url, child);
      const bearer = async (role: 'rep' | 'admin') =>
        `Bearer ${await mintToken(SECRET, 'quick-sales-crm', {
          employeeId: 'bench',
          team: 'sales',
          roles: [role],
        })}`;
      const rep = await bearer('rep');
      const admin = await bearer('admin');
      const call = async (
        method: string,
        path: string,
        authorization: string,
        body: unknown,
        status: number,
      ): Promise<{ ms: number; json: Record<string, unknown> }> => {
        const start = performance.now();
        const response = await fetch(`${url}${path}`, {
          method,
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = (await response.json()) as Record<string, unknown>;
        const ms = performance.now() - start;
        if (response.status !== status) {
          throw new Error(
            `${method} ${path}: HTTP ${String(response.status)} ${JSON.stringify(json)}`,
          );
        }
        return { ms, json };
      };
      const register = async (n: number, variant: number, tag: string) => {
        const { name, email, phone } = person(n, variant);
        const body = {
          kind: 'person',
          relationship: 'b2c',
          name,
          primaryEmail: email,
          primaryPhone: phone,
          tags: [tag],
        };
        return String((await call('POST', '/contacts', rep, body, 201)).json['id']);
      };

      const total = WARMUP + ROUNDS;
      progress(`merge: registering ${String(3 * total)} parties`);
      const rounds: { renamed: string; survivor: string; absorbed: string }[] = [];
      for (let n = 0; n < total; n++) {
        rounds.push({
          renamed: await register(n, 0, 'renamed'),
          survivor: await register(n, 1, 'customer'),
          absorbed: await register(n, 2, 'newsletter'),
        });
      }
      progress(
        `merge: ${String(ROUNDS)} rounds of rename, merge, undo (after ${String(WARMUP)} warm-up)`,
      );
      const times = { rename: [] as number[], merge: [] as number[], undo: [] as number[] };
      for (const [i, { renamed, survivor, absorbed }] of rounds.entries()) {
        const rename = await call(
          'PUT',
          `/contacts/${renamed}/name`,
          rep,
          { name: `Renamed ${String(i)}` },
          200,
        );
        const merge = await call(
          'POST',
          '/merges',
          rep,
          { survivorId: survivor, absorbedIds: [absorbed] },
          201,
        );
        const mergeId = String(merge.json['mergeId']);
        const undo = await call(
          'POST',
          `/contacts/${survivor}/merges/${mergeId}/undo`,
          admin,
          {},
          200,
        );
        if (i < WARMUP) continue;
        times.rename.push(rename.ms);
        times.merge.push(merge.ms);
        times.undo.push(undo.ms);
      }
      const rename = summary(times.rename);
      const merge = summary(times.merge);
      const undo = summary(times.undo);
      const details = {
        rounds: ROUNDS,
        warmup: WARMUP,
        renameMs: rename,
        mergeMs: merge,
        undoMs: undo,
      };
      return [
        upperBound('merge.merge-vs-rename.p50', merge.p50 / rename.p50, 'ratio', 3, details),
        upperBound('merge.merge-vs-rename.p99', merge.p99 / rename.p99, 'ratio', 4, details),
        upperBound('merge.undo-vs-rename.p50', undo.p50 / rename.p50, 'ratio', 3, details),
        upperBound('merge.undo-vs-rename.p99', undo.p99 / rename.p99, 'ratio', 4, details),
      ];
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
}
