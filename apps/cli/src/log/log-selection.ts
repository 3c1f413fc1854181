import { parseEventType } from '@rapport/domain';
import { type EventStore, type RecordedEvent } from '@rapport/event-store';
import { positionAtTime } from '@rapport/read-models';
import { type Command } from 'commander';
import { listOption, UsageError } from '../support/usage-error';

/** The filter options every log command shares (export, replay, tail). */
export interface LogSelectionOptions {
  from?: string;
  to?: string;
  type?: string[];
  channel?: string[];
  streamPrefix?: string[];
}

/** A log bound: a position (`1234`) or a time (ISO 8601 / RFC 3339, e.g. `2026-03-01T00:00:00Z`). */
export type LogBound = { position: number } | { time: number; text: string };

/**
 * Which events of the log a command works on: a position range, then filters. Time bounds
 * are on the log's own commit time (`recordedAt`), which grows with the position, so a time
 * range is a position range too: `from` is found by a binary search over positions, and a
 * read stops at the first event at or past `to`.
 */
export interface LogSelection {
  readonly from?: LogBound;
  readonly to?: LogBound;
  /** Event names (`touchpoint.recorded`: any version) or exact versioned types (`survey.responded.v2`). */
  readonly types?: readonly string[];
  readonly channels?: readonly string[];
  readonly streamPrefixes?: readonly string[];
}

export const SELECTION_HELP = `
Selecting events (all optional, combined with AND):
  --from / --to    a log position (1 is the first event; --from inclusive, --to inclusive)
                   or a time in ISO 8601 with an offset (log commit time; --from inclusive,
                   --to exclusive), e.g. --from 2026-03-01T00:00:00Z
  --type           event names (any version) or exact types, comma-separated or repeated:
                   --type touchpoint.recorded,survey.responded.v2 (types are matched as read,
                   i.e. after upcasting to the newest schema version)
  --channel        data.channel of the event: email, chat, social, in_person, phone, survey, web
  --stream-prefix  stream ids starting with it, e.g. customer-
Events are read in the newest schema version of their type (upcasters run on read).`;

/** Adds --from/--to/--type/--channel/--stream-prefix to a command. */
export function addSelectionOptions(command: Command, fromHelp?: string): Command {
  return command
    .option('--from <position|time>', fromHelp ?? 'first event: a log position or an ISO time')
    .option(
      '--to <position|time>',
      'last event: a log position (inclusive) or an ISO time (exclusive)',
    )
    .option('--type <types>', 'event names or versioned types, comma-separated', listOption)
    .option('--channel <channels>', 'channels (data.channel), comma-separated', listOption)
    .option('--stream-prefix <prefix>', 'stream id prefixes, comma-separated', listOption);
}

/** A date (UTC midnight), or a date and time with an offset (seconds optional). */
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

export function parseLogBound(name: string, value: string): LogBound {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const position = Number(text);
    if (!Number.isSafeInteger(position) || position < 1)
      throw new UsageError(`--${name} ${value}: a position is a whole number from 1`);
    return { position };
  }
  const time = Date.parse(text);
  if (!TIME.test(text) || Number.isNaN(time))
    throw new UsageError(
      `--${name} ${value}: expected a log position (e.g. 1000), a date (UTC midnight, e.g. 2026-03-01) or a time with an offset (e.g. 2026-03-01T09:00:00Z)`,
    );
  return { time, text };
}

const CHANNEL = /^[a-z_]{1,32}$/;
const TYPE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

export function parseLogSelection(options: LogSelectionOptions): LogSelection {
  const from = options.from === undefined ? undefined : parseLogBound('from', options.from);
  const to = options.to === undefined ? undefined : parseLogBound('to', options.to);
  if (from && to && 'position' in from && 'position' in to && to.position < from.position)
    throw new UsageError(`--to ${to.position} is before --from ${from.position}`);
  if (from && to && 'time' in from && 'time' in to && to.time <= from.time)
    throw new UsageError(`--to ${to.text} is not after --from ${from.text}`);
  for (const type of options.type ?? [])
    if (!TYPE.test(type)) throw new UsageError(`--type ${type}: not an event type name`);
  for (const channel of options.channel ?? [])
    if (!CHANNEL.test(channel)) throw new UsageError(`--channel ${channel}: not a channel name`);
  return {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(options.type ? { types: options.type } : {}),
    ...(options.channel ? { channels: options.channel } : {}),
    ...(options.streamPrefix ? { streamPrefixes: options.streamPrefix } : {}),
  };
}

/** A test for the filters (not the range) of a selection; cheap checks first. */
export function selectionFilter(selection: LogSelection): (event: RecordedEvent) => boolean {
  const names = new Set<string>();
  const exact = new Set<string>();
  for (const t of selection.types ?? []) (parseEventType(t) ? exact : names).add(t);
  const channels = selection.channels ? new Set(selection.channels) : null;
  const prefixes = selection.streamPrefixes ?? null;
  return (event) => {
    if (prefixes && !prefixes.some((p) => event.streamId.startsWith(p))) return false;
    if (selection.types) {
      const parsed = parseEventType(event.type);
      if (!exact.has(event.type) && !(parsed && names.has(parsed.name))) return false;
    }
    if (channels) {
      const channel = (event.data as { channel?: unknown } | null)?.channel;
      if (typeof channel !== 'string' || !channels.has(channel)) return false;
    }
    return true;
  };
}

/** The log range a selection covers, as positions: events with `after < position <= upTo`. */
export interface PositionRange {
  readonly after: number;
  /** Inclusive; the head when the selection has no upper position bound. */
  readonly upTo: number;
  /** Stop at the first event committed at or after this time (ms since the epoch). */
  readonly beforeTime?: number;
}

/** Resolves a selection's bounds against the log (a time `from` by binary search over positions). */
export async function resolveRange(
  store: EventStore,
  selection: LogSelection,
  head?: number,
): Promise<PositionRange> {
  const top = head ?? (await store.headPosition());
  let after = 0;
  if (selection.from)
    after =
      'position' in selection.from
        ? selection.from.position - 1
        : (await firstPositionAtOrAfter(store, selection.from.time, top)) - 1;
  let upTo = top;
  let beforeTime: number | undefined;
  if (selection.to) {
    if ('position' in selection.to) upTo = Math.min(top, selection.to.position);
    else beforeTime = selection.to.time;
  }
  return {
    after: Math.min(after, upTo),
    upTo,
    ...(beforeTime === undefined ? {} : { beforeTime }),
  };
}

/** The first position whose commit time is at or after `time` (head + 1 when none is). */
async function firstPositionAtOrAfter(
  store: EventStore,
  time: number,
  head: number,
): Promise<number> {
  // The one after the last recorded before `time` (times are whole milliseconds): the same
  // search as time travel's `?asOf=` (by bisection where positions are counters).
  return (await positionAtTime(store, time - 1, head)).position + 1;
}

export interface SelectedBatch {
  /** The events of the batch that pass the filters, in log order. */
  readonly events: RecordedEvent[];
  /** The last position read: everything up to it has been looked at. */
  readonly upTo: number;
}

/**
 * Reads the selected events in log order, a batch at a time (each batch = one read of
 * `batchSize` log positions, filtered). Stops at the range's end, at `beforeTime`, or when
 * `shouldStop` says so between batches.
 */
export async function* readSelection(
  store: EventStore,
  range: PositionRange,
  filter: (event: RecordedEvent) => boolean,
  options: { batchSize?: number; shouldStop?: () => boolean } = {},
): AsyncGenerator<SelectedBatch> {
  const batchSize = options.batchSize ?? 5000;
  let position = range.after;
  while (position < range.upTo && !options.shouldStop?.()) {
    const read = await store.readAll({
      after: position,
      maxCount: Math.min(batchSize, range.upTo - position),
    });
    if (read.length === 0) return;
    const events: RecordedEvent[] = [];
    let last = position;
    let timeUp = false;
    for (const event of read) {
      if (range.beforeTime !== undefined && Date.parse(event.recordedAt) >= range.beforeTime) {
        timeUp = true;
        break;
      }
      last = event.position;
      if (filter(event)) events.push(event);
    }
    position = last;
    yield { events, upTo: last };
    if (timeUp) return;
    // An embedded store answers without real I/O: let signals (Ctrl-C) and timers in between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
