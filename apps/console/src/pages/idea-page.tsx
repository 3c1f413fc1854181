import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorText, useApi } from '../api/client';
import { type BacklogItem, type IdeaDetail, type IdeaOrigin, NEXT_STATUSES } from '../api/types';
import { useAuth } from '../auth/auth';
import { Status } from '../components/status';
import { commentText, formatDate, formatDateTime, ideaTitle, label, shortId } from '../format';
import { StatusChange } from './idea-board-page';

const originText = (origin: IdeaOrigin) =>
  origin.kind === 'touchpoint' ? `on ${label(origin.channel)}` : `through ${origin.staffId}`;

const CustomerLink = (props: { id: string }) => (
  <Link to={`/customers/${props.id}`}>customer {shortId(props.id)}</Link>
);

/** One idea: who supports it, comments, its history; status and merge for supervisors. */
export function IdeaPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const auth = useAuth();
  const idea = useQuery({
    queryKey: ['idea', id],
    queryFn: () => api<IdeaDetail>(`/v1/ideas/${encodeURIComponent(id)}`),
  });
  if (idea.isPending) return <p aria-busy="true">Loading the idea…</p>;
  if (idea.isError)
    return (
      <>
        <h1>Idea</h1>
        <p className="error" role="alert">
          {errorText(idea.error)}
        </p>
      </>
    );
  const i = idea.data;
  return (
    <>
      <p>
        <Link to="/ideas">← All ideas</Link>
      </p>
      <h1>
        {ideaTitle(i.title)} <Status status={i.status} />
      </h1>
      {i.redirectedFrom && (
        <p className="hint">Idea {shortId(i.redirectedFrom)} was merged into this one.</p>
      )}
      <p>
        Submitted by <CustomerLink id={i.submittedBy} /> {originText(i.origin)} on{' '}
        {formatDate(i.submittedAt)}; {i.votes.length}{' '}
        {i.votes.length === 1 ? 'supporter' : 'supporters'}.
      </p>
      {i.description && <p>{i.description}</p>}
      {i.declineReason && <p>Declined: {i.declineReason}</p>}
      {i.rice && (
        <p>
          RICE: reach {i.rice.reach}, impact {i.rice.impact}, confidence{' '}
          {Math.round(i.rice.confidence * 100)} %, effort {i.rice.effort} person-months — score{' '}
          {((i.rice.reach * i.rice.impact * i.rice.confidence) / i.rice.effort).toFixed(1)}
        </p>
      )}
      {i.mergedInto && (
        <p>
          Merged into <Link to={`/ideas/${encodeURIComponent(i.mergedInto)}`}>another idea</Link>.
        </p>
      )}
      <div className="idea-layout">
        <div className="side">
          <section className="panel" aria-labelledby="supporters-heading">
            <h2 id="supporters-heading">Supporters</h2>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">How</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {i.votes.map((v) => (
                  <tr key={v.customerId}>
                    <td>
                      <CustomerLink id={v.customerId} />
                    </td>
                    <td>{originText(v.origin)}</td>
                    <td>{formatDate(v.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <Comments idea={i} />
        </div>
        <div className="side">
          {auth.has('supervisor') && NEXT_STATUSES[i.status].length > 0 && !i.mergedInto && (
            <section className="panel" aria-labelledby="actions-heading">
              <h2 id="actions-heading">Triage</h2>
              <StatusChange ideaId={i.ideaId} status={i.status} />
              <MergeIdea idea={i} />
              <Rice idea={i} />
            </section>
          )}
          <section className="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            <ol className="records">
              {i.history.map((h, n) => (
                <li key={n}>
                  <Status status={h.status} /> {formatDateTime(h.at)}
                  {h.staffId && ` by ${h.staffId}`}
                  {h.reason && `: ${h.reason}`}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </>
  );
}

function Comments(props: { idea: IdeaDetail }) {
  const { idea } = props;
  const api = useApi();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const comment = useMutation({
    mutationFn: () =>
      api(`/v1/ideas/${encodeURIComponent(idea.ideaId)}/comments`, {
        method: 'POST',
        body: { text: text.trim() },
      }),
    onSuccess: () => {
      setText('');
      setTimeout(() => void client.invalidateQueries({ queryKey: ['idea', idea.ideaId] }), 300);
    },
  });
  return (
    <section className="panel" aria-labelledby="comments-heading">
      <h2 id="comments-heading">Comments</h2>
      {idea.comments.length === 0 && <p className="hint">No comments yet.</p>}
      <ul className="records">
        {idea.comments.map((c) => (
          <li key={c.commentId}>
            <strong>
              {c.author.kind === 'staff' ? (
                c.author.staffId
              ) : (
                <CustomerLink id={c.author.customerId} />
              )}
            </strong>{' '}
            <span className="hint">{formatDateTime(c.at)}</span>
            <p>{commentText(c.text)}</p>
          </li>
        ))}
      </ul>
      <form
        className="comment-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) comment.mutate();
        }}
      >
        <label htmlFor="comment-text">Add a staff comment</label>
        <textarea id="comment-text" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" disabled={comment.isPending || !text.trim()}>
          Comment
        </button>
        {comment.isError && (
          <p className="error" role="alert">
            {errorText(comment.error)}
          </p>
        )}
      </form>
    </section>
  );
}

/** Merges this idea (a duplicate) into another open idea: its votes and comments move there. */
function MergeIdea(props: { idea: IdeaDetail }) {
  const { idea } = props;
  const api = useApi();
  const client = useQueryClient();
  const [into, setInto] = useState('');
  const open = useQuery({
    queryKey: ['ideas', 'open-for-merge'],
    queryFn: () =>
      api<{ items: BacklogItem[] }>(
        '/v1/ideas?status=new,under_review,planned,in_progress&sort=newest&limit=200',
      ),
  });
  const merge = useMutation({
    mutationFn: () =>
      api(`/v1/ideas/${encodeURIComponent(idea.ideaId)}/merge`, {
        method: 'POST',
        body: { intoIdeaId: into },
      }),
    onSuccess: () =>
      setTimeout(() => {
        void client.invalidateQueries({ queryKey: ['ideas'] });
        void client.invalidateQueries({ queryKey: ['idea', idea.ideaId] });
      }, 300),
  });
  const candidates = (open.data?.items ?? []).filter((i) => i.ideaId !== idea.ideaId);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (into) merge.mutate();
      }}
    >
      <label htmlFor="merge-into">Merge this duplicate into</label>
      <select id="merge-into" value={into} onChange={(e) => setInto(e.target.value)}>
        <option value="">choose an idea…</option>
        {candidates.map((c) => (
          <option key={c.ideaId} value={c.ideaId}>
            {ideaTitle(c.title)} ({c.votes})
          </option>
        ))}
      </select>
      <button type="submit" disabled={!into || merge.isPending}>
        Merge idea
      </button>
      {merge.isError && (
        <p className="error" role="alert">
          {errorText(merge.error)}
        </p>
      )}
      {merge.isSuccess && <p className="ok">Merged.</p>}
    </form>
  );
}

const RICE_FIELDS = [
  ['reach', 'Reach (people per period)', '1', '0'],
  ['impact', 'Impact (0.25 to 3)', '0.25', '0'],
  ['confidence', 'Confidence (0 to 1)', '0.05', '0'],
  ['effort', 'Effort (person-months)', '0.5', '0.5'],
] as const;

/** A supervisor's RICE estimate: reach × impact × confidence ÷ effort. */
function Rice(props: { idea: IdeaDetail }) {
  const { idea } = props;
  const api = useApi();
  const client = useQueryClient();
  const [values, setValues] = useState<Record<string, string>>(() => ({
    reach: String(idea.rice?.reach ?? ''),
    impact: String(idea.rice?.impact ?? ''),
    confidence: String(idea.rice?.confidence ?? ''),
    effort: String(idea.rice?.effort ?? ''),
  }));
  const score = useMutation({
    mutationFn: () =>
      api(`/v1/ideas/${encodeURIComponent(idea.ideaId)}/rice`, {
        method: 'POST',
        body: Object.fromEntries(RICE_FIELDS.map(([key]) => [key, Number(values[key])])),
      }),
    onSuccess: () =>
      setTimeout(() => {
        void client.invalidateQueries({ queryKey: ['idea', idea.ideaId] });
        void client.invalidateQueries({ queryKey: ['ideas'] });
      }, 300),
  });
  return (
    <form
      className="inline-form"
      aria-label="RICE estimate"
      onSubmit={(e) => {
        e.preventDefault();
        score.mutate();
      }}
    >
      {RICE_FIELDS.map(([key, text, step, min]) => (
        <label key={key}>
          {text}
          <input
            type="number"
            required
            min={min}
            {...(key === 'confidence' ? { max: 1 } : {})}
            step={step}
            value={values[key]}
            onChange={(e) => setValues({ ...values, [key]: e.target.value })}
          />
        </label>
      ))}
      <button type="submit" disabled={score.isPending}>
        Save RICE
      </button>
      {score.isError && (
        <p className="error" role="alert">
          {errorText(score.error)}
        </p>
      )}
    </form>
  );
}
