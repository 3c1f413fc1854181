import { type RedisConnection } from './redis-connection';

/** What a writer keeps of the records it writes itself (the graph, a projection's membership). */
export interface KeptRecords {
  /** The model is empty: every record will be one this writer writes. */
  startEmpty(): void;
  /** Read the records from Redis again. */
  forget(): void;
}

/**
 * A projection's checkpoint, read with whether the keys of the records its writer keeps
 * exist. An empty model (a rebuild's new version, Redis come back empty) lets the writer
 * keep every record it writes instead of reading them back; anything else, and it forgets.
 */
export async function checkpointOfWrittenModel(
  redis: RedisConnection,
  checkpointKey: string,
  recordKeys: readonly string[],
  kept: KeptRecords,
): Promise<number> {
  const [[readError, checkpoint], [countError, existing]] = (await redis
    .multi()
    .get(checkpointKey)
    .exists(...recordKeys)
    .exec()) as [[Error | null, string | null], [Error | null, number]];
  if (readError || countError) throw readError ?? countError;
  const position = Number(checkpoint ?? 0);
  if (position === 0 && existing === 0) kept.startEmpty();
  else kept.forget();
  return position;
}
