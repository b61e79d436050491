import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONTACT_LIMITS,
  LIFECYCLE_STAGES,
  type LifecycleStage,
  PARTY_KINDS,
  type PartyKind,
  RELATIONSHIPS,
  type Relationship,
} from '@crm/events';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CONTACT_SORTS, type ContactSort } from './read-models/contact-list/contact-list.cursor';
import { normalizeTag, toInt } from './dto-fields';

const ARCHIVED_FILTERS = ['false', 'true', 'any'] as const;

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
