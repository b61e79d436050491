import { Global, Module, type OnModuleInit } from '@nestjs/common';
import type { SubjectKeyStore } from '@crm/events';
import { Projections, SUBJECT_KEYS } from '@crm/platform';
import { DUPLICATE_KEYS_SUBJECT, DuplicateKeys } from './duplicate-keys';
import { duplicatesProjection } from './duplicates.projection';
import { DuplicatesQuery } from './duplicates.query';

/**
 * The duplicates read model and its query. Global because registering a party (in
 * ContactsModule) asks it for look-alikes, while the merge and duplicates endpoints that
 * also use it live in a module that imports ContactsModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: DuplicateKeys,
      inject: [SUBJECT_KEYS],
      useFactory: async (keys: SubjectKeyStore) => {
        const secret = await keys.getOrCreate(DUPLICATE_KEYS_SUBJECT);
        if (!secret) {
          throw new Error(
            `the key ${DUPLICATE_KEYS_SUBJECT} was destroyed; the duplicates read model cannot be kept`,
          );
        }
        return new DuplicateKeys(secret);
      },
    },
    DuplicatesQuery,
  ],
  exports: [DuplicatesQuery],
})
export class DuplicatesModule implements OnModuleInit {
  constructor(
    private readonly projections: Projections,
    private readonly keys: DuplicateKeys,
  ) {}

  onModuleInit(): void {
    this.projections.register(duplicatesProjection(this.keys));
  }
}
