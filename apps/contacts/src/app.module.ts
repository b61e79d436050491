import { type DynamicModule, Module } from '@nestjs/common';
import {
  CONTACT_EVENT_CONTRACTS,
  CONTACT_STREAM_CATEGORY,
  CONTACT_TOPIC,
  IMPORT_EVENT_CONTRACTS,
} from '@crm/events';
import { EventSourcingModule, PlatformModule, type ServiceConfig } from '@crm/platform';
import { ContactsModule } from './contacts/contacts.module';
import { CsvModule } from './csv/csv.module';
import { ErasureModule } from './erasure/erasure.module';
import { MergesModule } from './merges/merges.module';

@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        // Import batches have no topic: their streams stay the service's own.
        EventSourcingModule.forRoot([...CONTACT_EVENT_CONTRACTS, ...IMPORT_EVENT_CONTRACTS], {
          [CONTACT_STREAM_CATEGORY]: CONTACT_TOPIC,
        }),
        ContactsModule,
        MergesModule,
        ErasureModule,
        CsvModule,
      ],
    };
  }
}
