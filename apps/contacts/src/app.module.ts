import { type DynamicModule, Module } from '@nestjs/common';
import { CONTACT_EVENT_CONTRACTS, CONTACT_STREAM_CATEGORY, CONTACT_TOPIC } from '@crm/events';
import { EventSourcingModule, PlatformModule, type ServiceConfig } from '@crm/platform';
import { ContactsModule } from './contacts/contacts.module';

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
      ],
    };
  }
}
