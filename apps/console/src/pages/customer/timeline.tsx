import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { errorText, useApi } from '../../api/client';
import { CHANNELS, identityText, type TimelineEntry, type TimelinePage } from '../../api/types';
import { formatDateTime, label } from '../../format';
import { FullMessage } from './full-message';
import { type Note } from './notes-panel';

const TYPES = ['touchpoint.recorded', 'survey.responded'] as const;

export interface Filters {
  channel: string[];
  direction: string;
  type: string;
  from: string;
  to: string;
}

export const NO_FILTERS: Filters = { channel: [], direction: '', type: '', from: '', to: '' };

function timelineQuery(filters: Filters, cursor?: string, asOf?: string): string {
  const q = new URLSearchParams({ limit: '30' });
  if (asOf) q.set('asOf', asOf);
  if (filters.channel.length) q.set('channel', filters.channel.join(','));
  if (filters.direction) q.set('direction', filters.direction);
  if (filters.type) q.set('type', filters.type);
  if (filters.from) q.set('from', new Date(`${filters.from}T00:00:00`).toISOString());
  if (filters.to) {
    const end = new Date(`${filters.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    q.set('to', end.toISOString());
  }
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

export function Timeline(props: {
  customerId: string;
  asOf?: string;
  filters: Filters;
  onFilters: (filters: Filters) => void;
  highlight?: string;
  /** Internal notes, shown among the touchpoints of the same time (staff only). */
  notes?: readonly Note[];
}) {
  const api = useApi();
  const { filters } = props;
  const pages = useInfiniteQuery({
    queryKey: ['customer', props.customerId, 'timeline', filters, props.asOf],
    queryFn: ({ pageParam }) =>
      api<TimelinePage>(
        `/v1/customers/${props.customerId}/timeline?${timelineQuery(filters, pageParam, props.asOf)}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const items = pages.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <TimelineFilters key={JSON.stringify(filters)} value={filters} onChange={props.onFilters} />
      {pages.isError && (
        <p className="error" role="alert">
          {errorText(pages.error)}
        </p>
      )}
      {pages.isPending ? (
        <p aria-busy="true">Loading the timeline…</p>
      ) : (
        <ol className="timeline" aria-label="Touchpoints, newest first" data-testid="timeline">
          {withNotes(conversations(items), props.notes ?? [], hasNextPage).map((group) =>
            'noteId' in group ? (
              <NoteEntry key={group.noteId} note={group} />
            ) : group.length === 1 ? (
              <TimelineItem
                key={group[0].eventId}
                customerId={props.customerId}
                entry={group[0]}
                marked={group[0].eventId === props.highlight}
              />
            ) : (
              <li
                key={group[0].eventId}
                className="conversation"
                aria-label={`Conversation ${group[0].conversationId}, ${group.length} touchpoints`}
              >
                <ol>
                  {group.map((entry) => (
                    <TimelineItem
                      key={entry.eventId}
                      customerId={props.customerId}
                      entry={entry}
                      marked={entry.eventId === props.highlight}
                    />
                  ))}
                </ol>
              </li>
            ),
          )}
        </ol>
      )}
      {!pages.isPending && items.length === 0 && <p>No touchpoints match.</p>}
      <div ref={sentinel} className="timeline-end" aria-live="polite">
        {hasNextPage ? (
          <button
            type="button"
            className="secondary"
            disabled={isFetchingNextPage}
            onClick={() => void fetchNextPage()}
          >
            {isFetchingNextPage ? 'Loading…' : 'Load older touchpoints'}
          </button>
        ) : (
          items.length > 0 && (
            <p className="hint">The beginning of the timeline: {items.length} touchpoints.</p>
          )
        )}
      </div>
    </>
  );
}

function TimelineFilters(props: { value: Filters; onChange: (f: Filters) => void }) {
  const [draft, setDraft] = useState<Filters>(props.value);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onChange(draft);
  };
  const toggle = (channel: string) =>
    setDraft((d) => ({
      ...d,
      channel: d.channel.includes(channel)
        ? d.channel.filter((c) => c !== channel)
        : [...d.channel, channel],
    }));
  return (
    <form className="filters" onSubmit={submit} aria-label="Timeline filters">
      <fieldset>
        <legend>Channels</legend>
        {CHANNELS.map((channel) => (
          <label key={channel} className="check">
            <input
              type="checkbox"
              checked={draft.channel.includes(channel)}
              onChange={() => toggle(channel)}
            />
            {label(channel)}
          </label>
        ))}
      </fieldset>
      <label>
        Direction
        <select
          value={draft.direction}
          onChange={(e) => setDraft({ ...draft, direction: e.target.value })}
        >
          <option value="">both</option>
          <option value="inbound">inbound</option>
          <option value="outbound">outbound</option>
        </select>
      </label>
      <label>
        Type
        <select value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
          <option value="">any</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input
          type="date"
          value={draft.from}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        />
      </label>
      <label>
        To
        <input
          type="date"
          value={draft.to}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
        />
      </label>
      <div className="actions">
        <button type="submit">Apply</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft(NO_FILTERS);
            props.onChange(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** Runs of touchpoints of one conversation, kept together; the others alone. */
function conversations(items: TimelineEntry[]): TimelineEntry[][] {
  const groups: TimelineEntry[][] = [];
  for (const entry of items) {
    const last = groups[groups.length - 1];
    if (last && entry.conversationId && last[0].conversationId === entry.conversationId)
      last.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

function TimelineItem(props: { customerId: string; entry: TimelineEntry; marked: boolean }) {
  const e = props.entry;
  return (
    <li
      className={`entry ${e.direction}${props.marked ? ' marked' : ''}`}
      data-testid="timeline-entry"
      aria-current={props.marked ? 'true' : undefined}
    >
      <div className="entry-meta">
        <span className={`badge channel-${e.channel}`}>{label(e.channel)}</span>
        <span>{e.direction === 'inbound' ? 'from the customer' : 'to the customer'}</span>
        {e.type !== 'touchpoint.recorded' && <span className="badge">{e.type}</span>}
        <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time>
      </div>
      {e.subject && <p className="subject">{e.subject}</p>}
      {e.excerpt && <p className="excerpt">{e.excerpt}</p>}
      <div className="entry-meta hint">
        {e.identity && <span>via {identityText(e.identity)}</span>}
        {e.agent && <span>agent {e.agent.name ?? e.agent.id}</span>}
        {e.conversationId && <span>conversation {e.conversationId}</span>}
        {e.sentiment !== undefined && <span>sentiment {e.sentiment.toFixed(2)}</span>}
      </div>
      <FullMessage customerId={props.customerId} entry={e} />
    </li>
  );
}

/**
 * Notes placed among the conversations by time, newest first: those newer than the oldest
 * touchpoint loaded (all of them once the timeline is at its beginning).
 */
function withNotes(
  groups: TimelineEntry[][],
  notes: readonly Note[],
  more: boolean,
): (TimelineEntry[] | Note)[] {
  if (notes.length === 0) return groups;
  const oldest = groups.length ? groups[groups.length - 1][0].occurredAt : undefined;
  const shown = notes.filter((n) => !more || (oldest !== undefined && n.at >= oldest));
  const rows: { at: string; row: TimelineEntry[] | Note }[] = [
    ...groups.map((g) => ({ at: g[0].occurredAt, row: g })),
    ...shown.map((n) => ({ at: n.at, row: n })),
  ];
  return rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).map((r) => r.row);
}

/** An internal note on the timeline: marked as such, never sent to the customer. */
function NoteEntry(props: { note: Note }) {
  const { note } = props;
  return (
    <li className="entry note" data-testid="timeline-note">
      <div className="entry-meta">
        <span>
          <strong>Internal note</strong> · {note.staffName ?? note.staffId}
        </span>
        <time dateTime={note.at}>{formatDateTime(note.at)}</time>
      </div>
      <p className="note-text">{note.text}</p>
    </li>
  );
}
