import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PARTY_KINDS, type PartyKind, RELATIONSHIPS, type Relationship } from '@crm/events';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsPhoneNumber,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
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

export class ListContactsQueryDto {
  @ApiPropertyOptional({ enum: PARTY_KINDS })
  @IsOptional()
  @IsIn(PARTY_KINDS)
  kind?: PartyKind;

  @ApiPropertyOptional({ enum: RELATIONSHIPS })
  @IsOptional()
  @IsIn(RELATIONSHIPS)
  relationship?: Relationship;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
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
