import type { ContactEvent, Decider, ImportChange, ImportRowError } from '@crm/events';
import { type ContactState, evolve, initialState, type Party } from '../contacts/contact';
import type { ContactCommand } from '../contacts/contact.decider';
import {
  ContactArchived,
  ContactErased,
  ContactMerged,
  ContactNotFound,
} from '../contacts/contact.errors';
import { EXTERNAL_ID_FIELD, foldCommands } from './row.decider';

/**
 * Takes back what an import changed on a party: `before` and `after` are the party just
 * before and just after the import's append, read from its own stream (so the import's
 * events never had to carry the old values).
 */
export interface UndoImportRow {
  readonly type: 'UndoImportRow';
  readonly contactId: string;
  readonly before: Party;
  readonly after: Party;
}

export interface UndoPlan {
  readonly commands: readonly ContactCommand[];
  /** The stage goes back even where the forward rules would not allow it (as merge undo does). */
  readonly stage: ContactEvent | null;
  /** Fields the import changed that changed again since: left as they are. */
  readonly conflicts: readonly ImportRowError[];
}

const added = <T>(after: readonly T[], before: readonly T[]) =>
  after.filter((item) => !before.includes(item));

/** A field is put back only if it still holds what the import set. */
export function planUndo(before: Party, after: Party, current: Party): UndoPlan {
  const contactId = current.id;
  const commands: ContactCommand[] = [];
  const conflicts: ImportRowError[] = [];
  const undo = (field: ImportChange, changed: boolean, kept: boolean, then: () => void) => {
    if (!changed) return;
    if (kept) then();
    else {
      conflicts.push({
        code: 'changed-since-import',
        field,
        message: 'changed after the import; left as it is',
      });
    }
  };
  undo('name', before.name !== after.name, current.name === after.name, () => {
    if (before.name !== null)
      commands.push({ type: 'RenameContact', contactId, name: before.name });
  });
  // Emails and phones: the previous primary back (if it is still there), what was added out.
  const undoPoints = (
    change: 'primaryEmail' | 'primaryPhone',
    points: (party: Party) => readonly string[],
    primary: (party: Party) => string | null,
    setPrimary: (value: string) => ContactCommand,
    remove: (value: string) => ContactCommand,
  ) => {
    const previous = primary(before);
    undo(change, previous !== primary(after), primary(current) === primary(after), () => {
      if (previous !== null && points(current).includes(previous)) {
        commands.push(setPrimary(previous));
      }
    });
    for (const value of added(points(after), points(before))) {
      if (points(current).includes(value)) commands.push(remove(value));
    }
  };
  undoPoints(
    'primaryEmail',
    (party) => party.emails.map((e) => e.email),
    (party) => party.primaryEmail,
    (email) => ({ type: 'SetPrimaryEmail', contactId, email }),
    (email) => ({ type: 'RemoveEmail', contactId, email }),
  );
  undoPoints(
    'primaryPhone',
    (party) => party.phones.map((p) => p.phone),
    (party) => party.primaryPhone,
    (phone) => ({ type: 'SetPrimaryPhone', contactId, phone }),
    (phone) => ({ type: 'RemovePhone', contactId, phone }),
  );
  for (const tag of added(after.tags, before.tags)) {
    if (current.tags.includes(tag)) commands.push({ type: 'UntagContact', contactId, tag });
  }
  undo('owner', before.ownerId !== after.ownerId, current.ownerId === after.ownerId, () =>
    commands.push({ type: 'AssignOwner', contactId, ownerId: before.ownerId }),
  );
  const field = (party: Party) => party.customFields[EXTERNAL_ID_FIELD]?.value;
  undo('externalId', field(before) !== field(after), field(current) === field(after), () => {
    const previous = before.customFields[EXTERNAL_ID_FIELD];
    commands.push(
      previous
        ? { type: 'SetCustomField', contactId, field: EXTERNAL_ID_FIELD, ...previous }
        : { type: 'RemoveCustomField', contactId, field: EXTERNAL_ID_FIELD },
    );
  });
  let stage: ContactEvent | null = null;
  undo('stage', before.stage !== after.stage, current.stage === after.stage, () => {
    stage = {
      type: 'ContactStageChanged',
      data: { contactId, from: after.stage, to: before.stage },
    };
  });
  return { commands, stage, conflicts };
}

function decide(command: UndoImportRow, state: ContactState): ContactEvent[] {
  if (state.status !== 'registered') throw new ContactNotFound(command.contactId);
  const { commands, stage } = planUndo(command.before, command.after, state);
  if (commands.length === 0 && stage === null) return [];
  // The stage event skips the contact decider, so its guards are checked here.
  if (state.erased) throw new ContactErased(state.id);
  if (state.mergedInto) throw new ContactMerged(state.id, state.mergedInto.survivorId);
  if (state.archived) throw new ContactArchived(state.id);
  const events = foldCommands(commands, state);
  return stage ? [...events, stage] : events;
}

export const undoDecider: Decider<UndoImportRow, ContactEvent, ContactState> = {
  initialState,
  decide,
  evolve,
};
