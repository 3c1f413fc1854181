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
    if (this.answers.has(key)) return this.answers.get(key) as V;
    const value = this.compute(key);
    if (this.answers.size >= this.max) {
      // Map iteration is insertion order: the first key is the oldest.
      this.answers.delete(this.answers.keys().next().value as string);
    }
    this.answers.set(key, value);
    return value;
  }
}
