import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { ContactListQuery } from '../contacts/read-models/contact-list/contact-list.query';
import { BackgroundImports } from './background-imports';
import { ContactExport } from './contact-export';
import { ContactImporter } from './contact-importer';
import { ExportsController } from './exports.controller';
import { ImportLogs } from './import-log';
import { ImportReverter } from './import-reverter';
import { ImportsController } from './imports.controller';
import { ContactMatchQuery } from './read-models/contact-match/contact-match.query';
import { ImportReportQuery } from './read-models/import-report/import-report.query';

/** CSV import batches (streamed, reported per row, revertable) and the streamed export. */
@Module({
  imports: [ContactsModule],
  controllers: [ImportsController, ExportsController],
  providers: [
    ContactImporter,
    BackgroundImports,
    ImportReverter,
    ImportLogs,
    ContactMatchQuery,
    ImportReportQuery,
    ContactExport,
    // The list's query is stateless; the export reads the same read model the list does.
    ContactListQuery,
  ],
})
export class CsvModule {}
