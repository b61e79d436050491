import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { DuplicatesModule } from '../contacts/read-models/duplicates/duplicates.module';
import { ContactMerges } from './contact-merges';
import { DuplicatesController } from './duplicates.controller';
import { MergesController } from './merges.controller';

/** Duplicate candidates, merging parties across their streams, and undoing merges. */
@Module({
  imports: [ContactsModule, DuplicatesModule],
  controllers: [MergesController, DuplicatesController],
  providers: [ContactMerges],
})
export class MergesModule {}
