import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Reads a Parquet file with DuckDB — an implementation independent of the writer
 * (hyparquet-writer) — for the export tests: calls `onRows` with the selected columns
 * chunk by chunk, in file order.
 */
export async function readParquetWithDuckDb(
  file: string,
  columns: readonly string[],
  onRows: (columns: unknown[][]) => void,
): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const result = await connection.stream(
      `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM read_parquet('${file.replaceAll("'", "''")}')`,
    );
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      onRows(columns.map((_, i) => chunk.getColumnValues(i)));
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** One SQL query over the file (`FROM export`), every row as JSON-friendly values. */
export async function queryParquetWithDuckDb(
  file: string,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(
      `CREATE VIEW export AS SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`,
    );
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
