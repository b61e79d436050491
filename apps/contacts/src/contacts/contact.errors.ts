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
