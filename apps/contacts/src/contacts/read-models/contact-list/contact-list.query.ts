import { Inject, Injectable } from '@nestjs/common';
import {
  EventCodec,
  type PartyKind,
  type ReadModelStore,
  type Relationship,
  type Revealed,
  projectionKey,
} from '@crm/events';
import { READ_MODELS, ValidationFailed } from '@crm/platform';
import { type ContactListItem, contactListProjection } from './contact-list.projection';

export interface ContactListFilter {
  readonly kind?: PartyKind;
  readonly relationship?: Relationship;
  readonly limit: number;
  readonly cursor?: string;
}

export interface ContactListPage {
  readonly items: Revealed<ContactListItem>[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

const encodeCursor = (id: string): string =>
  Buffer.from(JSON.stringify({ after: id })).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      after?: unknown;
    };
    if (typeof after === 'string') return after;
  } catch {
    // falls through to the validation problem below
  }
  throw new ValidationFailed([
    { field: 'cursor', message: 'is not a cursor returned by this list' },
  ]);
}

/** Contacts in registration order (ids are time-ordered UUIDv7), filtered, a page at a time. */
@Injectable()
export class ContactListQuery {
  private readonly key = projectionKey(contactListProjection);

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly codec: EventCodec,
  ) {}

  async page(filter: ContactListFilter): Promise<ContactListPage> {
    const where: Record<string, string> = {};
    if (filter.kind) where['kind'] = filter.kind;
    if (filter.relationship) where['relationship'] = filter.relationship;
    const items = await this.readModels.find<ContactListItem>(this.key, {
      where,
      ...(filter.cursor === undefined ? {} : { afterId: decodeCursor(filter.cursor) }),
      limit: filter.limit + 1,
    });
    const page = items.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: await this.codec.reveal(page),
      nextCursor: items.length > filter.limit && last ? encodeCursor(last.id) : null,
    };
  }
}
