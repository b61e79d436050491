import type { EventCodec } from '../crypto/event-codec';
import { ProblemError, WrongExpectedRevision } from '../store/errors';
import {
  type DecodedEvent,
  type DomainEvent,
  type EventMetadata,
  type NewEvent,
  newEventId,
} from '../store/event';
import type { EventStore } from '../store/event-store.port';
import type { Decider } from './decider';

export interface Actor {
  readonly id: string;
  readonly team: string | null;
}

export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string | null;
  /** Business time of the change when the client knows it; defaults to the server clock. */
  readonly happenedAt?: string;
}

export interface CommandOptions {
  /** From `If-Match`: the revision the client last saw. */
  readonly expectedRevision?: number;
  /** How many times to re-read and re-decide after losing a race; only commands that opt in. */
  readonly retriesOnConflict?: number;
  /**
   * The stream cannot exist yet (its id was generated for this command): it is decided on
   * the initial state without reading the store, and appended expecting no stream, so a
   * stream that did exist after all is refused rather than overwritten.
   */
  readonly newStream?: boolean;
}

export interface CommandResult<E extends DomainEvent, S> {
  readonly state: S;
  /** Stream revision after the command (-1 when the stream still does not exist). */
  readonly revision: number;
  readonly events: readonly E[];
}

/** The client's `If-Match` revision is not the stream's current one. */
export class PreconditionFailed extends ProblemError {
  readonly status = 412;
  readonly problemType = 'precondition-failed';
  readonly title = 'Precondition failed';

  constructor(streamId: string, expected: number, actual: number) {
    super(`${streamId} is at revision ${actual}, If-Match expected ${expected}`, {
      expectedRevision: expected,
      actualRevision: actual,
    });
  }
}

/** Read, fold, decide, append with the expected revision. */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly clock: () => Date = () => new Date(),
    /** Told about every successful append (metrics). */
    private readonly onAppended: (events: readonly DomainEvent[]) => void = () => undefined,
  ) {}

  async handle<C, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    command: C,
    context: CommandContext,
    options: CommandOptions = {},
  ): Promise<CommandResult<E, S>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(decider, streamId, command, context, options);
      } catch (error) {
        const retry =
          error instanceof WrongExpectedRevision &&
          options.expectedRevision === undefined &&
          attempt < (options.retriesOnConflict ?? 0);
        if (!retry) throw error;
      }
    }
  }

  private async attempt<C, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    streamId: string,
    command: C,
    context: CommandContext,
    options: CommandOptions,
  ): Promise<CommandResult<E, S>> {
    const loaded = options.newStream
      ? { state: decider.initialState(), revision: -1 }
      : await loadAggregate(this.store, this.codec, decider, streamId);
    let state = loaded.state;
    const current = loaded.revision;
    if (options.expectedRevision !== undefined && options.expectedRevision !== current) {
      throw new PreconditionFailed(streamId, options.expectedRevision, current);
    }

    const decided = decider.decide(command, state);
    if (decided.length === 0) return { state, revision: current, events: decided };

    const metadata = this.metadata(context);
    const toAppend: NewEvent[] = [];
    for (const event of decided) {
      toAppend.push({
        id: newEventId(),
        type: event.type,
        data: await this.codec.encodeData(streamId, event),
        metadata,
      });
      state = decider.evolve(state, event);
    }
    const { nextRevision } = await this.store.append(
      streamId,
      toAppend,
      current === -1 ? 'no_stream' : current,
    );
    this.onAppended(decided);
    return { state, revision: nextRevision, events: decided };
  }

  private metadata(context: CommandContext): EventMetadata {
    const recordedAt = this.clock().toISOString();
    return {
      happenedAt: context.happenedAt ?? recordedAt,
      recordedAt,
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      actorId: context.actor.id,
      actorTeam: context.actor.team,
    };
  }
}

/** Reads and decodes a stream, folding it into the decider's state. */
export async function loadAggregate<E extends DomainEvent, S>(
  store: EventStore,
  codec: EventCodec,
  decider: Pick<Decider<unknown, E, S>, 'initialState' | 'evolve'>,
  streamId: string,
): Promise<{ state: S; revision: number; history: DecodedEvent<E>[] }> {
  const history = await codec.decode<E>(await store.readStream(streamId));
  let state = decider.initialState();
  for (const event of history) state = decider.evolve(state, event);
  return { state, revision: history.length - 1, history };
}
