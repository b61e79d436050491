import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { trim, toTags, TAG, TAG_MESSAGE } from './dto-fields';
import { IsInternationalPhone } from './contact-points';

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
  @IsInternationalPhone({
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
  @IsInternationalPhone({
    message: 'phone must be a phone number in international format (+country code)',
  })
  phone!: string | null;
}

export class ArchiveContactDto {
  @ApiPropertyOptional({ maxLength: CONTACT_LIMITS.reason })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, CONTACT_LIMITS.reason)
  reason?: string;
}
