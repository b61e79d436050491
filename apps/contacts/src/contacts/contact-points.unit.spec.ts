import { ValidationFailed } from '@crm/platform';
import { isPhoneNumber } from 'class-validator';
import { e164, normalizePhone } from './contact-points';

describe('phone numbers', () => {
  const samples = [
    '+44 20 7946 0958',
    '+442079460958',
    '+1 (415) 555-2671',
    '+49 30 901820',
    '+33 1 23 45 67 89',
    '020 7946 0958',
    '+44 20 7946',
    '+999 123 456',
    ' +44 20 7946 0958',
    'call me',
    '',
    `+44 ${'1'.repeat(300)}`,
  ];

  it.each(samples)(
    'given %j, then it is accepted exactly when the DTO check of class-validator accepts it',
    (phone) => {
      expect(e164(phone) !== null).toBe(isPhoneNumber(phone));
    },
  );

  it('given numbers in international format, then they come out as E.164, the same however they were written', () => {
    expect(e164('+44 20 7946 0958')).toBe('+442079460958');
    expect(e164('+442079460958')).toBe('+442079460958');
    expect(e164('+1 (415) 555-2671')).toBe('+14155552671');
  });

  it('given the same number asked twice, then the answer is the same (kept or not)', () => {
    expect(e164('+49 30 901820')).toBe(e164('+49 30 901820'));
    expect(e164('call me')).toBeNull();
    expect(e164('call me')).toBeNull();
  });

  it('given many numbers of one country, valid and not in turn, then each is judged on its own (the compiled patterns keep no state between checks)', () => {
    // Distinct numbers, so none is answered from the kept answers: every one is parsed.
    for (let n = 0; n < 50; n++) {
      const line = String(n).padStart(4, '0');
      expect(e164(`+44 20 7946 ${line}`)).toBe(`+44207946${line}`);
      expect(e164(`+44 20 7946 ${line}1234`)).toBeNull();
      expect(e164(`+1 415 555 ${line}`)).toBe(`+1415555${line}`);
      expect(e164(`+1 415 555 ${line.slice(1)}`)).toBeNull();
    }
  });

  it('given a path parameter that is no phone number, then normalizing it is a validation problem naming the field', () => {
    expect(() => normalizePhone('020 7946 0958', 'primaryPhone')).toThrow(ValidationFailed);
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
  });
});
