import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, useApi } from '../../api/client';
import { type TouchpointContent, type TimelineEntry } from '../../api/types';

/**
 * A timeline entry's full message, read from the log when opened (the timeline keeps an
 * excerpt): a native disclosure, so Enter or Space on its summary opens it.
 */
export function FullMessage(props: { customerId: string; entry: TimelineEntry }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const { entry } = props;
  const content = useQuery({
    queryKey: ['customer', props.customerId, 'touchpoint', entry.position],
    queryFn: () =>
      api<TouchpointContent>(`/v1/customers/${props.customerId}/touchpoints/${entry.position}`),
    enabled: open,
    staleTime: Infinity,
  });
  const c = content.data;
  return (
    <details
      className="full-message"
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>Full message</summary>
      {content.isPending && open && <p aria-busy="true">Opening…</p>}
      {content.isError && (
        <p className="error" role="alert">
          {errorText(content.error)}
        </p>
      )}
      {c && (
        <div data-testid="full-message">
          {c.erased && <p className="hint">Erased with the person: the texts are gone.</p>}
          {c.name && (
            <p>
              <span className="hint">Name seen:</span> {c.name}
            </p>
          )}
          {c.subject && <p className="subject">{c.subject}</p>}
          {c.text && <p className="message-text">{c.text}</p>}
          {c.attachments && c.attachments.length > 0 && (
            <ul aria-label="Attachments">
              {c.attachments.map((a, i) => (
                <li key={i}>
                  {a.name ?? '(erased)'}{' '}
                  <span className="hint">
                    {a.mimeType}, {a.sizeBytes} bytes
                  </span>
                </li>
              ))}
            </ul>
          )}
          {c.metadata && Object.keys(c.metadata).length > 0 && (
            <dl className="metadata">
              {Object.entries(c.metadata).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v === null ? '(erased)' : String(v)}</dd>
                </div>
              ))}
            </dl>
          )}
          <p className="hint">
            {c.source} · event {c.eventId}
          </p>
        </div>
      )}
    </details>
  );
}
