import { Inject, Injectable } from '@nestjs/common';
import {
  ContractRegistry,
  type DecodedEvent,
  EventCodec,
  type ReadModelStore,
  toCloudEvent,
} from '@crm/events';
import { Projections, READ_MODELS, ServiceUnavailable } from '@crm/platform';

import type { ContactEvent } from '../contacts/contact';
import { ContactHistory } from '../contacts/contact-history';
import { toContactView } from '../contacts/contact.view';
import type {
  ContactExportView,
  MergeParticipationView,
  ReadModelDocumentView,
} from './contact-export.view';

/** How long an export waits for the read models to reach the party's last event. */
const CATCH_UP_MS = 15_000;

/** The merges a party took part in, from its own stream (either side records its part). */
export function mergesIn(history: readonly DecodedEvent<ContactEvent>[]): MergeParticipationView[] {
  const merges = new Map<string, MergeParticipationView>();
  for (const event of history) {
    const { recordedAt } = event.metadata;
    switch (event.type) {
      case 'ContactMerged': {
        const { mergeId, absorbedIds } = event.data;
        merges.set(mergeId, {
          mergeId,
          role: 'survivor',
          otherIds: [...absorbedIds],
          recordedAt,
          undone: false,
        });
        break;
      }
      case 'ContactMergedInto': {
        const { mergeId, survivorId } = event.data;
        merges.set(mergeId, {
          mergeId,
          role: 'absorbed',
          otherIds: [survivorId],
          recordedAt,
          undone: false,
        });
        break;
      }
      case 'ContactMergeUndone':
      case 'ContactUnmerged': {
        const merge = merges.get(event.data.mergeId);
        if (merge) merge.undone = true;
        break;
      }
      default:
        break;
    }
  }
  return [...merges.values()];
}

/**
 * Right of access: the party as it is, every event of its stream decoded, the merges it
 * took part in and its document in every read model keyed by party. Personal values come
 * out as they are held: in clear while the key exists, null once the party was erased.
 */
@Injectable()
export class ContactExport {
  constructor(
    private readonly contacts: ContactHistory,
    private readonly contracts: ContractRegistry,
    private readonly codec: EventCodec,
    private readonly projections: Projections,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
  ) {}

  async export(contactId: string, now: Date): Promise<ContactExportView> {
    const { state, revision, history } = await this.contacts.current(contactId);
    const contact = toContactView(state, revision, contactId);
    return {
      contactId,
      exportedAt: now.toISOString(),
      erased: contact.erased,
      contact,
      history: history.map((event) => toCloudEvent(event, this.contracts.get(event.type))),
      merges: mergesIn(history),
      readModels: await this.documents(contactId, history.at(-1)?.position ?? 0),
    };
  }

  /**
   * Read models follow the log a moment behind: each is first given time to apply the
   * party's last event, so the export shows what they hold after it (after an erasure,
   * nothing personal), or the request fails with 503 rather than show an older state.
   */
  private async documents(contactId: string, position: number): Promise<ReadModelDocumentView[]> {
    const found: ReadModelDocumentView[] = [];
    for (const runner of this.projections.all()) {
      if (!(await runner.waitFor(position, CATCH_UP_MS))) {
        throw new ServiceUnavailable(`read model ${runner.key} is catching up; try again shortly`);
      }
    }
    for (const { key } of this.projections.all()) {
      const stored = (await this.readModels.load(key, [contactId])).get(contactId);
      if (!stored?.doc) continue;
      const [document] = await this.codec.reveal([stored.doc]);
      found.push({ readModel: key, document });
    }
    return found;
  }
}
