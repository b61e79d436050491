import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandContext,
  CommandHandler,
  EventCodec,
  type EventStore,
  fold,
  type ImportRowRecord,
  loadAggregate,
  PreconditionFailed,
  ProblemError,
  type RevertRowRecord,
} from '@crm/events';
import { EVENT_STORE } from '@crm/platform';
import { type ContactState, contactStreamId, type Party } from '../contacts/contact';
import { contactDecider } from '../contacts/contact.decider';
import { ContactArchived } from '../contacts/contact.errors';
import { rowError } from './import-batch';
import { ImportLogs } from './import-log';
import { mapConcurrently } from './map-concurrently';
import { planUndo, undoDecider } from './undo.decider';

const WRITERS = 16;
/** Re-reads of a party that changed between our read and our append. */
const ATTEMPTS = 3;

const party = (state: ContactState): Party | null => (state.status === 'registered' ? state : null);

/**
 * Reverts an import chunk by chunk, in the order it was recorded: parties it created are
 * archived, changes it made are taken back where nobody changed them since. Each chunk's
 * outcomes are recorded before the next, so a revert that stopped resumes where it was.
 */
@Injectable()
export class ImportReverter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly commands: CommandHandler,
    private readonly logs: ImportLogs,
  ) {}

  /** Resolves with the position of the import's last event. */
  async revert(importId: string, context: CommandContext): Promise<number> {
    const { log, history } = await this.logs.load(importId, context);
    await log.run({ type: 'StartRevert', importId });
    const state = log.state;
    const revertedThrough = state.status === 'reverting' ? state.revertedThrough : -1;
    for (const event of history) {
      if (event.type !== 'ImportRowsRecorded' || event.data.chunk <= revertedThrough) continue;
      const rows = event.data.rows.filter(
        (row) => row.outcome === 'created' || row.outcome === 'updated',
      );
      const parties = { ...context, causationId: importId };
      const reverted = await mapConcurrently(rows, WRITERS, (row) =>
        this.revertRow(row, importId, parties),
      );
      await log.run({
        type: 'RecordRevertedRows',
        importId,
        chunk: event.data.chunk,
        rows: reverted,
      });
    }
    return (await log.run({ type: 'CompleteRevert', importId })) ?? 0;
  }

  private async revertRow(
    row: ImportRowRecord,
    importId: string,
    context: CommandContext,
  ): Promise<RevertRowRecord> {
    const contactId = row.contactId ?? '';
    const result = (
      outcome: RevertRowRecord['outcome'],
      errors: RevertRowRecord['errors'] = [],
    ) => ({
      row: row.row,
      contactId,
      outcome,
      errors,
    });
    try {
      if (row.outcome === 'created') {
        await this.commands.handle(
          contactDecider,
          contactStreamId(contactId),
          { type: 'ArchiveContact', contactId, reason: `import ${importId} reverted` },
          context,
          { retriesOnConflict: ATTEMPTS },
        );
        return result('archived');
      }
      return await this.undo(row, context, result);
    } catch (error) {
      if (error instanceof ContactArchived && row.outcome === 'created') return result('unchanged');
      if (error instanceof ProblemError) return result('skipped', [rowError(error)]);
      throw error;
    }
  }

  private async undo(
    row: ImportRowRecord,
    context: CommandContext,
    result: (
      outcome: RevertRowRecord['outcome'],
      errors?: RevertRowRecord['errors'],
    ) => RevertRowRecord,
  ): Promise<RevertRowRecord> {
    const contactId = row.contactId ?? '';
    const streamId = contactStreamId(contactId);
    const { from, to } = row.revisions ?? { from: 0, to: -1 };
    for (let attempt = 1; ; attempt++) {
      const { state, revision, history } = await loadAggregate(
        this.store,
        this.codec,
        contactDecider,
        streamId,
      );
      const at = (end: number) => party(fold(contactDecider, history.slice(0, end)));
      const [before, after, current] = [at(from), at(to + 1), party(state)];
      if (!before || !after || !current) return result('skipped');
      const { conflicts } = planUndo(before, after, current);
      try {
        const { events } = await this.commands.handle(
          undoDecider,
          streamId,
          { type: 'UndoImportRow', contactId, before, after },
          context,
          { expectedRevision: revision },
        );
        if (events.length > 0) return result('undone', conflicts);
        return result(conflicts.length > 0 ? 'skipped' : 'unchanged', conflicts);
      } catch (error) {
        if (!(error instanceof PreconditionFailed) || attempt === ATTEMPTS) throw error;
      }
    }
  }
}
