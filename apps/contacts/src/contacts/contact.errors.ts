import { ProblemError } from '@crm/events';

export class ContactNotFound extends ProblemError {
  readonly status = 404;
  readonly problemType = 'contact-not-found';
  readonly title = 'Contact not found';
  constructor(contactId: string) {
    super(`no contact with id ${contactId}`, { contactId });
  }
}

export class ContactAlreadyRegistered extends ProblemError {
  readonly status = 409;
  readonly problemType = 'contact-already-registered';
  readonly title = 'Contact already registered';
  constructor(contactId: string) {
    super(`a contact with id ${contactId} is already registered`, { contactId });
  }
}

export class RelationshipNotAllowed extends ProblemError {
  readonly status = 422;
  readonly problemType = 'relationship-not-allowed';
  readonly title = 'Relationship not allowed for this kind of party';
  constructor(kind: string, relationship: string) {
    super(
      kind === 'internal-unit'
        ? 'an internal unit is always an internal customer (relationship "internal")'
        : `a ${kind} cannot have the relationship "${relationship}"; register our own departments as internal units`,
      { kind, relationship },
    );
  }
}

/** A domain rule refused the command (422). */
abstract class ContactRuleBroken extends ProblemError {
  readonly status = 422;
}

export class ContactArchived extends ContactRuleBroken {
  readonly problemType = 'contact-archived';
  readonly title = 'Contact is archived';
  constructor(contactId: string) {
    super(`contact ${contactId} is archived; restore it before changing it`, { contactId });
  }
}

export class ContactNotArchived extends ContactRuleBroken {
  readonly problemType = 'contact-not-archived';
  readonly title = 'Contact is not archived';
  constructor(contactId: string) {
    super(`contact ${contactId} is not archived; there is nothing to restore`, { contactId });
  }
}

export class ContactErased extends ContactRuleBroken {
  readonly problemType = 'contact-erased';
  readonly title = 'Contact was erased';
  constructor(contactId: string) {
    super(`the personal data of contact ${contactId} was erased; it cannot change any more`, {
      contactId,
    });
  }
}

export class ContactMerged extends ContactRuleBroken {
  readonly problemType = 'contact-merged';
  readonly title = 'Contact was merged into another';
  constructor(contactId: string, survivorId: string) {
    super(`contact ${contactId} was merged into ${survivorId}; change the survivor instead`, {
      contactId,
      survivorId,
    });
  }
}

export class ContactPointNotFound extends ProblemError {
  readonly status = 404;
  readonly problemType = 'contact-point-not-found';
  readonly title = 'Not found on this contact';
  constructor(contactId: string, what: 'email' | 'phone' | 'address' | 'affiliation') {
    super(`contact ${contactId} has no such ${what}`, { contactId, what });
  }
}

export class TagLimitReached extends ContactRuleBroken {
  readonly problemType = 'tag-limit-reached';
  readonly title = 'Too many tags';
  constructor(limit: number) {
    super(`a contact has at most ${limit} tags`, { limit });
  }
}

export class CustomFieldLimitReached extends ContactRuleBroken {
  readonly problemType = 'custom-field-limit-reached';
  readonly title = 'Too many custom fields';
  constructor(limit: number) {
    super(`a contact has at most ${limit} custom fields`, { limit });
  }
}

export class StageTransitionNotAllowed extends ContactRuleBroken {
  readonly problemType = 'stage-transition-not-allowed';
  readonly title = 'Lifecycle stage transition not allowed';
  constructor(from: string | null, to: string) {
    super(`a contact cannot move from ${from ?? 'no stage'} to ${to}`, { from, to });
  }
}

export class ParentNotAllowed extends ContactRuleBroken {
  readonly problemType = 'parent-not-allowed';
  readonly title = 'Parent not allowed';
}

export class AffiliationNotAllowed extends ContactRuleBroken {
  readonly problemType = 'affiliation-not-allowed';
  readonly title = 'Affiliation not allowed';
}

export class MergeNotAllowed extends ContactRuleBroken {
  readonly problemType = 'merge-not-allowed';
  readonly title = 'Merge not allowed';
}

export class MergeNotFound extends ProblemError {
  readonly status = 404;
  readonly problemType = 'merge-not-found';
  readonly title = 'Merge not found';
  constructor(mergeId: string) {
    super(`no merge ${mergeId} on this contact`, { mergeId });
  }
}
