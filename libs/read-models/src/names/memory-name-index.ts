import {
  isNewerName,
  NAME_TERM_SEPARATOR,
  nameSearchPrefix,
  nameSearchTerms,
  type SeenName,
} from '@rapport/domain';
import { type NameMatch } from './customer-names';

interface Indexed {
  readonly seen: SeenName;
  readonly members: readonly string[];
}

/**
 * The name index in process memory: per identity its latest name, and every search term as a
 * member `term \0 identity key` of one sorted array (a search is a binary search and a walk).
 * Changes are kept aside and merged in at the next search: a rebuild adds each name in
 * constant time, and a search after changes costs one merge, linear in the names.
 */
export class MemoryNameIndex {
  private readonly latest = new Map<string, Indexed>();
  private sorted: string[] = [];
  private added: string[] = [];
  private readonly removed = new Set<string>();

  /** Keeps each name where it is newer than the identity's current one. */
  apply(names: ReadonlyMap<string, SeenName>): void {
    for (const [key, seen] of names) {
      const current = this.latest.get(key);
      if (!isNewerName(seen, current?.seen)) continue;
      if (current) this.unindex(current);
      const members = nameSearchTerms(seen.name).map((t) => `${t}${NAME_TERM_SEPARATOR}${key}`);
      for (const member of members) {
        if (!this.removed.delete(member)) this.added.push(member);
      }
      this.latest.set(key, { seen, members });
    }
  }

  /** Forgets the names of these identities (an erasure). */
  erase(identityKeys: readonly string[]): void {
    for (const key of identityKeys) {
      const current = this.latest.get(key);
      if (!current) continue;
      this.unindex(current);
      this.latest.delete(key);
    }
  }

  clear(): void {
    this.latest.clear();
    this.sorted = [];
    this.added = [];
    this.removed.clear();
  }

  namesOf(identityKeys: readonly string[]): Map<string, SeenName> {
    const found = new Map<string, SeenName>();
    for (const key of identityKeys) {
      const seen = this.latest.get(key)?.seen;
      if (seen) found.set(key, seen);
    }
    return found;
  }

  search(prefix: string, limit: number): NameMatch[] {
    const wanted = nameSearchPrefix(prefix);
    if (wanted === '' || limit <= 0) return [];
    const sorted = this.merged();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCodePoints(sorted[mid], wanted) < 0) lo = mid + 1;
      else hi = mid;
    }
    const matches: NameMatch[] = [];
    const seenKeys = new Set<string>();
    for (let i = lo; i < sorted.length && sorted[i].startsWith(wanted); i++) {
      const key = sorted[i].slice(sorted[i].indexOf(NAME_TERM_SEPARATOR) + 1);
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      const current = this.latest.get(key);
      if (current) matches.push({ identityKey: key, name: current.seen });
      if (matches.length === limit) break;
    }
    return matches;
  }

  private unindex(indexed: Indexed): void {
    for (const member of indexed.members) this.removed.add(member);
  }

  /** The sorted members with the changes since the last search merged in. */
  private merged(): string[] {
    if (this.added.length === 0 && this.removed.size === 0) return this.sorted;
    // Members compare as Redis compares them (by UTF-8 bytes): for strings without lone
    // surrogates that is the order of code points, which `compareCodePoints` gives.
    const added = this.added.filter((m) => !this.removed.has(m)).sort(compareCodePoints);
    const kept = this.removed.size ? this.sorted.filter((m) => !this.removed.has(m)) : this.sorted;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < kept.length || j < added.length) {
      if (j >= added.length || (i < kept.length && compareCodePoints(kept[i], added[j]) <= 0))
        out.push(kept[i++]);
      else out.push(added[j++]);
    }
    this.sorted = out;
    this.added = [];
    this.removed.clear();
    return out;
  }
}

/** Order by code points (as UTF-8 bytes order), not by UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
