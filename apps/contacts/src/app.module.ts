import { type DynamicModule, Module } from '@nestjs/common';
import { CONTACT_EVENT_CONTRACTS, CONTACT_STREAM_CATEGORY, CONTACT_TOPIC } from '@crm/events';
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
        EventSourcingModule.forRoot(CONTACT_EVENT_CONTRACTS, {
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
