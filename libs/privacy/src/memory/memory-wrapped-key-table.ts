import { type Erasures, type WrappedKeyTable } from '../keys/wrapped-key-table';

/**
 * Wrapped keys in a map: for tests and the embedded path without a file. Every key store
 * over one instance sees the others' destroys, as processes over one database do.
 */
export class MemoryWrappedKeyTable implements WrappedKeyTable {
  private readonly rows = new Map<string, Buffer>();
  /** The erasure log: subject ids, the sequence number of each its index + 1. */
  private readonly erasures: string[] = [];

  async insertIfAbsent(subjectId: string, wrapped: Buffer): Promise<Buffer> {
    const existing = this.rows.get(subjectId);
    if (existing) return Buffer.from(existing);
    this.rows.set(subjectId, Buffer.from(wrapped));
    return Buffer.from(wrapped);
  }

  async insertManyIfAbsent(
    rows: readonly { subjectId: string; wrapped: Buffer }[],
  ): Promise<Buffer[]> {
    return Promise.all(rows.map((r) => this.insertIfAbsent(r.subjectId, r.wrapped)));
  }

  async getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    for (const id of subjectIds) {
      const row = this.rows.get(id);
      if (row) found.set(id, Buffer.from(row));
    }
    return found;
  }

  async get(subjectId: string): Promise<Buffer | undefined> {
    const row = this.rows.get(subjectId);
    return row && Buffer.from(row);
  }

  async getManyAfter(
    subjectIds: readonly string[],
    after: number,
  ): Promise<{ keys: Map<string, Buffer>; erasures: Erasures }> {
    const erasures = {
      subjectIds: this.erasures.slice(after),
      last: Math.max(after, this.erasures.length),
    };
    return { keys: await this.getMany(subjectIds), erasures };
  }

  async lastErasure(): Promise<number> {
    return this.erasures.length;
  }

  async erasedAmong(subjectIds: readonly string[]): Promise<Set<string>> {
    const erased = new Set(this.erasures);
    return new Set(subjectIds.filter((id) => erased.has(id)));
  }

  async delete(subjectIds: readonly string[]): Promise<number> {
    this.erasures.push(...subjectIds);
    let deleted = 0;
    for (const id of subjectIds) {
      const row = this.rows.get(id);
      if (!row) continue;
      row.fill(0);
      this.rows.delete(id);
      deleted += 1;
    }
    return deleted;
  }

  async close(): Promise<void> {}
}
