import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { type ExportRecord, toNdjsonLine } from './export-record';
import { type ExportOutput } from './fd-output';

export const EXPORT_FORMATS = ['ndjson', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Takes exported records in log order; `finish` completes the file. */
export interface ExportWriter {
  write(records: readonly ExportRecord[]): void;
  finish(): void;
}

export function ndjsonWriter(output: ExportOutput): ExportWriter {
  return {
    write(records) {
      let chunk = '';
      for (const record of records) chunk += toNdjsonLine(record);
      if (chunk) output.write(chunk);
    },
    finish: () => undefined,
  };
}

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

const utc = { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } as const;
const str = (name: string, required: boolean): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  logical_type: { type: 'STRING' },
  repetition_type: required ? 'REQUIRED' : 'OPTIONAL',
});
const time = (name: string, required: boolean): SchemaElement => ({
  name,
  type: 'INT64',
  converted_type: 'TIMESTAMP_MILLIS',
  logical_type: utc,
  repetition_type: required ? 'REQUIRED' : 'OPTIONAL',
});
const json = (name: string, required: boolean): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'JSON',
  logical_type: { type: 'JSON' },
  repetition_type: required ? 'REQUIRED' : 'OPTIONAL',
});

/** The Parquet schema of an export (the columns of `ExportRecord`, in that order). */
export const EXPORT_PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 12 },
  { name: 'position', type: 'INT64', repetition_type: 'REQUIRED' },
  str('event_id', true),
  str('stream_id', true),
  { name: 'revision', type: 'INT64', repetition_type: 'REQUIRED' },
  str('type', true),
  time('recorded_at', true),
  time('occurred_at', false),
  str('customer_id', false),
  str('channel', false),
  str('source', false),
  json('data', true),
  json('metadata', false),
];

/** Rows per Parquet row group: large enough for good compression, small enough to keep memory flat. */
const ROW_GROUP = 100_000;

/**
 * Parquet (hyparquet-writer, SNAPPY): records are buffered into row groups of 100,000
 * and each full group is written out, so memory stays flat however long the log is.
 */
export function parquetWriter(output: ExportOutput): ExportWriter {
  const sink = new ByteWriter(1 << 20);
  const flush = () => {
    if (sink.index > 0) output.write(new Uint8Array(sink.buffer, 0, sink.index));
    sink.index = 0;
  };
  const base = sink.ensure.bind(sink);
  // Flush whenever 8 MiB are buffered, instead of growing one buffer for the whole file.
  sink.ensure = (size: number) => {
    if (sink.index > 8 << 20) flush();
    base(size);
  };
  sink.finish = flush;
  const writer = new ParquetWriter({
    writer: sink,
    schema: EXPORT_PARQUET_SCHEMA,
    kvMetadata: [{ key: 'rapport.export', value: 'v1: one row per log event, in log order' }],
    createdBy: 'rapport export (hyparquet-writer)',
  });
  let rows: ExportRecord[] = [];
  const writeGroup = () => {
    if (rows.length === 0) return;
    const col = <K extends keyof ExportRecord>(key: K) => rows.map((r) => r[key]);
    void writer.write({
      rowGroupSize: rows.length,
      columnData: [
        { name: 'position', data: BigInt64Array.from(rows, (r) => BigInt(r.position)) },
        { name: 'event_id', data: col('event_id') },
        { name: 'stream_id', data: col('stream_id') },
        { name: 'revision', data: BigInt64Array.from(rows, (r) => BigInt(r.revision)) },
        { name: 'type', data: col('type') },
        { name: 'recorded_at', data: col('recorded_at') },
        { name: 'occurred_at', data: col('occurred_at') },
        { name: 'customer_id', data: col('customer_id') },
        { name: 'channel', data: col('channel') },
        { name: 'source', data: col('source') },
        { name: 'data', data: col('data') },
        { name: 'metadata', data: col('metadata') },
      ],
    });
    rows = [];
    flush();
  };
  return {
    write(records) {
      for (const record of records) {
        rows.push(record);
        if (rows.length >= ROW_GROUP) writeGroup();
      }
    },
    finish() {
      writeGroup();
      void writer.finish();
    },
  };
}
