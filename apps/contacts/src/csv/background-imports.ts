import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type CommandContext, type EventStore, ProblemError } from '@crm/events';
import {
  EVENT_STORE,
  isProjectionThread,
  PayloadTooLarge,
  SERVICE_CONFIG,
  type ServiceConfig,
  ServiceUnavailable,
} from '@crm/platform';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ContactImporter } from './contact-importer';
import { decodeCsv } from './csv-reader';
import { importStreamId } from './import';
import { ImportLogs } from './import-log';
import { ImportInterrupted, UploadInterrupted } from './import.errors';
import type { Importer } from './row.decider';

const IMPORT_FILE = /^([0-9a-f-]{36})\.csv$/;

/** Whether the process `pid` of this host still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Imports that run after the response (`Prefer: respond-async`). The upload is written to
 * the data directory first, at the speed of the disk, so no request waits on rows being
 * imported (a synchronous import is bounded by the server's request timeout); then the rows
 * are imported from that file. Each process spools into a directory of its own
 * (`import-spool/<host>-<pid>`), so replicas sharing a data directory leave each other's
 * imports alone.
 *
 * A service that stops stops its imports at the next chunk and records them failed
 * (`import-interrupted`); one that crashed leaves its files behind, and the next process on
 * the host records those imports failed when it starts. The remedy is to import the file
 * again: rows already imported come out unchanged.
 */
@Injectable()
export class BackgroundImports implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BackgroundImports');
  private readonly root: string;
  private readonly dir: string;
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly importer: ContactImporter,
    private readonly logs: ImportLogs,
  ) {
    this.root = join(config.serviceDataDir, 'import-spool');
    this.dir = join(this.root, `${hostname()}-${process.pid}`);
  }

  /** Writes the upload to a file of this process; resolves with its path. */
  async spool(body: AsyncIterable<Buffer>, limitBytes: number): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `upload-${randomUUID()}.part`);
    let bytes = 0;
    const counted = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        bytes += chunk.length;
        if (bytes > limitBytes) throw new PayloadTooLarge(`the file exceeds ${limitBytes} bytes`);
        yield chunk;
      }
    };
    const file = createWriteStream(path);
    const fileFailed = { now: false };
    file.once('error', () => (fileFailed.now = true));
    try {
      await pipeline(body, counted, file);
    } catch (error) {
      await rm(path, { force: true });
      if (error instanceof ProblemError) throw error;
      // The file could not be written (a full disk): the client is not to blame.
      if (fileFailed.now) {
        this.logger.error({ msg: 'could not spool an upload', error: String(error) });
        throw new ServiceUnavailable('the service cannot hold the file now; retry later');
      }
      throw new UploadInterrupted('the connection closed before the end of the file');
    }
    return path;
  }

  /**
   * Starts importing a spooled upload: resolves once the header was checked and the import
   * recorded as started (a bad file records nothing and is deleted); the rows follow.
   */
  async start(
    upload: string,
    charset: string | null,
    importer: Importer,
    context: CommandContext,
  ): Promise<{ importId: string; position: number }> {
    let started;
    try {
      const text = await decodeCsv(createReadStream(upload), charset, Number.POSITIVE_INFINITY);
      started = await this.importer.start(text, importer, context);
    } catch (error) {
      await rm(upload, { force: true });
      throw error;
    }
    const { importId, position } = started;
    // Named after its import, so that a process starting after a crash knows which it was.
    // The file stays open for reading under its new name.
    const path = join(this.dir, `${importId}.csv`);
    await rename(upload, path);
    const run = started
      .rows(this.stopping.signal)
      .then(
        () => undefined,
        // The import recorded why it stopped; the log says it happened.
        (error: unknown) =>
          this.logger.warn({ msg: 'background import stopped', importId, error: String(error) }),
      )
      .finally(() => rm(path, { force: true }));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { importId, position };
  }

  /** Records as interrupted the imports of processes on this host that are gone. */
  async onApplicationBootstrap(): Promise<void> {
    // Imports run where requests are served; the projection thread leaves them alone.
    if (isProjectionThread()) return;
    const prefix = `${hostname()}-`;
    const owners = await readdir(this.root).catch(() => [] as string[]);
    for (const owner of owners) {
      if (!owner.startsWith(prefix)) continue;
      const pid = Number(owner.slice(prefix.length));
      if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
      const dir = join(this.root, owner);
      for (const file of await readdir(dir)) {
        const importId = IMPORT_FILE.exec(file)?.[1];
        if (importId !== undefined) await this.interrupted(importId);
      }
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Stops the running imports at their next chunk, each recorded as interrupted. */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.running]);
  }

  private async interrupted(importId: string): Promise<void> {
    try {
      const [started] = await this.store.readStream(importStreamId(importId));
      if (!started) return;
      const { actorId, actorTeam, correlationId } = started.metadata;
      const context = { actor: { id: actorId, team: actorTeam }, correlationId };
      const { log } = await this.logs.load(importId, context);
      if (log.state.status !== 'running') return;
      const { problemType: code, message } = new ImportInterrupted();
      await log.run({ type: 'FailImport', importId, reason: { code, field: null, message } });
      this.logger.warn({ msg: 'import interrupted by a restart recorded as failed', importId });
    } catch (error) {
      this.logger.error({
        msg: 'could not record an interrupted import',
        importId,
        error: String(error),
      });
    }
  }
}
