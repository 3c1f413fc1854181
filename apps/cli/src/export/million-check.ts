import { readParquetWithDuckDb } from './duckdb-check.spec-helper';
import { exportLog } from './export-log';
import { syntheticEventId, syntheticLog } from './synthetic-log';

export interface ExportCheck {
  readonly exported: number;
  readonly seconds: number;
  readonly seen: number;
  readonly mismatches: number;
  readonly readSeconds: number;
}

/**
 * Exports `total` synthetic events to Parquet (hyparquet-writer), then reads the file back
 * with DuckDB and checks count, ids and order: row i has position i and the id of event i.
 */
export async function checkMillionExport(total: number, file: string): Promise<ExportCheck> {
  const started = Date.now();
  const result = await exportLog(syntheticLog(total), {}, { format: 'parquet', out: file });
  const seconds = (Date.now() - started) / 1000;
  const readStarted = Date.now();
  let seen = 0;
  let mismatches = 0;
  await readParquetWithDuckDb(file, ['position', 'event_id'], ([positions, ids]) => {
    for (let i = 0; i < positions.length; i++) {
      seen += 1;
      if (Number(positions[i]) !== seen || ids[i] !== syntheticEventId(seen)) mismatches += 1;
    }
  });
  return {
    exported: result.exported,
    seconds,
    seen,
    mismatches,
    readSeconds: (Date.now() - readStarted) / 1000,
  };
}
