import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type ReadModelProgress,
  type ReadModelStore,
  type SubjectKeyStore,
  projectionKey,
} from '@crm/events';
import { Projections, READ_MODELS, SUBJECT_KEYS } from '@crm/platform';
import {
  CONTACT_MATCH,
  type ContactMatchDoc,
  contactMatchProjection,
  type MatchKey,
  matchKeyWith,
  nameKeyOf,
} from './contact-match.projection';

/** The key-store subject of the match index's HMAC key: not a stream, never erased. */
export const MATCH_KEY_SUBJECT = 'csv-match-index';

/** Live parties a row may match: by external id, by primary email, or by kind and name. */
@Injectable()
export class ContactMatchQuery implements OnModuleInit {
  private key!: MatchKey;
  private runner!: ReadModelProgress;
  private readonly readModel = projectionKey(CONTACT_MATCH);

  constructor(
    private readonly projections: Projections,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeyStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const secret = await this.keys.getOrCreate(MATCH_KEY_SUBJECT);
    if (!secret) throw new Error(`the key ${MATCH_KEY_SUBJECT} was destroyed`);
    this.key = matchKeyWith(secret);
    this.runner = this.projections.register(contactMatchProjection(this.key));
  }

  /** Resolves true once the index reflects the log up to `position` (false on timeout). */
  caughtUp(position: number, timeoutMs: number): Promise<boolean> {
    return this.runner.waitFor(position, timeoutMs);
  }

  /** Ids of live parties with this external id (at most two: one more means ambiguous). */
  async byExternalId(externalId: string): Promise<string[]> {
    const docs = await this.readModels.find<ContactMatchDoc>(this.readModel, {
      where: { externalId: this.key('external-id', externalId), live: true },
      limit: 2,
    });
    return docs.map((doc) => doc.id);
  }

  /** Ids of live parties of this kind with this name (at most three). */
  async byName(kind: string, name: string): Promise<string[]> {
    const docs = await this.readModels.find<ContactMatchDoc>(this.readModel, {
      where: { name: this.key('name', nameKeyOf(kind, name)), live: true },
      limit: 3,
    });
    return docs.map((doc) => doc.id);
  }

  /** Live parties whose primary email this is, with whether they carry an external id. */
  async byEmail(email: string): Promise<{ id: string; hasExternalId: boolean }[]> {
    const docs = await this.readModels.find<ContactMatchDoc>(this.readModel, {
      where: { email: this.key('email', email), live: true },
      limit: 3,
    });
    return docs.map((doc) => ({ id: doc.id, hasExternalId: doc.externalId !== null }));
  }
}
