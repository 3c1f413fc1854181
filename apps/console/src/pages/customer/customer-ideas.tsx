import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorText, useApi } from '../../api/client';
import { type BacklogItem, type CustomerProfile } from '../../api/types';
import { Status } from '../../components/status';
import { formatDate, ideaTitle } from '../../format';

export function CustomerIdeas(props: { profile: CustomerProfile }) {
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
              <Link to={`/ideas/${encodeURIComponent(idea.ideaId)}`}>{ideaTitle(idea.title)}</Link>{' '}
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
                {ideaTitle(c.title)} ({c.votes})
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
