// npm run bench:export — the check: 1,000,000 events exported to Parquet by
// `rapport export`'s writer (hyparquet-writer), read back by DuckDB (an independent Parquet
// implementation) with the same count, ids and order. The events come from a synthetic
// in-memory log, so the figure is the export's own rate (the store's read rate is
// bench:store's catch-up figure). BENCH_EXPORT_EVENTS changes the count.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMillionExport } from '../../apps/cli/src/export/million-check';

async function main(): Promise<void> {
  const total = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-export-'));
  try {
    const file = join(dir, 'export.parquet');
    const check = await checkMillionExport(total, file);
    const mb = statSync(file).size / 1e6;
    console.log(
      `parquet file: ${mb.toFixed(1)} MB; DuckDB read it back in ${check.readSeconds.toFixed(1)} s: ${check.seen} rows, ${check.mismatches} mismatches in ids or order`,
    );
    if (check.seen !== total || check.mismatches !== 0) {
      console.error('export check FAILED');
      process.exitCode = 1;
      return;
    }
    console.log(
      `export parquet: ${Math.round(total / check.seconds)} events/s (${total} events in ${check.seconds.toFixed(1)} s, verified by DuckDB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
