import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { errorText, useApi } from '../api/client';
import { type BacklogItem, IDEA_STATUSES, type IdeaStatus, NEXT_STATUSES } from '../api/types';
import { useAuth } from '../auth/auth';
import { formatDate, ideaTitle, label } from '../format';

const SORTS = [
  ['priority', 'priority'],
  ['trend', 'trend'],
  ['newest', 'newest'],
] as const;
const PRIORITIES = [
  ['count', 'votes'],
  ['closeness', 'closeness-weighted'],
  ['rice', 'RICE'],
] as const;

/** The idea backlog as a board: a column per status. */
export function IdeaBoardPage() {
  const api = useApi();
  const [sort, setSort] = useState('priority');
  const [priority, setPriority] = useState('count');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const ideas = useQuery({
    queryKey: ['ideas', sort, priority, search],
    queryFn: () => {
      const params = new URLSearchParams({ sort, priority, limit: '200' });
      if (search) params.set('q', search);
      return api<{ items: BacklogItem[]; total: number }>(`/v1/ideas?${params.toString()}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch(q.trim());
  };
  return (
    <>
      <h1>Ideas</h1>
      <form className="search" onSubmit={submit}>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value)}>
            {SORTS.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select value={priority} onChange={(e) => setPriority(e.target.value)}>
            {PRIORITIES.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Search
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {ideas.isError && (
        <p className="error" role="alert">
          {errorText(ideas.error)}
        </p>
      )}
      {ideas.data && (
        <>
          <p className="hint">
            {ideas.data.total} ideas
            {ideas.data.total > ideas.data.items.length &&
              ` (the first ${ideas.data.items.length} shown: search to narrow)`}
          </p>
          <div className="board">
            {IDEA_STATUSES.map((status) => {
              const column = ideas.data.items.filter((i) => i.status === status);
              return (
                <section key={status} className="column" aria-labelledby={`col-${status}`}>
                  <h2 id={`col-${status}`}>
                    {label(status)} <span className="hint">({column.length})</span>
                  </h2>
                  <ul>
                    {column.map((idea) => (
                      <IdeaCard key={idea.ideaId} idea={idea} />
                    ))}
                  </ul>
                </section>
              );
            })}
          </div>
        </>
      )}
    </>
  );
}

function IdeaCard(props: { idea: BacklogItem }) {
  const idea = props.idea;
  const auth = useAuth();
  return (
    <li className="card">
      <h3>
        <Link to={`/ideas/${encodeURIComponent(idea.ideaId)}`}>{ideaTitle(idea.title)}</Link>
      </h3>
      <p className="hint">
        {idea.votes} {idea.votes === 1 ? 'supporter' : 'supporters'} · priority{' '}
        {idea.priority.toFixed(1)} · trend {idea.trend} · since {formatDate(idea.submittedAt)}
      </p>
      {auth.has('supervisor') && NEXT_STATUSES[idea.status].length > 0 && (
        <StatusChange ideaId={idea.ideaId} status={idea.status} />
      )}
    </li>
  );
}

/** Moves an idea one step on (or declines it, with a reason): supervisors. */
export function StatusChange(props: { ideaId: string; status: IdeaStatus }) {
  const idea = props;
  const api = useApi();
  const client = useQueryClient();
  const next = NEXT_STATUSES[idea.status];
  const [to, setTo] = useState<IdeaStatus>(next[0]);
  const [reason, setReason] = useState('');
  const change = useMutation({
    mutationFn: () =>
      api(`/v1/ideas/${encodeURIComponent(idea.ideaId)}/status`, {
        method: 'POST',
        body: { to, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      }),
    onSuccess: () =>
      setTimeout(() => {
        void client.invalidateQueries({ queryKey: ['ideas'] });
        void client.invalidateQueries({ queryKey: ['idea', idea.ideaId] });
      }, 300),
  });
  const id = `status-${idea.ideaId}`;
  return (
    <details>
      <summary>Change status</summary>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <label htmlFor={`${id}-to`}>New status</label>
        <select id={`${id}-to`} value={to} onChange={(e) => setTo(e.target.value as IdeaStatus)}>
          {next.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-reason`}>Reason{to === 'declined' ? ' (required)' : ''}</label>
        <input
          id={`${id}-reason`}
          value={reason}
          required={to === 'declined'}
          onChange={(e) => setReason(e.target.value)}
        />
        <button type="submit" disabled={change.isPending}>
          Change
        </button>
        {change.isError && (
          <p className="error" role="alert">
            {errorText(change.error)}
          </p>
        )}
      </form>
    </details>
  );
}
