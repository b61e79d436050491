import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RelayCheckpointStore } from './relay-checkpoint-store';

type Checkpoints = Record<string, number>;

/**
 * Checkpoints in one small JSON file, for embedded mode and tests. Every save writes a
 * temporary file, fsyncs it, renames it over the old one and fsyncs the folder, so after
 * a crash the file holds either the old or the new positions, never a torn mix.
 */
export class FileRelayCheckpointStore implements RelayCheckpointStore {
  private cache: Checkpoints | null = null;
  /** Saves run one after another: two renames racing could put an older state last. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async load(relay: string): Promise<number> {
    const all = await this.read();
    return all[relay] ?? 0;
  }

  save(relay: string, position: number): Promise<void> {
    const next = this.queue.then(async () => {
      const all = { ...(await this.read()), [relay]: position };
      await this.write(all);
      this.cache = all;
    });
    // A failed save must not poison the ones after it; the caller sees its own failure.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<Checkpoints> {
    if (this.cache) return this.cache;
    try {
      this.cache = JSON.parse(await readFile(this.file, 'utf8')) as Checkpoints;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.cache = {};
    }
    return this.cache;
  }

  private async write(all: Checkpoints): Promise<void> {
    const folder = dirname(this.file);
    await mkdir(folder, { recursive: true });
    const temp = join(folder, `.${basename(this.file)}.${String(process.pid)}.tmp`);
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(all));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
    const dir = await open(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
