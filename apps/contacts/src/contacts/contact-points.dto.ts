import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONTACT_LIMITS } from '@crm/events';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { trim } from './dto-fields';
import { IsInternationalPhone } from './contact-points';

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
  @IsInternationalPhone({
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
