import { InvalidArgumentError } from 'commander';

/**
 * Bad input on the command line (a value commander could not check by itself): the
 * command prints one line, `error: <message>`, and exits with status 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit status for bad input, as commander's own option errors get it (see main.ts). */
export const USAGE_EXIT_CODE = 2;

/** A commander option parser for a whole number in [min, max]. */
export function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

/** A commander option parser for comma-separated lists; repeating the option adds to the list. */
export function listOption(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('a comma-separated list of values');
  return [...(previous ?? []), ...items];
}
