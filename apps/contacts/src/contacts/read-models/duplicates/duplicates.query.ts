import { Inject, Injectable } from '@nestjs/common';
import {
  CONTACT_LIMITS,
  type DocumentQuery,
  type PartyKind,
  projectionKey,
  type ReadModelStore,
  TurnBatch,
} from '@crm/events';
import { READ_MODELS } from '@crm/platform';
import type { Party } from '../../contact';
import { type DuplicateReason, matchParties, type PartyTraits } from './duplicate-match';
import { DuplicateKeys, normalizeName } from './duplicate-keys';
import { decodeCursor, encodeCursor } from './duplicate-pairs-cursor';
import {
  type DuplicateCandidate,
  DUPLICATES_READ_MODEL,
  isCandidate,
  lookupFields,
  traitsOf,
} from './duplicate-candidate';

export interface DuplicateCandidateMatch {
  readonly id: string;
  readonly score: number;
  readonly reasons: DuplicateReason[];
}

export interface DuplicatePair {
  readonly partyId: string;
  readonly duplicateId: string;
  readonly score: number;
  readonly reasons: DuplicateReason[];
}

export interface DuplicatePairPage {
  readonly items: DuplicatePair[];
  readonly nextCursor: string | null;
}

/** A subject's emails, phones and organizations looked up, at most this many of each. */
const MAX_LOOKUPS = 10;
/** Members of one organization compared by name, at most. */
const MAX_SCOPE_MEMBERS = 100;
/** Candidates returned for one party. */
const MAX_CANDIDATES = 20;
/** Parties one page of pairs examines before it hands back a cursor. */
const SCAN_BUDGET = 100;
/**
 * Registrations whose lookups go to the store together. A new party has at most seven
 * (three email slots, three phone slots, a name key): the statement stays far below
 * SQLite's 500 terms of a compound SELECT.
 */
const NEW_PARTIES_PER_LOOKUP = 16;

type Lookups = readonly DocumentQuery[];

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Duplicate candidates from the duplicates read model (eventually consistent): for a party,
 * for a party about to be registered, and as pairs over all existing parties.
 */
@Injectable()
export class DuplicatesQuery {
  private readonly key = projectionKey(DUPLICATES_READ_MODEL);
  /**
   * Registrations arrive concurrently and each waits for its lookups before it writes:
   * those of one turn of the event loop share one statement, whose first lookups bring
   * the indexes' pages into memory for the others.
   */
  private readonly newPartyLookups = new TurnBatch<Lookups, DuplicateCandidate[][]>(
    (batches) => this.lookUpTogether(batches),
    NEW_PARTIES_PER_LOOKUP,
  );

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly keys: DuplicateKeys,
  ) {}

  /** Candidates for a party as it stands; none while it is archived, merged away or erased. */
  async forParty(party: Party): Promise<DuplicateCandidateMatch[]> {
    if (party.archived || party.mergedInto || party.erased) return [];
    const traits: PartyTraits = {
      kind: party.kind,
      name: party.name === null ? null : normalizeName(party.kind, party.name),
      emails: party.emails.map((e) => this.keys.email(e.email)),
      phones: party.phones.map((p) => this.keys.phone(p.phone)),
      organizationIds: [...new Set(party.affiliations.map((a) => a.organizationId))],
      parentId: party.parentId,
    };
    return rank(await this.candidates(party.id, traits));
  }

  /** Existing parties that look like one about to be registered (values normalized). */
  async forNewParty(party: {
    readonly kind: PartyKind;
    readonly name: string;
    readonly primaryEmail: string | null;
    readonly primaryPhone: string | null;
  }): Promise<DuplicateCandidateMatch[]> {
    const { kind, name, primaryEmail, primaryPhone } = party;
    const traits: PartyTraits = {
      kind,
      name: normalizeName(kind, name),
      emails: primaryEmail === null ? [] : [this.keys.email(primaryEmail)],
      phones: primaryPhone === null ? [] : [this.keys.phone(primaryPhone)],
      organizationIds: [],
      parentId: null,
    };
    return rank(
      await this.candidates(null, traits, (queries) => this.newPartyLookups.ask(queries)),
    );
  }

  /**
   * Candidate pairs over all parties, each once (partyId < duplicateId), in id order. A
   * page examines a bounded number of parties, so it may hold fewer than `limit` pairs, or
   * none, and still have a next one: follow nextCursor until it is null.
   */
  async pairs(limit: number, cursor?: string): Promise<DuplicatePairPage> {
    const start = cursor === undefined ? null : decodeCursor(cursor);
    const items: DuplicatePair[] = [];
    /** Adds pairs past `after`; false when the page filled up before the last of them. */
    const collect = (pairs: readonly DuplicatePair[], after: string | null): boolean => {
      for (const pair of pairs) {
        if (after !== null && pair.duplicateId <= after) continue;
        if (items.length === limit) return false;
        items.push(pair);
      }
      return true;
    };
    const full = (): DuplicatePairPage => {
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: last
          ? encodeCursor({ partyId: last.partyId, duplicateId: last.duplicateId })
          : null,
      };
    };
    if (start?.duplicateId) {
      const loaded = await this.readModels.load<DuplicateCandidate>(this.key, [start.partyId]);
      const resumed = loaded.get(start.partyId)?.doc;
      if (resumed && !collect(await this.pairsOf(resumed), start.duplicateId)) return full();
    }
    let afterId = start?.partyId;
    for (let scanned = 0; scanned < SCAN_BUDGET;) {
      const batch = await this.readModels.find<DuplicateCandidate>(this.key, {
        ...(afterId === undefined ? {} : { afterId }),
        limit: SCAN_BUDGET - scanned,
      });
      if (batch.length === 0) return { items, nextCursor: null };
      for (const doc of batch) {
        scanned++;
        afterId = doc.id;
        if (!collect(await this.pairsOf(doc), null)) return full();
      }
    }
    return {
      items,
      nextCursor:
        afterId === undefined ? null : encodeCursor({ partyId: afterId, duplicateId: null }),
    };
  }

  /** The parties the read model shows merged away by `mergeId`. */
  async mergedBy(mergeId: string): Promise<string[]> {
    const docs = await this.readModels.find<DuplicateCandidate>(this.key, {
      where: { 'mergedInto.mergeId': mergeId },
      limit: CONTACT_LIMITS.mergeAbsorbed,
    });
    return docs.map((doc) => doc.id);
  }

  private async pairsOf(doc: DuplicateCandidate): Promise<DuplicatePair[]> {
    if (!isCandidate(doc)) return [];
    const found = await this.candidates(doc.id, traitsOf(doc));
    return found
      .filter((candidate) => candidate.id > doc.id)
      .sort(byId)
      .map(({ id, score, reasons }) => ({ partyId: doc.id, duplicateId: id, score, reasons }));
  }

  /**
   * Parties sharing an indexed email, phone, organization or organization name key with
   * the subject, then scored. Lookup fields are null on parties that are no candidates.
   */
  private async candidates(
    selfId: string | null,
    traits: PartyTraits,
    lookUpAll: (queries: Lookups) => Promise<DuplicateCandidate[][]> = (queries) =>
      this.readModels.findEach<DuplicateCandidate>(this.key, queries),
  ): Promise<DuplicateCandidateMatch[]> {
    const kind = traits.kind;
    const queries: { where: Record<string, string>; limit: number }[] = [];
    // One indexed field per filter where it can be: a party of another kind sharing an
    // email or phone is rare, and matchParties leaves it out. Organizations hold people and
    // subsidiaries alike, so scope lookups filter by kind too.
    const lookUp = (slot: 'email' | 'phone' | 'scope', values: readonly string[]) => {
      for (const value of values.slice(0, MAX_LOOKUPS)) {
        for (const field of lookupFields(slot)) {
          queries.push(
            slot === 'scope'
              ? { where: { [`lookup.${field}`]: value, kind }, limit: MAX_SCOPE_MEMBERS }
              : { where: { [`lookup.${field}`]: value }, limit: MAX_CANDIDATES },
          );
        }
      }
    };
    lookUp('email', traits.emails);
    lookUp('phone', traits.phones);
    lookUp(
      'scope',
      kind === 'person' ? traits.organizationIds : traits.parentId ? [traits.parentId] : [],
    );
    if (kind !== 'person' && traits.name !== null) {
      const nameKey = this.keys.name(kind, traits.parentId, traits.name);
      queries.push({ where: { 'lookup.nameKey': nameKey }, limit: MAX_CANDIDATES });
    }
    const found = new Map<string, DuplicateCandidate>();
    const results = await lookUpAll(queries);
    for (const doc of results.flat()) if (doc.id !== selfId) found.set(doc.id, doc);
    return [...found.values()].flatMap((doc) => {
      const match = matchParties(traits, traitsOf(doc));
      return match ? [{ id: doc.id, ...match }] : [];
    });
  }

  /** The lookups of several parties in one round trip, handed back party by party. */
  private async lookUpTogether(batches: readonly Lookups[]): Promise<DuplicateCandidate[][][]> {
    const results = await this.readModels.findEach<DuplicateCandidate>(this.key, batches.flat());
    let next = 0;
    return batches.map((queries) => results.slice(next, (next += queries.length)));
  }
}

/** Most likely first; ties in id (registration) order. */
function rank(matches: DuplicateCandidateMatch[]): DuplicateCandidateMatch[] {
  return matches.sort((a, b) => b.score - a.score || byId(a, b)).slice(0, MAX_CANDIDATES);
}
