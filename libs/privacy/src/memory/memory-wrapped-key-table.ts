import { type WrappedKeyTable } from '../keys/wrapped-key-table';

/** Wrapped keys in a map: for tests and the embedded path without a file. */
export class MemoryWrappedKeyTable implements WrappedKeyTable {
  private readonly rows = new Map<string, Buffer>();

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

  async delete(subjectIds: readonly string[]): Promise<number> {
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
