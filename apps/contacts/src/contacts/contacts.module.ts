import { Module, type OnModuleInit } from '@nestjs/common';
import { Projections } from '@crm/platform';
import { ContactHistory } from './contact-history';
import { ContactsController } from './contacts.controller';
import { contactListProjection } from './read-models/contact-list/contact-list.projection';
import { ContactListQuery } from './read-models/contact-list/contact-list.query';

@Module({
  controllers: [ContactsController],
  providers: [ContactListQuery, ContactHistory],
})
export class ContactsModule implements OnModuleInit {
  constructor(private readonly projections: Projections) {}

  onModuleInit(): void {
    this.projections.register(contactListProjection);
  }
}
