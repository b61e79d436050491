/**
 * Contact points a merge copied into a read model's document, keyed by the value as the
 * read model holds it (a keyed hash) and naming the absorbed party it came from. Undoing
 * the merge takes them out by reference (ContactMergeUndone names no value), so read models
 * that keep contact points track where each copy came from.
 */
export type MergeCopies = Readonly<Record<string, string>>;

/** Records a copy when the event carries an origin (a merge wrote it). */
export function withCopy(
  copies: MergeCopies,
  value: string | null,
  origin: string | undefined,
): MergeCopies {
  return value === null || origin === undefined ? copies : { ...copies, [value]: origin };
}

export function withoutCopy(copies: MergeCopies, value: string | null): MergeCopies {
  if (value === null || !(value in copies)) return copies;
  const { [value]: _, ...rest } = copies;
  return rest;
}

/** Splits the copies into those of the given absorbed parties (taken out) and the rest. */
export function takeOutCopies(
  copies: MergeCopies,
  absorbedIds: readonly string[],
): { readonly taken: ReadonlySet<string>; readonly kept: MergeCopies } {
  const taken = new Set<string>();
  const kept: Record<string, string> = {};
  for (const [value, origin] of Object.entries(copies)) {
    if (absorbedIds.includes(origin)) taken.add(value);
    else kept[value] = origin;
  }
  return { taken, kept };
}
