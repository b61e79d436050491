/**
 * A LIMIT written into the SQL rather than bound: with a bound LIMIT, SQLite (built with
 * STAT4, as better-sqlite3 is) plans with the value and so prepares the statement again
 * each time it is bound, which made a lookup by an index three times slower. Page sizes
 * are few, so the statements stay few.
 */
export function literalLimit(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid limit ${limit}`);
  return String(limit);
}
