import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorText, useApi } from '../../api/client';

/** A customer's labels: add, remove, and each links to the customers carrying it. */
export function LabelsPanel(props: { customerId: string; past: boolean }) {
  const api = useApi();
  const client = useQueryClient();
  const id = encodeURIComponent(props.customerId);
  const [label, setLabel] = useState('');
  const labels = useQuery({
    queryKey: ['customer', props.customerId, 'labels'],
    queryFn: () => api<{ labels: string[] }>(`/v1/customers/${id}/labels`),
  });
  const refresh = () =>
    setTimeout(
      () => void client.invalidateQueries({ queryKey: ['customer', props.customerId, 'labels'] }),
      300,
    );
  const add = useMutation({
    mutationFn: (value: string) =>
      api<{ labels: string[] }>(`/v1/customers/${id}/labels`, {
        method: 'POST',
        body: { label: value },
      }),
    onSuccess: (answer) => {
      setLabel('');
      client.setQueryData(['customer', props.customerId, 'labels'], { labels: answer.labels });
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (value: string) =>
      api<{ labels: string[] }>(`/v1/customers/${id}/labels/${encodeURIComponent(value)}`, {
        method: 'DELETE',
      }),
    onSuccess: (answer) => {
      client.setQueryData(['customer', props.customerId, 'labels'], { labels: answer.labels });
      refresh();
    },
  });
  const current = labels.data?.labels ?? [];
  return (
    <section className="panel" aria-labelledby="labels-heading">
      <h2 id="labels-heading">Labels</h2>
      {current.length === 0 ? (
        <p className="hint">No labels.</p>
      ) : (
        <ul className="labels" data-testid="labels">
          {current.map((l) => (
            <li key={l} className="label-chip">
              <Link to={`/labels/${encodeURIComponent(l)}`}>{l}</Link>
              {!props.past && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove label ${l}`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(l)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!props.past && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (label.trim()) add.mutate(label);
          }}
        >
          <label htmlFor="new-label">Add a label</label>
          <input
            id="new-label"
            value={label}
            maxLength={32}
            placeholder="vip, b2b:gold"
            onChange={(e) => setLabel(e.target.value)}
          />
          <button type="submit" className="secondary" disabled={!label.trim() || add.isPending}>
            Add label
          </button>
        </form>
      )}
      {(add.isError || remove.isError) && (
        <p className="error" role="alert">
          {errorText(add.error ?? remove.error)}
        </p>
      )}
    </section>
  );
}
