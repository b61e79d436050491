import { Injectable } from '@nestjs/common';
import { ContactHistory } from '../contacts/contact-history';
import type { Party } from '../contacts/contact';
import {
  type ContactListFilter,
  ContactListQuery,
} from '../contacts/read-models/contact-list/contact-list.query';
import { CSV_COLUMNS, type CsvColumn } from './csv-columns';
import { mapConcurrently } from './map-concurrently';
import { EXTERNAL_ID_FIELD } from './row.decider';

const PAGE = 100;
const READERS = 8;

/** One party as an export row: the same columns an import reads, so the file imports back. */
export function exportRow(party: Party): string[] {
  const primaryFirst = (items: readonly string[], primary: string | null) =>
    primary === null ? items : [primary, ...items.filter((item) => item !== primary)];
  const cells: Record<CsvColumn, string> = {
    id: party.id,
    external_id: String(party.customFields[EXTERNAL_ID_FIELD]?.value ?? ''),
    kind: party.kind,
    relationship: party.relationship,
    name: party.name ?? '',
    emails: primaryFirst(
      party.emails.map((e) => e.email),
      party.primaryEmail,
    ).join(';'),
    phones: primaryFirst(
      party.phones.map((p) => p.phone),
      party.primaryPhone,
    ).join(';'),
    tags: party.tags.join(';'),
    stage: party.stage ?? '',
    owner: party.ownerId ?? '',
  };
  return CSV_COLUMNS.map((column) => cells[column]);
}

export type ExportFilter = Omit<ContactListFilter, 'limit' | 'cursor'>;

/**
 * The parties of a filtered list, page by page along its cursor, each read whole from its
 * stream. Erased parties and parties merged into another are left out: they are no longer
 * parties one would import.
 */
@Injectable()
export class ContactExport {
  constructor(
    private readonly list: ContactListQuery,
    private readonly history: ContactHistory,
  ) {}

  /** Reads the first page before returning, so a bad filter fails before anything is sent. */
  async open(filter: ExportFilter): Promise<AsyncGenerator<string[]>> {
    const first = await this.list.page({ ...filter, limit: PAGE });
    const { history, list } = this;
    async function* rows(): AsyncGenerator<string[]> {
      yield [...CSV_COLUMNS];
      for (let page = first; ;) {
        const parties = await mapConcurrently(page.items, READERS, async (item) => {
          const { state } = await history.current(item.id);
          return state.status === 'registered' && !state.erased && !state.mergedInto ? state : null;
        });
        for (const party of parties) if (party) yield exportRow(party);
        if (page.nextCursor === null) return;
        page = await list.page({ ...filter, limit: PAGE, cursor: page.nextCursor });
      }
    }
    return rows();
  }
}
