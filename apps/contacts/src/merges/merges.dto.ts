import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { CONTACT_LIMITS, MERGE_PREFERENCES, type MergePreference } from '@crm/events';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsUUID,
} from 'class-validator';
import { ListContactsQueryDto } from '../contacts/contact-queries.dto';

export class MergeContactsDto {
  @ApiProperty({ format: 'uuid', description: 'the party that stays' })
  @IsUUID()
  survivorId!: string;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: CONTACT_LIMITS.mergeAbsorbed,
    uniqueItems: true,
    description: 'parties of the same kind merged into the survivor; they then redirect to it',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CONTACT_LIMITS.mergeAbsorbed)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  absorbedIds!: string[];

  @ApiPropertyOptional({
    enum: MERGE_PREFERENCES,
    default: 'survivor',
    description:
      'whose value wins for name, owner, stage, primary email and phone, and custom fields when both have one; contact points, addresses, tags and affiliations are combined',
  })
  @IsOptional()
  @IsIn(MERGE_PREFERENCES)
  prefer?: MergePreference;

  @ApiPropertyOptional({
    default: false,
    description: 'answer with the survivor as it would be, and write nothing',
  })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

/** Same paging as the contact list. */
export class DuplicatePairsQueryDto extends PickType(ListContactsQueryDto, [
  'limit',
  'cursor',
] as const) {}
