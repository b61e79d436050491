import { Module, type OnModuleInit } from '@nestjs/common';
import { Projections } from '@crm/platform';
import { ContactClassificationController } from './contact-classification.controller';
import { ContactCommands } from './contact-commands';
import { ContactHistory } from './contact-history';
import { ContactPointsController } from './contact-points.controller';
import { ContactRelationsController } from './contact-relations.controller';
import { ContactsController } from './contacts.controller';
import { contactListProjection } from './read-models/contact-list/contact-list.projection';
import { ContactListQuery } from './read-models/contact-list/contact-list.query';
import { contactSearchProjection } from './read-models/contact-search/contact-search.projection';

@Module({
  controllers: [
    ContactsController,
    ContactPointsController,
    ContactClassificationController,
    ContactRelationsController,
  ],
  providers: [ContactListQuery, ContactHistory, ContactCommands],
  exports: [ContactHistory, ContactCommands],
})
export class ContactsModule implements OnModuleInit {
  constructor(private readonly projections: Projections) {}

  onModuleInit(): void {
    this.projections.register(contactListProjection);
    this.projections.register(contactSearchProjection);
  }
}
