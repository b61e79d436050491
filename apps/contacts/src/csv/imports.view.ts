import { ApiProperty } from '@nestjs/swagger';
import {
  IMPORT_CHANGES,
  IMPORT_ROW_OUTCOMES,
  type ImportChange,
  type ImportRowOutcome,
  REVERT_ROW_OUTCOMES,
  type RevertRowOutcome,
} from '@crm/events';
import type { ImportStatus } from './read-models/import-report/import-summary.projection';

export class ImportCountsView {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty({ description: 'matched a party that already had everything the row says' })
  unchanged!: number;
  @ApiProperty({ description: 'repeated an earlier row of the same file' }) duplicate!: number;
  @ApiProperty() rejected!: number;
}

export class RevertCountsView {
  @ApiProperty({ description: 'created by the import, now archived' }) archived!: number;
  @ApiProperty({ description: 'changes taken back' }) undone!: number;
  @ApiProperty({ description: 'nothing left to take back' }) unchanged!: number;
  @ApiProperty({ description: 'changed since the import, erased or merged: left as they are' })
  skipped!: number;
}

export class RowErrorView {
  @ApiProperty({ example: 'invalid-field' }) code!: string;
  @ApiProperty({ type: String, nullable: true, example: 'emails' }) field!: string | null;
  @ApiProperty() message!: string;
}

export class ImportRevertView {
  @ApiProperty() startedBy!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: RevertCountsView }) counts!: RevertCountsView;
}

export class ImportView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed', 'reverting', 'reverted'] })
  status!: ImportStatus;
  @ApiProperty({ description: 'employee id' }) startedBy!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ example: 'utf-8' }) encoding!: string;
  @ApiProperty({ type: [String] }) columns!: string[];
  @ApiProperty({ description: 'data rows read' }) rows!: number;
  @ApiProperty({ type: ImportCountsView }) counts!: ImportCountsView;
  @ApiProperty({ type: RowErrorView, nullable: true, description: 'why a failed import stopped' })
  failure!: RowErrorView | null;
  @ApiProperty({ type: ImportRevertView, nullable: true }) revert!: ImportRevertView | null;
}

export class RowRevisionsView {
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
}

export class ImportRowRevertView {
  @ApiProperty({ enum: REVERT_ROW_OUTCOMES }) outcome!: RevertRowOutcome;
  @ApiProperty({ type: [RowErrorView] }) errors!: RowErrorView[];
}

export class ImportRowView {
  @ApiProperty({ description: 'line of the file where the record starts (the header is row 1)' })
  row!: number;
  @ApiProperty({ enum: IMPORT_ROW_OUTCOMES }) outcome!: ImportRowOutcome;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) contactId!: string | null;
  @ApiProperty({
    type: RowRevisionsView,
    nullable: true,
    description: "revisions of the party's stream the import appended",
  })
  revisions!: RowRevisionsView | null;
  @ApiProperty({ enum: IMPORT_CHANGES, isArray: true }) changes!: ImportChange[];
  @ApiProperty({ type: Number, nullable: true, description: 'the earlier row it repeats' })
  duplicateOf!: number | null;
  @ApiProperty({ type: [RowErrorView] }) errors!: RowErrorView[];
  @ApiProperty({ type: ImportRowRevertView, nullable: true }) revert!: ImportRowRevertView | null;
}

export class ImportRowsPageView {
  @ApiProperty({ type: [ImportRowView] }) items!: ImportRowView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
