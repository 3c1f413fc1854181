import { type EventStore } from '@rapport/event-store';
import {
  type LogSelection,
  readSelection,
  resolveRange,
  selectionFilter,
} from '../log/log-selection';
import { toExportRecord } from './export-record';
import { type ExportFormat, ndjsonWriter, parquetWriter } from './export-writers';
import { ExportOutput } from './fd-output';

export interface ExportLogOptions {
  readonly format: ExportFormat;
  /** A file, or `-` for stdout. */
  readonly out: string;
  readonly batchSize?: number;
  readonly shouldStop?: () => boolean;
  /** Called once the range is known, and after every batch with how many positions were read. */
  readonly onProgress?: (read: number, total: number) => void;
}

export interface ExportLogResult {
  readonly exported: number;
  /** Log positions (after, upTo] of the selection's range. */
  readonly after: number;
  readonly upTo: number;
  /** The last position read; below `upTo` when stopped early. */
  readonly reached: number;
  readonly stopped: boolean;
}

/** Writes the selected events, in log order, to one NDJSON or Parquet file (or stdout). */
export async function exportLog(
  store: EventStore,
  selection: LogSelection,
  options: ExportLogOptions,
): Promise<ExportLogResult> {
  const range = await resolveRange(store, selection);
  const output = new ExportOutput(options.out);
  try {
    const writer = options.format === 'parquet' ? parquetWriter(output) : ndjsonWriter(output);
    const total = range.upTo - range.after;
    options.onProgress?.(0, total);
    let exported = 0;
    let reached = range.after;
    for await (const batch of readSelection(store, range, selectionFilter(selection), {
      batchSize: options.batchSize,
      shouldStop: options.shouldStop,
    })) {
      writer.write(batch.events.map(toExportRecord));
      exported += batch.events.length;
      reached = batch.upTo;
      options.onProgress?.(reached - range.after, total);
    }
    writer.finish();
    output.complete();
    return {
      exported,
      after: range.after,
      upTo: range.upTo,
      reached,
      stopped: reached < range.upTo && (options.shouldStop?.() ?? false),
    };
  } catch (error) {
    output.abandon();
    throw error;
  }
}
