/** Longest piece of input (a value, a name, a path) quoted in a message, in UTF-16 units. */
export const MAX_QUOTED = 80;

/**
 * A piece of input as quoted in a message: cut with an ellipsis past `max`, so a 1 MiB value
 * cannot make every message that names it 1 MiB. Never splits a surrogate pair.
 */
export function excerpt(text: string, max = MAX_QUOTED): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
