import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventMetadata } from '@crm/events';

export { freePort } from '@crm/platform/testing';

/** Runs `body` with a fresh temp directory that is removed afterwards, even on failure. */
export async function withTempDir<T>(
  prefix: string,
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `crm-bench-${prefix}-`));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds since `start` (from `process.hrtime.bigint()`). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Progress goes to stderr so stdout stays the table and the results path. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const TEAMS = ['sales', 'key-accounts', 'inside-sales', null] as const;

/**
 * Metadata shaped like what the command handler writes: ISO timestamps, a correlation id
 * per request, a causation id on follow-up events, an employee and their team.
 */
export function metadata(n: number, at: Date, causationId: string | null = null): EventMetadata {
  const time = at.toISOString();
  return {
    happenedAt: time,
    recordedAt: time,
    correlationId: randomUUID(),
    causationId,
    actorId: `employee-${(n % 40) + 1}`,
    actorTeam: TEAMS[n % TEAMS.length] ?? null,
  };
}

const FIRST = ['Zoë', 'Liam', 'Ana', 'Jörg', 'Mei', 'Omar', 'Chloé', 'Ivan', 'Sara', 'Kwame'];
const LAST = ['Müller', 'García', 'Nakamura', 'Okafor', 'Novak', 'Smith', 'Rossi', 'Dubois'];

/** Personal fields of the n-th contact, varied enough that JSON sizes look real. */
export function person(n: number, variant = 0): { name: string; email: string; phone: string } {
  const first = FIRST[(n + variant) % FIRST.length] ?? 'Ana';
  const last = LAST[(n * 7 + variant) % LAST.length] ?? 'Smith';
  return {
    name: `${first} ${last}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${n}@example-${n % 97}.com`,
    // E.164 without spaces: the contracts' phone pattern.
    phone: `+4930${String(1_000_000 + ((n * 7919 + variant * 104_729) % 9_000_000))}`,
  };
}

/** Waits until a service process started by a figure answers its readiness probe. */
export async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`contacts exited with ${String(child.exitCode)}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('contacts did not become ready within 20 s');
}
