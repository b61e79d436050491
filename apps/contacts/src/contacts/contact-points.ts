import { ValidationFailed } from '@crm/platform';
import { parsePhoneNumberWithError } from 'libphonenumber-js';

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** E.164; the DTOs already checked it parses, a path parameter may not have been. */
export function normalizePhone(phone: string, field = 'phone'): string {
  try {
    return parsePhoneNumberWithError(phone).number;
  } catch {
    throw new ValidationFailed([
      { field, message: `${field} must be a phone number in international format (+country code)` },
    ]);
  }
}
