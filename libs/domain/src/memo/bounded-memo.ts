/**
 * A pure function's answers, remembered for the most recently asked keys (at most `max`):
 * the same identities come back on touchpoint after touchpoint, and checking an e-mail
 * address or parsing a phone number costs far more than a map lookup.
 */
export class BoundedMemo<V> {
  private readonly answers = new Map<string, V>();

  constructor(
    private readonly max: number,
    private readonly compute: (key: string) => V,
  ) {}

  get(key: string): V {
    // One lookup for a remembered answer; `has` only for one that is `undefined`.
    const known = this.answers.get(key);
    if (known !== undefined || this.answers.has(key)) return known as V;
    const value = this.compute(key);
    if (this.answers.size >= this.max) {
      // Map iteration is insertion order: the first key is the oldest.
      this.answers.delete(this.answers.keys().next().value as string);
    }
    this.answers.set(key, value);
    return value;
  }
}
