import type { LifecycleStage, PartyKind, Relationship } from '@crm/events';
import type { Party } from './contact';
import { MergeNotAllowed, ParentNotAllowed } from './contact.errors';

// The rules between parties that the contact decider enforces, kept apart from its command
// dispatch so each reads on its own.

/** Internal units are our own departments: always internal customers, and only they are. */
export function allowed(kind: PartyKind, relationship: Relationship): boolean {
  if (kind === 'internal-unit') return relationship === 'internal';
  if (kind === 'organization') return relationship !== 'internal';
  return true;
}

/**
 * lead → prospect → customer → inactive, and back where it makes sense: a prospect can be
 * requalified as a lead, a lost lead or prospect becomes inactive, an inactive party can
 * come back as a lead or a (returning) customer. A first stage may be anything but inactive.
 */
export const STAGE_TRANSITIONS: Readonly<
  Record<LifecycleStage | 'none', readonly LifecycleStage[]>
> = {
  none: ['lead', 'prospect', 'customer'],
  lead: ['prospect', 'inactive'],
  prospect: ['customer', 'lead', 'inactive'],
  customer: ['inactive'],
  inactive: ['lead', 'customer'],
};

export function checkParent(
  party: Party,
  parent: { id: string; kind: PartyKind; ancestors: readonly string[] },
) {
  if (party.kind === 'person')
    throw new ParentNotAllowed('people are linked by affiliations, not parents');
  if (parent.kind !== party.kind) {
    throw new ParentNotAllowed(
      party.kind === 'organization'
        ? 'the parent of an organization is an organization'
        : 'the parent of an internal unit is an internal unit',
    );
  }
  if (parent.id === party.id || parent.ancestors.includes(party.id)) {
    throw new ParentNotAllowed('the parent would become its own ancestor');
  }
}

export function checkAbsorbable(survivor: Party, absorbed: Party): void {
  if (absorbed.id === survivor.id)
    throw new MergeNotAllowed('a party cannot be merged into itself');
  if (absorbed.erased) throw new MergeNotAllowed(`party ${absorbed.id} was erased`);
  if (absorbed.mergedInto) throw new MergeNotAllowed(`party ${absorbed.id} is already merged`);
  if (absorbed.archived) throw new MergeNotAllowed(`party ${absorbed.id} is archived`);
  if (absorbed.kind !== survivor.kind) {
    throw new MergeNotAllowed(`a ${absorbed.kind} cannot be merged into a ${survivor.kind}`);
  }
}
