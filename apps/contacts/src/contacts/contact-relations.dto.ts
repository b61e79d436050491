import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONTACT_LIMITS } from '@crm/events';
import { Transform } from 'class-transformer';
import {
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { trim, DATE } from './dto-fields';

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
