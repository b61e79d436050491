import { ApiProperty } from '@nestjs/swagger';
import {
  CONTACT_LIMITS,
  CUSTOM_FIELD_TYPES,
  type CustomFieldType,
  type CustomFieldValue,
  LIFECYCLE_STAGES,
  type LifecycleStage,
} from '@crm/events';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsString,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { trim, toTags, TAG, TAG_MESSAGE } from './dto-fields';

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
