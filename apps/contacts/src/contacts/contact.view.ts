import { ApiProperty } from '@nestjs/swagger';
import { PARTY_KINDS, type PartyKind, RELATIONSHIPS, type Relationship } from '@crm/events';
import type { ContactState } from './contact';
import { ContactNotFound } from './contact.errors';

/** A contact as the API returns it; `revision` is also sent as the weak ETag. */
export class ContactView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PARTY_KINDS }) kind!: PartyKind;
  @ApiProperty({ enum: RELATIONSHIPS }) relationship!: Relationship;
  @ApiProperty({ type: String, nullable: true, description: 'null after erasure' }) name!:
    string | null;
  @ApiProperty({ type: String, nullable: true }) primaryEmail!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'E.164' }) primaryPhone!: string | null;
  @ApiProperty({ description: 'stream revision' }) revision!: number;
}

export class ContactListItemView extends ContactView {
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ContactListPageView {
  @ApiProperty({ type: [ContactListItemView] }) items!: ContactListItemView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ContactHistoryView {
  @ApiProperty({
    description:
      'CloudEvents 1.0 (structured) in stream order, with extensions streamrevision, correlationid, causationid, actorid, actorteam, happenedat, recordedat',
    type: 'array',
    items: { type: 'object' },
  })
  items!: unknown[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'fromRevision of the next page; null on the last page',
  })
  nextRevision!: number | null;
}

export function toContactView(
  state: ContactState,
  revision: number,
  contactId: string,
): ContactView {
  if (state.status !== 'registered') throw new ContactNotFound(contactId);
  const { status: _, ...contact } = state;
  return { ...contact, revision };
}
