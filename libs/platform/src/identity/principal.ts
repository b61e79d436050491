export const ROLES = ['admin', 'manager', 'rep', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated employee behind a request. */
export interface Principal {
  readonly employeeId: string;
  readonly team: string;
  readonly roles: readonly Role[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
