import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { CloudEvent } from '@crm/events';
import type { ProcessedRevisions } from '../src/consumer/processed-revisions';

/**
 * A durable read model in one append-only file: each line is an applied effect and its
 * revision at once (one write, as a database transaction would hold both), so a process
 * killed at any point leaves effects and processed revisions consistent.
 */
export class FileEffects implements ProcessedRevisions {
  private readonly revisions = new Map<string, number>();

  constructor(private readonly file: string) {
    for (const [stream, list] of Object.entries(FileEffects.read(file))) {
      this.revisions.set(stream, Math.max(...list));
    }
  }

  apply(event: CloudEvent): void {
    appendFileSync(this.file, `${event.subject} ${String(event.streamrevision)}\n`);
  }

  lastApplied(streamId: string): Promise<number> {
    return Promise.resolve(this.revisions.get(streamId) ?? -1);
  }

  markApplied(streamId: string, revision: number): Promise<void> {
    this.revisions.set(streamId, revision);
    return Promise.resolve();
  }

  /** Applied revisions per stream, in the order they were applied. */
  static read(file: string): Record<string, number[]> {
    const applied: Record<string, number[]> = {};
    if (!existsSync(file)) return applied;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [stream, revision] = line.split(' ');
      if (stream && revision) (applied[stream] ??= []).push(Number(revision));
    }
    return applied;
  }

  static count(file: string): number {
    return Object.values(FileEffects.read(file)).reduce((sum, list) => sum + list.length, 0);
  }
}
