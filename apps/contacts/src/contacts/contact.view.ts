import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CUSTOM_FIELD_TYPES,
  type CustomFieldType,
  type CustomFieldValue,
  LIFECYCLE_STAGES,
  type LifecycleStage,
  MERGE_PREFERENCES,
  type MergePreference,
  PARTY_KINDS,
  type PartyKind,
  RELATIONSHIPS,
  type Relationship,
} from '@crm/events';
import type { ContactState } from './contact';
import { ContactNotFound } from './contact.errors';
import { DuplicateCandidateView } from './read-models/duplicates/duplicates.view';

export class EmailView {
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty({ example: 'work' }) label!: string;
  @ApiProperty() primary!: boolean;
}

export class PhoneView {
  @ApiProperty({ description: 'E.164' }) phone!: string;
  @ApiProperty({ example: 'mobile' }) label!: string;
  @ApiProperty() primary!: boolean;
}

export class AddressView {
  @ApiProperty({ format: 'uuid' }) addressId!: string;
  @ApiProperty({ example: 'billing' }) label!: string;
  @ApiProperty({ type: String, nullable: true }) street!: string | null;
  @ApiProperty({ type: String, nullable: true }) city!: string | null;
  @ApiProperty({ type: String, nullable: true }) region!: string | null;
  @ApiProperty({ type: String, nullable: true }) postalCode!: string | null;
  @ApiProperty({ description: 'ISO 3166-1 alpha-2', example: 'DE' }) country!: string;
}

export class CustomFieldView {
  @ApiProperty({ enum: CUSTOM_FIELD_TYPES }) valueType!: CustomFieldType;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] })
  value!: CustomFieldValue;
}

export class AffiliationView {
  @ApiProperty({ format: 'uuid' }) affiliationId!: string;
  @ApiProperty({ format: 'uuid', description: 'an organization or internal unit' })
  organizationId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Head of Purchasing' }) title!:
    string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) since!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) until!: string | null;
}

export class MergedIntoView {
  @ApiProperty({ format: 'uuid' }) survivorId!: string;
  @ApiProperty({ format: 'uuid' }) mergeId!: string;
}

export class MergeView {
  @ApiProperty({ format: 'uuid' }) mergeId!: string;
  @ApiProperty({ type: [String] }) absorbedIds!: string[];
  @ApiProperty({ enum: MERGE_PREFERENCES }) prefer!: MergePreference;
  @ApiProperty() undone!: boolean;
}

/** A party as the API returns it; `revision` is also sent as the weak ETag. */
export class ContactView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PARTY_KINDS }) kind!: PartyKind;
  @ApiProperty({ enum: RELATIONSHIPS }) relationship!: Relationship;
  @ApiProperty({ type: String, nullable: true, description: 'null after erasure' }) name!:
    string | null;
  @ApiProperty({ type: String, nullable: true }) primaryEmail!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'E.164' }) primaryPhone!: string | null;
  @ApiProperty({ type: [EmailView] }) emails!: EmailView[];
  @ApiProperty({ type: [PhoneView] }) phones!: PhoneView[];
  @ApiProperty({ type: [AddressView] }) addresses!: AddressView[];
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true, description: 'employee id' }) ownerId!:
    string | null;
  @ApiProperty({ enum: LIFECYCLE_STAGES, nullable: true }) stage!: LifecycleStage | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/CustomFieldView' },
  })
  customFields!: Record<string, CustomFieldView>;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ type: [AffiliationView] }) affiliations!: AffiliationView[];
  @ApiProperty() archived!: boolean;
  @ApiPropertyOptional({
    type: MergedIntoView,
    nullable: true,
    description: 'set while this party is merged into a survivor',
  })
  mergedInto!: MergedIntoView | null;
  @ApiProperty({ type: [MergeView], description: 'merges this party absorbed' })
  merges!: MergeView[];
  @ApiProperty({ description: 'personal data erased; non-personal facts remain' })
  erased!: boolean;
  @ApiProperty({ description: 'stream revision' }) revision!: number;
}

/** A party just registered, with the existing parties that look like it. */
export class RegisteredContactView extends ContactView {
  @ApiProperty({
    type: [DuplicateCandidateView],
    description: 'existing parties that look like this one (same email or phone, similar name)',
  })
  possibleDuplicates!: DuplicateCandidateView[];
}

export class ContactListItemView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PARTY_KINDS }) kind!: PartyKind;
  @ApiProperty({ enum: RELATIONSHIPS }) relationship!: Relationship;
  @ApiProperty({ type: String, nullable: true, description: 'null after erasure' }) name!:
    string | null;
  @ApiProperty({ type: String, nullable: true }) primaryEmail!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'E.164' }) primaryPhone!: string | null;
  @ApiProperty({ type: String, nullable: true }) ownerId!: string | null;
  @ApiProperty({ enum: LIFECYCLE_STAGES, nullable: true }) stage!: LifecycleStage | null;
  @ApiProperty({ type: [String] }) tags!: readonly string[];
  @ApiProperty() archived!: boolean;
  @ApiProperty({ description: 'stream revision' }) revision!: number;
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
  const { status: _, merges, ...party } = state;
  return {
    ...party,
    emails: party.emails.map((e) => ({ ...e, primary: e.email === party.primaryEmail })),
    phones: party.phones.map((p) => ({ ...p, primary: p.phone === party.primaryPhone })),
    addresses: [...party.addresses],
    tags: [...party.tags],
    customFields: { ...party.customFields },
    affiliations: [...party.affiliations],
    merges: merges.map(({ mergeId, absorbedIds, prefer, undone }) => ({
      mergeId,
      absorbedIds: [...absorbedIds],
      prefer,
      undone,
    })),
    revision,
  };
}
