import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { ContactErasedConsumer } from './contact-erased.consumer';
import { ContactErasure } from './contact-erasure';
import { ContactExport } from './contact-export';
import { ContactExportController } from './contact-export.controller';
import { ErasureController } from './erasure.controller';

/** Right to erasure (crypto-shredding) and right of access (export) for parties. */
@Module({
  imports: [ContactsModule],
  controllers: [ErasureController, ContactExportController],
  providers: [ContactErasure, ContactExport, ContactErasedConsumer],
})
export class ErasureModule {}
