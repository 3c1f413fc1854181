import { CHANNELS, DIRECTIONS, type Channel, type Direction } from '../channels';
import { type FieldError, type Validated, invalid, valid } from '../validation/field-error';
import { type TimelineEntry } from './timeline-entry';

/** Filters and paging of a timeline query; every field optional. */
export interface TimelineQuery {
  readonly channels?: readonly Channel[];
  readonly directions?: readonly Direction[];
  readonly types?: readonly string[];
  /** Inclusive lower bound on `occurredAt`. */
  readonly from?: string;
  /** Exclusive upper bound on `occurredAt`. */
  readonly to?: string;
  readonly limit: number;
  /** Opaque cursor from a previous page: the page continues strictly after it. */
  readonly cursor?: TimelineCursor;
}

export interface TimelinePage {
  readonly items: TimelineEntry[];
  /** Pass it back as `cursor` for the next (older) page; null at the end. */
  readonly nextCursor: string | null;
}

/**
 * A position in a timeline: entries are ordered by (occurredAt, log position), newest
 * first. A cursor names the last entry seen, so events appended while someone pages
 * never shift the pages that follow.
 */
export interface TimelineCursor {
  readonly occurredAtMs: number;
  readonly position: number;
}

export const TIMELINE_DEFAULT_LIMIT = 50;
export const TIMELINE_MAX_LIMIT = 500;

export function encodeCursor(entry: Pick<TimelineEntry, 'occurredAt' | 'position'>): string {
  return Buffer.from(`${Date.parse(entry.occurredAt)}:${entry.position}`).toString('base64url');
}

export function decodeCursor(cursor: string): TimelineCursor | null {
  const match = /^(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? { occurredAtMs: Number(match[1]), position: Number(match[2]) } : null;
}

/** Compares two entries in timeline order: negative when `a` comes first (is newer). */
export function compareNewestFirst(
  a: { occurredAtMs: number; position: number },
  b: { occurredAtMs: number; position: number },
): number {
  return b.occurredAtMs - a.occurredAtMs || b.position - a.position;
}

export function matchesTimelineFilter(entry: TimelineEntry, query: TimelineQuery): boolean {
  if (query.channels && !query.channels.includes(entry.channel)) return false;
  if (query.directions && !query.directions.includes(entry.direction)) return false;
  if (query.types && !query.types.includes(entry.type)) return false;
  return true;
}

/** Raw query-string parameters of a timeline request. */
export interface TimelineQueryParams {
  readonly channel?: string;
  readonly direction?: string;
  readonly type?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: string;
  readonly cursor?: string;
}

/** Parses query-string parameters (comma-separated lists) into a `TimelineQuery`. */
export function parseTimelineQuery(params: TimelineQueryParams): Validated<TimelineQuery> {
  const errors: FieldError[] = [];
  const list = <T extends string>(
    name: string,
    raw: string | undefined,
    allowed?: readonly T[],
  ) => {
    if (raw === undefined || raw === '') return undefined;
    const values = raw.split(',').map((v) => v.trim());
    const bad = allowed ? values.filter((v) => !(allowed as readonly string[]).includes(v)) : [];
    if (bad.length)
      errors.push({
        path: name,
        message: `unknown ${name} ${bad.join(', ')}; allowed: ${allowed?.join(', ')}`,
      });
    return values as T[];
  };
  const time = (name: string, raw: string | undefined) => {
    if (raw === undefined || raw === '') return undefined;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) {
      errors.push({ path: name, message: `${name} must be an ISO 8601 timestamp` });
      return undefined;
    }
    return new Date(ms).toISOString();
  };
  let limit = TIMELINE_DEFAULT_LIMIT;
  if (params.limit !== undefined) {
    limit = Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > TIMELINE_MAX_LIMIT) {
      errors.push({
        path: 'limit',
        message: `limit must be an integer from 1 to ${TIMELINE_MAX_LIMIT}`,
      });
    }
  }
  let cursor: TimelineCursor | undefined;
  if (params.cursor !== undefined && params.cursor !== '') {
    cursor = decodeCursor(params.cursor) ?? undefined;
    if (!cursor) errors.push({ path: 'cursor', message: 'cursor is not one this API returned' });
  }
  const query: TimelineQuery = {
    channels: list('channel', params.channel, CHANNELS),
    directions: list('direction', params.direction, DIRECTIONS),
    types: list('type', params.type),
    from: time('from', params.from),
    to: time('to', params.to),
    limit,
    cursor,
  };
  return errors.length ? invalid(...errors) : valid(query);
}
