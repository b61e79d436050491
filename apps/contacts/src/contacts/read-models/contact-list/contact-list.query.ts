import { Inject, Injectable } from '@nestjs/common';
import {
  type DocumentQuery,
  EventCodec,
  type LifecycleStage,
  type PartyKind,
  type ReadModelStore,
  type Relationship,
  type Revealed,
  projectionKey,
} from '@crm/events';
import { READ_MODELS } from '@crm/platform';
import {
  type ContactSearchDoc,
  contactSearchProjection,
} from '../contact-search/contact-search.projection';
import { type ContactSort, decodeCursor, encodeCursor } from './contact-list.cursor';
import { type ContactListFilter, orderOf, queryWords, whereOf } from './contact-list.filter';
import { type ContactListItem, contactListProjection } from './contact-list.projection';

export type { ContactListFilter } from './contact-list.filter';

/** One listed party, the same from either read model. */
export interface ContactListEntry {
  readonly id: string;
  readonly kind: PartyKind;
  readonly relationship: Relationship;
  readonly name: string | null;
  readonly primaryEmail: string | null;
  readonly primaryPhone: string | null;
  readonly ownerId: string | null;
  readonly stage: LifecycleStage | null;
  readonly tags: readonly string[];
  readonly archived: boolean;
  readonly revision: number;
  readonly registeredAt: string;
  readonly updatedAt: string;
}

export interface ContactListPage {
  readonly items: ContactListEntry[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

const common = (doc: ContactListItem | ContactSearchDoc) => ({
  id: doc.id,
  kind: doc.kind,
  relationship: doc.relationship,
  ownerId: doc.ownerId,
  stage: doc.stage,
  tags: doc.tags,
  archived: doc.archived,
  revision: doc.revision,
  registeredAt: doc.registeredAt,
  updatedAt: doc.updatedAt,
});

const fromList = (doc: Revealed<ContactListItem>): ContactListEntry => ({
  ...common(doc),
  name: doc.name,
  primaryEmail: doc.primaryEmail,
  primaryPhone: doc.primaryPhone,
});

const fromSearch = (doc: ContactSearchDoc): ContactListEntry => ({
  ...common(doc),
  name: doc.party.name,
  primaryEmail: doc.party.primaryEmail,
  primaryPhone: doc.party.primaryPhone,
});

/**
 * Parties filtered, searched and sorted, a page at a time. Registration order (ids are
 * time-ordered UUIDv7) without text comes from the lean contact list, which keeps personal
 * fields sealed and reveals a page when read; text search and the other sorts come from
 * the contact search read model, which holds the words and indexes the sort fields.
 */
@Injectable()
export class ContactListQuery {
  private readonly listKey = projectionKey(contactListProjection);
  private readonly searchKey = projectionKey(contactSearchProjection);

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly codec: EventCodec,
  ) {}

  async page(filter: ContactListFilter): Promise<ContactListPage> {
    const sort: ContactSort = filter.sort ?? 'registered';
    const cursor = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, sort);
    const words = filter.q === undefined ? [] : queryWords(filter.q);
    const orderBy = orderOf(sort);
    const query: DocumentQuery = {
      where: whereOf(filter),
      ...(filter.tag !== undefined && { contains: { tags: filter.tag } }),
      ...(words.length > 0 && { search: words }),
      orderBy,
      ...(cursor && { after: { value: cursor.value, id: cursor.id } }),
      // One more than asked: whether there is a next page.
      limit: filter.limit + 1,
    };
    const bySearch = words.length > 0 || orderBy.field !== undefined;
    const docs = bySearch
      ? await this.readModels.find<ContactSearchDoc>(this.searchKey, query)
      : await this.readModels.find<ContactListItem>(this.listKey, query);
    const page = docs.slice(0, filter.limit);
    const last = page[page.length - 1];
    const items = bySearch
      ? (page as ContactSearchDoc[]).map(fromSearch)
      : (await this.codec.reveal(page as ContactListItem[])).map(fromList);
    return {
      items,
      nextCursor:
        docs.length > filter.limit && last
          ? encodeCursor({ sort, value: sortValue(last, orderBy.field), id: last.id })
          : null,
    };
  }
}

function sortValue(doc: ContactListItem | ContactSearchDoc, field: string | undefined) {
  if (field === undefined) return null;
  const value = (doc as unknown as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : null;
}
