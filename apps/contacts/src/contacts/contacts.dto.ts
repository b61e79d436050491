import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONTACT_LIMITS,
  CUSTOM_FIELD_TYPES,
  type CustomFieldType,
  type CustomFieldValue,
  LIFECYCLE_STAGES,
  type LifecycleStage,
  PARTY_KINDS,
  type PartyKind,
  RELATIONSHIPS,
  type Relationship,
} from '@crm/events';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsPhoneNumber,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { CONTACT_SORTS, type ContactSort } from './read-models/contact-list/contact-list.cursor';

const ARCHIVED_FILTERS = ['false', 'true', 'any'] as const;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Tags are compared lower-cased with single spaces: `VIP  Customer` and `vip customer` are one. */
export const normalizeTag = (tag: string): string => tag.trim().toLowerCase().replace(/\s+/g, ' ');
const toTags = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((tag: unknown) => (typeof tag === 'string' ? normalizeTag(tag) : tag))
    : value;
const TAG = /^[a-z0-9][a-z0-9 _-]*$/;
const TAG_MESSAGE = 'each tag is 1-50 letters, digits, spaces, "-" or "_"';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class RegisterContactDto {
  @ApiProperty({
    enum: PARTY_KINDS,
    description: 'person, organization, or internal unit (a department of our own company)',
  })
  @IsIn(PARTY_KINDS)
  kind!: PartyKind;

  @ApiProperty({
    enum: RELATIONSHIPS,
    description: 'internal units are always "internal"; organizations never are',
  })
  @IsIn(RELATIONSHIPS)
  relationship!: Relationship;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Ada Lovelace' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ format: 'email', maxLength: 254, example: 'ada@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  primaryEmail?: string;

  @ApiPropertyOptional({
    description: 'international format; stored as E.164',
    example: '+44 20 7946 0958',
  })
  @IsOptional()
  @IsPhoneNumber(undefined, {
    message: 'primaryPhone must be a phone number in international format (+country code)',
  })
  primaryPhone?: string;

  @ApiPropertyOptional({
    description:
      'employee id of the owner; defaults to you. Only managers and admins may name someone else.',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  ownerId?: string;

  @ApiPropertyOptional({ enum: LIFECYCLE_STAGES.filter((s) => s !== 'inactive') })
  @IsOptional()
  @IsIn(LIFECYCLE_STAGES)
  stage?: LifecycleStage;

  @ApiPropertyOptional({ type: [String], maxItems: CONTACT_LIMITS.tags, example: ['vip'] })
  @IsOptional()
  @Transform(toTags)
  @IsArray()
  @ArrayMaxSize(CONTACT_LIMITS.tags)
  @IsString({ each: true })
  @Length(1, CONTACT_LIMITS.tag, { each: true })
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];
}

export class RenameContactDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class SetPrimaryEmailDto {
  @ApiProperty({ format: 'email', nullable: true, description: 'null clears it' })
  @ValidateIf((dto: SetPrimaryEmailDto) => dto.email !== null)
  @IsEmail()
  @MaxLength(254)
  email!: string | null;
}

export class SetPrimaryPhoneDto {
  @ApiProperty({ nullable: true, description: 'international format; null clears it' })
  @ValidateIf((dto: SetPrimaryPhoneDto) => dto.phone !== null)
  @IsPhoneNumber(undefined, {
    message: 'phone must be a phone number in international format (+country code)',
  })
  phone!: string | null;
}

const labelProperty = { maxLength: CONTACT_LIMITS.label, default: 'work' };

export class AddEmailDto {
  @ApiProperty({ format: 'email', maxLength: CONTACT_LIMITS.email })
  @IsEmail()
  @MaxLength(CONTACT_LIMITS.email)
  email!: string;

  @ApiPropertyOptional(labelProperty)
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.label)
  label?: string;

  @ApiPropertyOptional({ description: 'make it the primary email' })
  @IsOptional()
  @IsBoolean()
  primary?: boolean;
}

export class AddPhoneDto {
  @ApiProperty({ description: 'international format; stored as E.164' })
  @IsPhoneNumber(undefined, {
    message: 'phone must be a phone number in international format (+country code)',
  })
  phone!: string;

  @ApiPropertyOptional(labelProperty)
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.label)
  label?: string;

  @ApiPropertyOptional({ description: 'make it the primary phone' })
  @IsOptional()
  @IsBoolean()
  primary?: boolean;
}

const addressLine = { maxLength: CONTACT_LIMITS.addressLine };

export class AddAddressDto {
  @ApiPropertyOptional({ ...labelProperty, example: 'billing' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.label)
  label?: string;

  @ApiPropertyOptional({ ...addressLine, example: 'Friedrichstr. 68' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.addressLine)
  street?: string;

  @ApiPropertyOptional(addressLine)
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.addressLine)
  city?: string;

  @ApiPropertyOptional(addressLine)
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.addressLine)
  region?: string;

  @ApiPropertyOptional({ maxLength: 20 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 20)
  postalCode?: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2', example: 'DE' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as DE' })
  country!: string;
}

export class TagContactDto {
  @ApiProperty({ type: [String], maxItems: CONTACT_LIMITS.tags, example: ['vip', 'newsletter'] })
  @Transform(toTags)
  @IsArray()
  @ArrayMaxSize(CONTACT_LIMITS.tags)
  @IsString({ each: true })
  @Length(1, CONTACT_LIMITS.tag, { each: true })
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags!: string[];
}

export class AssignOwnerDto {
  @ApiProperty({ type: String, nullable: true, description: 'employee id; null leaves it unowned' })
  @ValidateIf((dto: AssignOwnerDto) => dto.ownerId !== null)
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  ownerId!: string | null;
}

export class ChangeStageDto {
  @ApiProperty({
    enum: LIFECYCLE_STAGES,
    description:
      'lead → prospect → customer → inactive; prospect → lead; lead/prospect → inactive; inactive → lead/customer',
  })
  @IsIn(LIFECYCLE_STAGES)
  stage!: LifecycleStage;
}

export class SetCustomFieldDto {
  @ApiProperty({ enum: CUSTOM_FIELD_TYPES })
  @IsIn(CUSTOM_FIELD_TYPES)
  valueType!: CustomFieldType;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    description: `string (at most ${CONTACT_LIMITS.customFieldString} characters), number, boolean, or date (YYYY-MM-DD), as valueType says`,
  })
  @IsDefined()
  value!: CustomFieldValue;
}

export class SetParentDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'an organization for an organization, a unit for a unit; null detaches',
  })
  @ValidateIf((dto: SetParentDto) => dto.parentId !== null)
  @IsUUID()
  parentId!: string | null;
}

export class AffiliateDto {
  @ApiProperty({ format: 'uuid', description: 'an organization or internal unit' })
  @IsUUID()
  organizationId!: string;

  @ApiPropertyOptional({ maxLength: CONTACT_LIMITS.title, example: 'Head of Purchasing' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.title)
  title?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Matches(DATE, { message: 'since must be a date (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Matches(DATE, { message: 'until must be a date (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  until?: string;
}

export class EndAffiliationDto {
  @ApiProperty({ format: 'date' })
  @Matches(DATE, { message: 'until must be a date (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  until!: string;
}

export class ArchiveContactDto {
  @ApiPropertyOptional({ maxLength: CONTACT_LIMITS.reason })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.reason)
  reason?: string;
}

export class GetContactQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'the party as it was recorded at this instant (time travel)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}

export class ListContactsQueryDto {
  @ApiPropertyOptional({
    maxLength: 200,
    description:
      'words that each start a word of the name, an email, a phone or a tag (accents and case ignored); a phone number in any format',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: PARTY_KINDS })
  @IsOptional()
  @IsIn(PARTY_KINDS)
  kind?: PartyKind;

  @ApiPropertyOptional({ enum: RELATIONSHIPS })
  @IsOptional()
  @IsIn(RELATIONSHIPS)
  relationship?: Relationship;

  @ApiPropertyOptional({ description: 'employee id of the owner' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  ownerId?: string;

  @ApiPropertyOptional({ enum: LIFECYCLE_STAGES })
  @IsOptional()
  @IsIn(LIFECYCLE_STAGES)
  stage?: LifecycleStage;

  @ApiPropertyOptional({ description: 'parties carrying this tag (case-insensitive)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeTag(value) : value,
  )
  @IsString()
  @Length(1, CONTACT_LIMITS.tag)
  tag?: string;

  @ApiPropertyOptional({ enum: ARCHIVED_FILTERS, default: 'false' })
  @IsOptional()
  @IsIn(ARCHIVED_FILTERS)
  archived?: (typeof ARCHIVED_FILTERS)[number];

  @ApiPropertyOptional({ enum: CONTACT_SORTS, default: 'registered' })
  @IsOptional()
  @IsIn(CONTACT_SORTS)
  sort?: ContactSort;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (same sort)' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'first stream revision to return' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  fromRevision?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
