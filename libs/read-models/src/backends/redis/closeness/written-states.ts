/**
 * What one writer wrote, kept in process so that its next batch need not read it back:
 * valid only while its batches follow each other (a batch that continues from the
 * checkpoint its last write moved to), forgotten on any failed write — a lease lost, a
 * model that came back empty, a checkpoint another writer moved. Bounded: the least
 * recently written entries are dropped first (and read from Redis again when needed).
 */
export class WrittenStates<V> {
  private readonly values = new Map<string, V>();
  /** The checkpoint this writer's last write moved the model to; null: nothing kept. */
  private at: number | null = null;

  constructor(private readonly max: number) {}

  /** Whether a batch from `after` continues this writer's last write; if not, forgets all. */
  continues(after: number): boolean {
    if (this.at === after) return true;
    this.forget();
    return false;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  /** Records a written batch: its values, and the checkpoint it moved the model to. */
  wrote(entries: Iterable<readonly [string, V]>, upTo: number): void {
    for (const [key, value] of entries) {
      this.values.delete(key); // re-inserted last: the most recently written
      this.values.set(key, value);
    }
    for (const key of this.values.keys()) {
      if (this.values.size <= this.max) break;
      this.values.delete(key);
    }
    this.at = upTo;
  }

  forget(): void {
    this.values.clear();
    this.at = null;
  }
}
