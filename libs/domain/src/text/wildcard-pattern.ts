/** A pattern where `*` stands for any characters (newlines too) and every other character for itself. */
export function wildcardPattern(pattern: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${pattern.split('*').map(literal).join('.*')}$`, 's');
}
