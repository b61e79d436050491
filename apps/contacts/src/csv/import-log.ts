import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandContext,
  EventCodec,
  type EventStore,
  type ImportEvent,
  loadAggregate,
  type NewEvent,
  newEventId,
} from '@crm/events';
import { EVENT_STORE, Metrics } from '@crm/platform';
import { importStreamId, type ImportState } from './import';
import { type ImportCommand, importDecider } from './import.decider';

export interface ImportLogDeps {
  readonly store: EventStore;
  readonly codec: EventCodec;
  readonly clock?: () => Date;
  /** Told about every append (metrics). */
  readonly onAppended?: (events: readonly ImportEvent[]) => void;
}

/**
 * The stream of one import, held by the process working on it. A large import appends a
 * chunk event every few hundred rows; re-reading the whole stream before each (as the
 * command handler does) would make it quadratic, so the state stays in memory and every
 * append still carries the expected revision: a second writer on the same import fails.
 */
export class ImportLog {
  private constructor(
    private readonly deps: ImportLogDeps,
    readonly importId: string,
    private current: ImportState,
    private revision: number,
    private readonly context: CommandContext,
  ) {}

  static open(deps: ImportLogDeps, importId: string, context: CommandContext): ImportLog {
    return new ImportLog(deps, importId, importDecider.initialState(), -1, context);
  }

  /** Reads an existing import: its log and the events it holds. */
  static async load(deps: ImportLogDeps, importId: string, context: CommandContext) {
    const { state, revision, history } = await loadAggregate<ImportEvent, ImportState>(
      deps.store,
      deps.codec,
      importDecider,
      importStreamId(importId),
    );
    return { log: new ImportLog(deps, importId, state, revision, context), history };
  }

  get state(): ImportState {
    return this.current;
  }

  /** Decides and appends; resolves with the global position of the last event appended. */
  async run(command: ImportCommand): Promise<number | null> {
    const decided = importDecider.decide(command, this.current);
    if (decided.length === 0) return null;
    const streamId = importStreamId(this.importId);
    const recordedAt = (this.deps.clock?.() ?? new Date()).toISOString();
    const metadata = {
      happenedAt: recordedAt,
      recordedAt,
      correlationId: this.context.correlationId,
      causationId: this.context.causationId ?? null,
      actorId: this.context.actor.id,
      actorTeam: this.context.actor.team,
    };
    const events: NewEvent[] = [];
    for (const event of decided) {
      const data = await this.deps.codec.encodeData(streamId, event);
      events.push({ id: newEventId(), type: event.type, data, metadata });
    }
    const { nextRevision, lastPosition } = await this.deps.store.append(
      streamId,
      events,
      this.revision === -1 ? 'no_stream' : this.revision,
    );
    this.revision = nextRevision;
    for (const event of decided) this.current = importDecider.evolve(this.current, event);
    this.deps.onAppended?.(decided);
    return lastPosition;
  }
}

/** Opens and loads import logs on the service's store, counting their events in the metrics. */
@Injectable()
export class ImportLogs {
  private readonly deps: ImportLogDeps;

  constructor(@Inject(EVENT_STORE) store: EventStore, codec: EventCodec, metrics: Metrics) {
    this.deps = {
      store,
      codec,
      onAppended: (events) => {
        for (const event of events) metrics.eventsAppended.inc({ type: event.type });
      },
    };
  }

  open(importId: string, context: CommandContext): ImportLog {
    return ImportLog.open(this.deps, importId, context);
  }

  load(importId: string, context: CommandContext) {
    return ImportLog.load(this.deps, importId, context);
  }
}
