import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IMPORT_ROW_OUTCOMES, type ImportRowOutcome } from '@crm/events';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListContactsQueryDto } from '../contacts/contact-queries.dto';

export class ImportRowsQueryDto {
  @ApiPropertyOptional({ enum: IMPORT_ROW_OUTCOMES, description: 'only rows with this outcome' })
  @IsOptional()
  @IsIn(IMPORT_ROW_OUTCOMES)
  status?: ImportRowOutcome;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** The list's filters, without its paging: the export streams every page. */
export class ExportContactsQueryDto extends OmitType(ListContactsQueryDto, ['limit', 'cursor']) {}
