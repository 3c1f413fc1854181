import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { errorText, useApi } from '../api/client';
import { identityText, type QueuedMergeSuggestion } from '../api/types';
import { useAuth } from '../auth/auth';
import { DismissSuggestionButton } from '../components/dismiss-suggestion-button';
import { formatDateTime, label, shortId } from '../format';

function Side(props: { side: QueuedMergeSuggestion['survivor'] }) {
  const { side } = props;
  return (
    <Link to={`/customers/${side.customerId}`}>
      {side.name ?? `Customer ${shortId(side.customerId)}`}
      {side.name && <span className="hint"> ({shortId(side.customerId)})</span>}
    </Link>
  );
}

/** Every open merge suggestion, oldest first: the queue staff work through. */
export function MergeSuggestionsPage() {
  const api = useApi();
  const auth = useAuth();
  const queue = useQuery({
    queryKey: ['merge-suggestions'],
    queryFn: () => api<{ items: QueuedMergeSuggestion[] }>('/v1/merge-suggestions?limit=200'),
  });
  const items = queue.data?.items ?? [];
  return (
    <>
      <h1>Merge suggestions</h1>
      <p className="hint">
        Customers who look like one person, oldest suggestion first. Open a customer to compare and
        merge;{' '}
        {auth.has('supervisor')
          ? 'dismiss a suggestion when they are different people.'
          : 'a supervisor merges or dismisses.'}
      </p>
      {queue.isError && (
        <p className="error" role="alert">
          {errorText(queue.error)}
        </p>
      )}
      {queue.isPending ? (
        <p aria-busy="true">Loading the suggestions…</p>
      ) : items.length === 0 ? (
        <p>No open suggestions.</p>
      ) : (
        <table className="list" data-testid="merge-suggestions">
          <caption className="visually-hidden">Open merge suggestions</caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">looks like</th>
              <th scope="col">Why</th>
              <th scope="col">Evidence</th>
              <th scope="col">Suggested</th>
              {auth.has('supervisor') && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={`${s.survivorId}|${s.mergedId}`}>
                <td>
                  <Side side={s.merged} />
                </td>
                <td>
                  <Side side={s.survivor} />
                </td>
                <td>{label(s.reason)}</td>
                <td>{s.evidence.map(identityText).join(', ')}</td>
                <td>
                  <time dateTime={s.at}>{formatDateTime(s.at)}</time>
                </td>
                {auth.has('supervisor') && (
                  <td>
                    <DismissSuggestionButton survivorId={s.survivorId} mergedId={s.mergedId} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
