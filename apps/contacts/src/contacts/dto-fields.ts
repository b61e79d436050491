export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

/** Tags are compared lower-cased with single spaces: `VIP  Customer` and `vip customer` are one. */
export const normalizeTag = (tag: string): string => tag.trim().toLowerCase().replace(/\s+/g, ' ');

export const toTags = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((tag: unknown) => (typeof tag === 'string' ? normalizeTag(tag) : tag))
    : value;

export const TAG = /^[a-z0-9][a-z0-9 _-]*$/;

export const TAG_MESSAGE = 'each tag is 1-50 letters, digits, spaces, "-" or "_"';

export const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
