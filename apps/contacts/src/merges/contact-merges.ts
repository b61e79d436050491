import { Injectable, Logger } from '@nestjs/common';
import {
  type CommandContext,
  CommandHandler,
  type MergePreference,
  PreconditionFailed,
  WrongExpectedRevision,
} from '@crm/events';
import { Forbidden } from '@crm/platform';
import { v7 as uuidv7 } from 'uuid';
import { type ContactState, contactStreamId, type Party } from '../contacts/contact';
import { type ContactCommand, contactDecider } from '../contacts/contact.decider';
import { ContactNotFound } from '../contacts/contact.errors';
import { ContactHistory } from '../contacts/contact-history';
import { DuplicatesQuery } from '../contacts/read-models/duplicates/duplicates.query';
import { MergeConflict } from './merge.errors';

interface Loaded {
  readonly party: Party;
  readonly revision: number;
}

export interface MergeRequest {
  readonly survivorId: string;
  readonly absorbedIds: readonly string[];
  readonly prefer: MergePreference;
  readonly dryRun: boolean;
  /** From If-Match: the survivor's revision the client saw. */
  readonly expectedRevision?: number;
  /** Managers and admins; a rep's merge must not hand the survivor to another owner. */
  readonly mayReassignOwner: boolean;
}

export interface MergeOutcome {
  readonly mergeId: string;
  readonly absorbedIds: readonly string[];
  /** The survivor after the merge (as it would be, on a dry run). */
  readonly survivor: { readonly state: ContactState; readonly revision: number };
}

export interface UndoOutcome {
  readonly mergeId: string;
  readonly restoredIds: readonly string[];
  readonly survivor: { readonly state: ContactState; readonly revision: number };
}

/**
 * Merges parties across streams without a multi-stream transaction (ADR 9): everything is
 * decided in memory first; then each absorbed stream is marked, then the survivor absorbs
 * them, each append at the revision that was decided on. A failed append takes the marks
 * back. All events of one merge, and of its undo, carry the merge id as causation id.
 */
@Injectable()
export class ContactMerges {
  private readonly logger = new Logger('ContactMerges');

  constructor(
    private readonly commands: CommandHandler,
    private readonly history: ContactHistory,
    private readonly duplicates: DuplicatesQuery,
  ) {}

  async merge(request: MergeRequest, context: CommandContext): Promise<MergeOutcome> {
    const { survivorId, absorbedIds, prefer } = request;
    const mergeId = uuidv7();
    const survivor = await this.load(survivorId);
    if (request.expectedRevision !== undefined && request.expectedRevision !== survivor.revision) {
      throw new PreconditionFailed(
        contactStreamId(survivorId),
        request.expectedRevision,
        survivor.revision,
      );
    }
    const absorbed = await Promise.all(absorbedIds.map((id) => this.load(id)));
    const absorb: ContactCommand = {
      type: 'AbsorbContacts',
      contactId: survivorId,
      mergeId,
      absorbed: absorbed.map((a) => a.party),
      prefer,
    };
    const marks = absorbed.map((a) => ({
      loaded: a,
      command: {
        type: 'MarkMergedInto',
        contactId: a.party.id,
        survivorId,
        mergeId,
      } satisfies ContactCommand,
    }));
    const events = contactDecider.decide(absorb, survivor.party);
    for (const { loaded, command } of marks) contactDecider.decide(command, loaded.party);
    if (!request.mayReassignOwner && events.some((e) => e.type === 'ContactOwnerAssigned')) {
      throw new Forbidden(
        'this merge would give the survivor another owner, which only managers and admins do; merge with prefer "survivor"',
      );
    }
    if (request.dryRun) {
      const state = events.reduce<ContactState>(
        (folded, event) => contactDecider.evolve(folded, event),
        survivor.party,
      );
      return {
        mergeId,
        absorbedIds,
        survivor: { state, revision: survivor.revision + events.length },
      };
    }

    const caused = { ...context, causationId: mergeId };
    const marked: Loaded[] = [];
    try {
      for (const { loaded, command } of marks) {
        await this.append(command, caused, loaded.revision);
        marked.push(loaded);
      }
      const { state, revision } = await this.append(absorb, caused, survivor.revision);
      return { mergeId, absorbedIds, survivor: { state, revision } };
    } catch (error) {
      await this.takeBackMarks(marked, mergeId, caused);
      throw conflictOf(error, mergeId, 'nothing was merged: read the parties again and retry');
    }
  }

  /**
   * Undoes a merge: the survivor gives back what the merge added and replaced, then each
   * absorbed party stops redirecting. Also finishes an undo or a merge that stopped half
   * way (absorbed parties still marked while the survivor has no standing merge).
   */
  async undo(survivorId: string, mergeId: string, context: CommandContext): Promise<UndoOutcome> {
    const survivor = await this.load(survivorId);
    const undo: ContactCommand = { type: 'UndoMerge', contactId: survivorId, mergeId };
    const merge = survivor.party.merges.find((m) => m.mergeId === mergeId);
    const stillMarked = await this.stillMarked(
      merge ? merge.absorbedIds : await this.duplicates.mergedBy(mergeId),
      survivorId,
      mergeId,
    );
    const restores = stillMarked.map((loaded) => ({
      loaded,
      command: {
        type: 'RestoreFromMerge',
        contactId: loaded.party.id,
        mergeId,
      } satisfies ContactCommand,
    }));
    const undoSurvivor = merge !== undefined && !merge.undone;
    // With nothing left to finish, the decider says why there is nothing to undo.
    if (undoSurvivor || restores.length === 0) contactDecider.decide(undo, survivor.party);
    for (const { loaded, command } of restores) contactDecider.decide(command, loaded.party);

    const caused = { ...context, causationId: mergeId };
    try {
      let after = { state: survivor.party as ContactState, revision: survivor.revision };
      if (undoSurvivor) after = await this.append(undo, caused, survivor.revision);
      for (const { loaded, command } of restores) {
        await this.append(command, caused, loaded.revision);
      }
      return { mergeId, restoredIds: stillMarked.map((l) => l.party.id), survivor: after };
    } catch (error) {
      throw conflictOf(error, mergeId, 'undo again to finish');
    }
  }

  private async load(contactId: string): Promise<Loaded> {
    const { state, revision } = await this.history.current(contactId);
    if (state.status !== 'registered') throw new ContactNotFound(contactId);
    return { party: state, revision };
  }

  /** The parties among `ids` that still redirect to the survivor for this merge. */
  private async stillMarked(
    ids: readonly string[],
    survivorId: string,
    mergeId: string,
  ): Promise<Loaded[]> {
    const loaded = await Promise.all(ids.map((id) => this.history.current(id)));
    return loaded.flatMap(({ state, revision }) =>
      state.status === 'registered' &&
      state.mergedInto?.mergeId === mergeId &&
      state.mergedInto.survivorId === survivorId
        ? [{ party: state, revision }]
        : [],
    );
  }

  private append(command: ContactCommand, context: CommandContext, expectedRevision: number) {
    return this.commands.handle(
      contactDecider,
      contactStreamId(command.contactId),
      command,
      context,
      { expectedRevision },
    );
  }

  /**
   * Compensation: marked parties redirect no more. Should this fail too (the store is
   * down), they stay marked for a merge the survivor never absorbed, and undoing that
   * merge id on the survivor finishes it (ADR 9).
   */
  private async takeBackMarks(
    marked: readonly Loaded[],
    mergeId: string,
    context: CommandContext,
  ): Promise<void> {
    for (const { party } of marked) {
      try {
        await this.commands.handle(
          contactDecider,
          contactStreamId(party.id),
          { type: 'RestoreFromMerge', contactId: party.id, mergeId },
          context,
          { retriesOnConflict: 3 },
        );
      } catch (error) {
        this.logger.error(
          `merge ${mergeId}: could not take back the mark on ${party.id}; undo the merge to finish it: ${String(error)}`,
        );
      }
    }
  }
}

/** Another writer got to one of the streams first: a conflict of the whole merge (409). */
function conflictOf(error: unknown, mergeId: string, advice: string): unknown {
  if (error instanceof PreconditionFailed || error instanceof WrongExpectedRevision) {
    return new MergeConflict(mergeId, error.message, advice);
  }
  return error;
}
