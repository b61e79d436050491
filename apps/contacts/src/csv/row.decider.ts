import {
  type ContactEvent,
  type Decider,
  IMPORT_CHANGES,
  type ImportChange,
  ProblemError,
} from '@crm/events';
import { type ContactState, evolve, initialState, type Party } from '../contacts/contact';
import { type ContactCommand, contactDecider } from '../contacts/contact.decider';
import { ContactNotFound } from '../contacts/contact.errors';
import type { ImportRow } from './csv-row';

/** The custom field that keeps the id a party has in the system it was imported from. */
export const EXTERNAL_ID_FIELD = 'externalId';

export interface Importer {
  readonly employeeId: string;
  /** Managers and admins may make someone else the owner; reps only themselves. */
  readonly assignsOwners: boolean;
}

/** One row of an import, applied to one party's stream. */
export type RowCommand = {
  readonly type: 'CreateFromRow' | 'UpdateFromRow';
  readonly contactId: string;
  readonly row: ImportRow;
  readonly importer: Importer;
};

/** A row that says something the party cannot become. */
export class RowConflictsWithParty extends ProblemError {
  readonly status = 422;
  readonly problemType = 'row-conflicts-with-party';
  readonly title = 'The row does not fit the party it matches';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message, { field });
  }
}

/** As over the API: reps own what they register, only managers and admins assign owners. */
export class OwnerNotAllowed extends ProblemError {
  readonly status = 403;
  readonly problemType = 'owner-not-allowed';
  readonly title = 'Not allowed to choose the owner';
  readonly field = 'owner';
  constructor() {
    super('only managers and admins choose or change the owner of a party');
  }
}

function createCommands(command: RowCommand): ContactCommand[] {
  const { contactId, row, importer } = command;
  const ownerId = row.owner ?? importer.employeeId;
  if (ownerId !== importer.employeeId && !importer.assignsOwners) throw new OwnerNotAllowed();
  const [primaryEmail = null, ...emails] = row.emails;
  const [primaryPhone = null, ...phones] = row.phones;
  return [
    {
      type: 'RegisterContact',
      contactId,
      kind: row.kind,
      relationship: row.relationship,
      name: row.name,
      primaryEmail,
      primaryPhone,
      ownerId,
      stage: row.stage,
      tags: row.tags,
    },
    ...emails.map((email): ContactCommand => ({
      type: 'AddEmail',
      contactId,
      email,
      label: 'work',
    })),
    ...phones.map((phone): ContactCommand => ({
      type: 'AddPhone',
      contactId,
      phone,
      label: 'work',
    })),
    ...externalId(contactId, row),
  ];
}

function externalId(contactId: string, row: ImportRow): ContactCommand[] {
  if (row.externalId === null) return [];
  const field = EXTERNAL_ID_FIELD;
  return [{ type: 'SetCustomField', contactId, field, valueType: 'string', value: row.externalId }];
}

/**
 * Only what differs becomes a command, so a row that matches the party as it is yields
 * nothing, even for an archived party (which refuses every change).
 */
function updateCommands(party: Party, command: RowCommand): ContactCommand[] {
  const { contactId, row, importer } = command;
  for (const field of ['kind', 'relationship'] as const) {
    if (row[field] !== party[field]) {
      throw new RowConflictsWithParty(
        field,
        `the party's ${field} is ${party[field]}; it cannot change`,
      );
    }
  }
  const commands: ContactCommand[] = [];
  if (row.name !== party.name) commands.push({ type: 'RenameContact', contactId, name: row.name });
  row.emails.forEach((email, i) => {
    if (!party.emails.some((e) => e.email === email) || (i === 0 && party.primaryEmail !== email)) {
      commands.push({ type: 'AddEmail', contactId, email, label: 'work', primary: i === 0 });
    }
  });
  row.phones.forEach((phone, i) => {
    if (!party.phones.some((p) => p.phone === phone) || (i === 0 && party.primaryPhone !== phone)) {
      commands.push({ type: 'AddPhone', contactId, phone, label: 'work', primary: i === 0 });
    }
  });
  const tags = row.tags.filter((tag) => !party.tags.includes(tag));
  if (tags.length > 0) commands.push({ type: 'TagContact', contactId, tags });
  if (row.stage !== null && row.stage !== party.stage) {
    commands.push({ type: 'ChangeStage', contactId, stage: row.stage });
  }
  if (row.owner !== null && row.owner !== party.ownerId) {
    if (!importer.assignsOwners) throw new OwnerNotAllowed();
    commands.push({ type: 'AssignOwner', contactId, ownerId: row.owner });
  }
  if (row.externalId !== null && party.customFields[EXTERNAL_ID_FIELD]?.value !== row.externalId) {
    commands.push(...externalId(contactId, row));
  }
  return commands;
}

/** Runs the contact's commands one after the other on the folded state: one append for all. */
export function foldCommands(
  commands: readonly ContactCommand[],
  state: ContactState,
): ContactEvent[] {
  const events: ContactEvent[] = [];
  let current = state;
  for (const command of commands) {
    for (const event of contactDecider.decide(command, current)) {
      current = evolve(current, event);
      events.push(event);
    }
  }
  return events;
}

/**
 * A row applied to a party as one decision: the contact decider's own commands, folded, so
 * every rule of the party holds and the row's events are appended together or not at all.
 */
export const rowDecider: Decider<RowCommand, ContactEvent, ContactState> = {
  initialState,
  evolve,
  decide(command, state) {
    if (command.type === 'CreateFromRow') return foldCommands(createCommands(command), state);
    if (state.status !== 'registered') throw new ContactNotFound(command.contactId);
    return foldCommands(updateCommands(state, command), state);
  },
};

const CHANGES: Partial<Record<ContactEvent['type'], ImportChange>> = {
  ContactRenamed: 'name',
  ContactEmailAdded: 'emails',
  ContactPrimaryEmailSet: 'primaryEmail',
  ContactPhoneAdded: 'phones',
  ContactPrimaryPhoneSet: 'primaryPhone',
  ContactTagged: 'tags',
  ContactStageChanged: 'stage',
  ContactOwnerAssigned: 'owner',
  ContactCustomFieldSet: 'externalId',
};

/** What an update changed, in the contract's order. */
export function changesOf(events: readonly ContactEvent[]): ImportChange[] {
  const changed = new Set(events.map((event) => CHANGES[event.type]));
  return IMPORT_CHANGES.filter((change) => changed.has(change));
}
