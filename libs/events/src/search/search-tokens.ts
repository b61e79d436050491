/**
 * Words for text search, normalized the same way for documents and queries: lower case,
 * accents folded (`Zoë` → `zoe`), split on everything that is not a letter or digit. Read-
 * model stores index these words and match query words as prefixes.
 */
export function searchTokens(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** Distinct tokens of several texts, in first-seen order. */
export function searchWords(texts: readonly (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const text of texts) if (text) for (const word of searchTokens(text)) words.add(word);
  return [...words];
}
