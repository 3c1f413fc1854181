import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { errorText, useApi } from '../api/client';
import {
  type BacklogItem,
  CHANNELS,
  type Closeness,
  type CustomerProfile,
  identityKind,
  identityPayload,
  identityText,
  identityValue,
  type MergeRecord,
  type TimelineEntry,
  type TimelinePage,
} from '../api/types';
import { useAuth } from '../auth/auth';
import { Sparkline } from '../components/sparkline';
import { Status } from '../components/status';
import { formatDate, formatDateTime, formatScore, label, shortId } from '../format';

const TYPES = ['touchpoint.recorded', 'survey.responded'] as const;

/** One customer: profile header, unified timeline, closeness, identity and ideas. */
export function CustomerPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const asOf = params.get('asOf') ?? undefined;
  const api = useApi();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [highlight, setHighlight] = useState<string>();
  const at = asOf ? `asOf=${encodeURIComponent(asOf)}` : '';
  const profile = useQuery({
    queryKey: ['customer', id, 'profile', asOf],
    queryFn: () =>
      api<CustomerProfile>(`/v1/customers/${encodeURIComponent(id)}${at ? `?${at}` : ''}`),
  });
  const closeness = useQuery({
    queryKey: ['customer', id, 'closeness', asOf],
    queryFn: () =>
      api<Closeness>(
        `/v1/customers/${encodeURIComponent(id)}/closeness?days=90${at ? `&${at}` : ''}`,
      ),
    retry: false,
  });
  if (profile.isPending) return <p aria-busy="true">Loading the customer…</p>;
  if (profile.isError)
    return (
      <>
        <h1>Customer</h1>
        <p className="error" role="alert">
          {errorText(profile.error)}
        </p>
        {asOf && <AsOf asOf={asOf} onChange={(v) => setParams(v ? { asOf: v } : {})} />}
      </>
    );
  const p = profile.data;
  return (
    <>
      <AsOf asOf={asOf} onChange={(v) => setParams(v ? { asOf: v } : {})} />
      <CustomerHeader profile={p} closeness={closeness.data} />
      <div className="customer-layout">
        <section aria-labelledby="timeline-heading" className="panel timeline-panel">
          <h2 id="timeline-heading">Timeline</h2>
          <Timeline
            customerId={p.customerId}
            asOf={asOf}
            filters={filters}
            onFilters={setFilters}
            highlight={highlight}
          />
        </section>
        <div className="side">
          <ClosenessPanel
            closeness={closeness.data}
            error={closeness.error}
            onShow={(eventId, occurredAt) => {
              // That day on the timeline, the touchpoint marked.
              const day = toLocalInput(occurredAt).slice(0, 10);
              setFilters({ ...NO_FILTERS, from: day, to: day });
              setHighlight(eventId);
              document.getElementById('timeline-heading')?.scrollIntoView();
            }}
          />
          <IdentityPanel profile={p} past={!!asOf} />
          {!asOf && <CustomerIdeas profile={p} />}
        </div>
      </div>
    </>
  );
}

/** `datetime-local` (the browser's zone) ⇄ RFC 3339 in UTC. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
};

/**
 * Time travel: the customer as the platform saw them at a past moment (the identity graph and
 * the touchpoints recorded by then). Nothing can be changed in the past.
 */
function AsOf(props: { asOf?: string; onChange: (asOf: string | undefined) => void }) {
  const [value, setValue] = useState(props.asOf ? toLocalInput(props.asOf) : '');
  return (
    <form
      className={`as-of ${props.asOf ? 'past' : ''}`}
      aria-label="Time travel"
      onSubmit={(e) => {
        e.preventDefault();
        if (value) props.onChange(new Date(value).toISOString());
      }}
    >
      {props.asOf ? (
        <p>
          <strong>As of {formatDateTime(props.asOf)}</strong>: what the platform knew then
          (identities, merges, touchpoints recorded by that moment). Read only.
        </p>
      ) : null}
      <label>
        See this customer as of
        <input
          type="datetime-local"
          step={1}
          value={value}
          max={toLocalInput(new Date().toISOString())}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit" className="secondary" disabled={!value}>
        Go back in time
      </button>
      {props.asOf && (
        <button
          type="button"
          onClick={() => {
            setValue('');
            props.onChange(undefined);
          }}
        >
          Back to now
        </button>
      )}
    </form>
  );
}

function trendOf(history: { score: number }[] | undefined): number | undefined {
  if (!history || history.length < 2) return undefined;
  return history[history.length - 1].score - history[0].score;
}

function CustomerHeader(props: { profile: CustomerProfile; closeness?: Closeness }) {
  const { profile: p, closeness } = props;
  const trend = trendOf(closeness?.history);
  const primary = p.identities[0];
  return (
    <header className="customer-header panel">
      <div>
        <h1>{primary ? identityValue(primary) : `Customer ${shortId(p.customerId)}`}</h1>
        {p.redirectedFrom && (
          <p className="hint">
            Customer {shortId(p.redirectedFrom)} was merged into this one; showing the survivor.
          </p>
        )}
        <ul className="identities" aria-label="Identities">
          {p.identities.map((identity) => (
            <li key={identityText(identity)}>
              <span className="badge">{identityKind(identity)}</span> {identityValue(identity)}
            </li>
          ))}
        </ul>
      </div>
      <dl className="facts">
        <div>
          <dt>Closeness</dt>
          <dd>
            <strong className="score">{formatScore(closeness?.score)}</strong>
            {trend !== undefined && (
              <span className={trend >= 0 ? 'up' : 'down'}>
                {' '}
                {trend >= 0 ? '▲' : '▼'} {Math.abs(trend).toFixed(1)}{' '}
                <span className="hint">in {closeness?.history.length} days</span>
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>First contact</dt>
          <dd>{formatDate(p.firstContact)}</dd>
        </div>
        <div>
          <dt>Last contact</dt>
          <dd>{formatDateTime(p.lastContact)}</dd>
        </div>
        <div>
          <dt>Touchpoints</dt>
          <dd>
            {p.touchpoints}{' '}
            <span className="hint">
              (
              {Object.entries(p.touchpointsPerChannel)
                .map(([channel, n]) => `${label(channel)} ${n}`)
                .join(', ')}
              )
            </span>
          </dd>
        </div>
        <div>
          <dt>Customer id</dt>
          <dd>
            <code>{p.customerId}</code>
          </dd>
        </div>
      </dl>
    </header>
  );
}

interface Filters {
  channel: string[];
  direction: string;
  type: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { channel: [], direction: '', type: '', from: '', to: '' };

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

function Timeline(props: {
  customerId: string;
  asOf?: string;
  filters: Filters;
  onFilters: (filters: Filters) => void;
  highlight?: string;
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
          {conversations(items).map((group) =>
            group.length === 1 ? (
              <TimelineItem
                key={group[0].eventId}
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

function TimelineItem(props: { entry: TimelineEntry; marked: boolean }) {
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
    </li>
  );
}

const COMPONENTS = ['intensity', 'emotion', 'breadth', 'coCreation'] as const;

function ClosenessPanel(props: {
  closeness?: Closeness;
  error: unknown;
  onShow: (eventId: string, occurredAt: string) => void;
}) {
  const c = props.closeness;
  return (
    <section className="panel" aria-labelledby="closeness-heading">
      <h2 id="closeness-heading">Closeness</h2>
      {!c ? (
        <p className="hint">
          {props.error ? 'No closeness score: no contact on record.' : 'Loading…'}
        </p>
      ) : (
        <>
          <p>
            Score <strong className="score">{formatScore(c.score)}</strong> of 100
          </p>
          <div
            className="bar"
            role="img"
            aria-label={COMPONENTS.map((k) => `${label(k)} ${formatScore(c.components[k])}`).join(
              ', ',
            )}
          >
            {COMPONENTS.map((k) => (
              <span key={k} className={`seg seg-${k}`} style={{ width: `${c.components[k]}%` }} />
            ))}
          </div>
          <ul className="legend">
            {COMPONENTS.map((k) => (
              <li key={k}>
                <span className={`swatch seg-${k}`} aria-hidden="true" />
                {k === 'coCreation' ? 'co-creation' : k} {formatScore(c.components[k])}
              </li>
            ))}
          </ul>
          <h3>Last {c.history.length} days</h3>
          <Sparkline
            points={c.history.map((h) => ({ x: h.date, y: h.score }))}
            label="Daily closeness score"
          />
          <h3>Why: top contributors</h3>
          <ol className="contributors">
            {c.topContributors.map((t) => (
              <li key={t.eventId}>
                <strong>+{t.points.toFixed(1)}</strong> {t.channel ? label(t.channel) : t.kind}{' '}
                {t.direction ?? ''} {t.twoWay ? '(answered)' : ''}{' '}
                <span className="hint">{formatDate(t.occurredAt)}</span>{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => props.onShow(t.eventId, t.occurredAt)}
                >
                  show
                  <span className="visually-hidden">
                    {' '}
                    the touchpoint of {formatDate(t.occurredAt)} on the timeline
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** A merge still in force: merged and not unmerged since. */
function mergesInForce(history: MergeRecord[]): Set<string> {
  const inForce = new Set<string>();
  for (const r of [...history].sort((a, b) => a.sequence - b.sequence)) {
    if (r.action === 'merged') inForce.add(r.mergedId);
    else inForce.delete(r.mergedId);
  }
  return inForce;
}

type IdentityCommand =
  | { action: 'merge' | 'unmerge'; survivorId: string; customerId: string }
  | { action: 'link' | 'unlink'; identity: ReturnType<typeof identityPayload> };

const LINK_KINDS = ['email', 'phone', 'chat', 'card', 'social'] as const;

function IdentityPanel(props: { profile: CustomerProfile; past: boolean }) {
  const p = props.profile;
  const api = useApi();
  const auth = useAuth();
  const client = useQueryClient();
  const mayChange = auth.has('supervisor') && !props.past;
  const command = useMutation({
    mutationFn: (c: IdentityCommand) =>
      'identity' in c
        ? api(`/v1/customers/${p.customerId}/identities${c.action === 'unlink' ? '/unlink' : ''}`, {
            method: 'POST',
            body: { identity: c.identity },
          })
        : api(`/v1/customers/${c.survivorId}/${c.action}`, {
            method: 'POST',
            body: { customerId: c.customerId },
          }),
    // The read models apply the decision within moments.
    onSuccess: () =>
      setTimeout(() => void client.invalidateQueries({ queryKey: ['customer'] }), 400),
  });
  const inForce = mergesInForce(p.mergeHistory);
  const [mergeId, setMergeId] = useState('');
  const [linkKind, setLinkKind] = useState<string>('email');
  const [linkValue, setLinkValue] = useState('');
  return (
    <section className="panel" aria-labelledby="identity-heading">
      <h2 id="identity-heading">Identity</h2>
      {mayChange && (
        <>
          <h3>Identities</h3>
          <ul className="records">
            {p.identities.map((identity) => (
              <li key={identityText(identity)}>
                {identityText(identity)}
                {p.identities.length > 1 && (
                  <button
                    type="button"
                    className="secondary"
                    disabled={command.isPending}
                    onClick={() =>
                      command.mutate({ action: 'unlink', identity: identityPayload(identity) })
                    }
                  >
                    Unlink <span className="visually-hidden">{identityText(identity)}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (linkValue.trim())
                command.mutate({
                  action: 'link',
                  identity: identityPayload(`${linkKind}:${linkValue.trim()}`),
                });
            }}
          >
            <label>
              Kind
              <select value={linkKind} onChange={(e) => setLinkKind(e.target.value)}>
                {LINK_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Identity to link
              <input
                value={linkValue}
                onChange={(e) => setLinkValue(e.target.value)}
                spellCheck={false}
                autoComplete="off"
              />
            </label>
            <button type="submit" disabled={command.isPending}>
              Link
            </button>
          </form>
        </>
      )}
      <h3>Merge suggestions</h3>
      {p.openMergeSuggestions.length === 0 ? (
        <p className="hint">None open.</p>
      ) : (
        <ul className="records">
          {p.openMergeSuggestions.map((s) => (
            <li key={s.sequence}>
              <Link to={`/customers/${s.mergedId}`}>Customer {shortId(s.mergedId)}</Link> looks like{' '}
              <Link to={`/customers/${s.survivorId}`}>{shortId(s.survivorId)}</Link> (
              {label(s.reason)}); evidence: {s.evidence.map(identityText).join(', ')}{' '}
              <span className="hint">{formatDate(s.at)}</span>
              {mayChange && (
                <button
                  type="button"
                  disabled={command.isPending}
                  onClick={() =>
                    command.mutate({
                      action: 'merge',
                      survivorId: s.survivorId,
                      customerId: s.mergedId,
                    })
                  }
                >
                  Merge
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3>Merge history</h3>
      {p.mergeHistory.length === 0 ? (
        <p className="hint">No merges.</p>
      ) : (
        <ul className="records">
          {p.mergeHistory.map((r) => (
            <li key={r.sequence}>
              {r.action} <code>{shortId(r.mergedId)}</code> into{' '}
              <code>{shortId(r.survivorId)}</code> ({label(r.reason)},{' '}
              {r.by.kind === 'staff' ? `by ${r.by.staffId}` : `by ${r.by.source}`}){' '}
              <span className="hint">{formatDateTime(r.at)}</span>
              {mayChange && r.action === 'merged' && inForce.has(r.mergedId) && (
                <button
                  type="button"
                  className="secondary"
                  disabled={command.isPending}
                  onClick={() =>
                    command.mutate({
                      action: 'unmerge',
                      survivorId: p.customerId,
                      customerId: r.mergedId,
                    })
                  }
                >
                  Unmerge
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayChange && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (mergeId.trim())
              command.mutate({
                action: 'merge',
                survivorId: p.customerId,
                customerId: mergeId.trim(),
              });
          }}
        >
          <label>
            Merge another customer (id) into this one
            <input
              value={mergeId}
              onChange={(e) => setMergeId(e.target.value)}
              spellCheck={false}
            />
          </label>
          <button type="submit" disabled={command.isPending}>
            Merge
          </button>
        </form>
      )}
      <div aria-live="polite">
        {command.isError && (
          <p className="error" role="alert">
            {errorText(command.error)}
          </p>
        )}
        {command.isSuccess && <p className="ok">Done: the customer page updates in a moment.</p>}
      </div>
    </section>
  );
}

function CustomerIdeas(props: { profile: CustomerProfile }) {
  const ideas = props.profile.ideas ?? [];
  return (
    <section className="panel" aria-labelledby="ideas-heading">
      <h2 id="ideas-heading">Ideas</h2>
      {ideas.length === 0 ? (
        <p className="hint">No ideas submitted or supported.</p>
      ) : (
        <ul className="records">
          {ideas.map((idea) => (
            <li key={idea.ideaId}>
              <Link to={`/ideas/${encodeURIComponent(idea.ideaId)}`}>{idea.title}</Link>{' '}
              <Status status={idea.status} />{' '}
              <span className="hint">
                {idea.role}, {formatDate(idea.updatedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <OnBehalf profile={props.profile} />
    </section>
  );
}

/** An agent records what the customer said elsewhere: a new idea, or a vote for an open one. */
function OnBehalf(props: { profile: CustomerProfile }) {
  const { profile } = props;
  const api = useApi();
  const client = useQueryClient();
  const [title, setTitle] = useState('');
  const [voteFor, setVoteFor] = useState('');
  const open = useQuery({
    queryKey: ['ideas', 'open-for-votes'],
    queryFn: () =>
      api<{ items: BacklogItem[] }>(
        '/v1/ideas?status=new,under_review,planned,in_progress&sort=priority&limit=200',
      ),
  });
  const refresh = () =>
    setTimeout(() => {
      void client.invalidateQueries({ queryKey: ['customer', profile.customerId] });
      void client.invalidateQueries({ queryKey: ['ideas'] });
    }, 400);
  const submit = useMutation({
    mutationFn: () =>
      api('/v1/ideas', {
        method: 'POST',
        body: { title: title.trim(), customerId: profile.customerId },
      }),
    onSuccess: () => {
      setTitle('');
      refresh();
    },
  });
  const vote = useMutation({
    mutationFn: () =>
      api(`/v1/ideas/${encodeURIComponent(voteFor)}/votes`, {
        method: 'POST',
        body: { customerId: profile.customerId },
      }),
    onSuccess: () => {
      setVoteFor('');
      refresh();
    },
  });
  const mine = new Set((profile.ideas ?? []).map((i) => i.ideaId));
  const candidates = (open.data?.items ?? []).filter((i) => !mine.has(i.ideaId));
  const error = submit.error ?? vote.error;
  return (
    <>
      <h3>On the customer&apos;s behalf</h3>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (title.trim()) submit.mutate();
        }}
      >
        <label>
          New idea from this customer
          <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
        </label>
        <button type="submit" disabled={submit.isPending || !title.trim()}>
          Submit idea
        </button>
      </form>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (voteFor) vote.mutate();
        }}
      >
        <label>
          The customer supports
          <select value={voteFor} onChange={(e) => setVoteFor(e.target.value)}>
            <option value="">choose an idea…</option>
            {candidates.map((c) => (
              <option key={c.ideaId} value={c.ideaId}>
                {c.title} ({c.votes})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={vote.isPending || !voteFor}>
          Add vote
        </button>
      </form>
      <div aria-live="polite">
        {error && (
          <p className="error" role="alert">
            {errorText(error)}
          </p>
        )}
      </div>
    </>
  );
}
