import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { errorText, useApi } from '../../api/client';
import { type Closeness, type CustomerProfile } from '../../api/types';
import { formatDateTime } from '../../format';
import { ClosenessPanel } from './closeness-panel';
import { CustomerHeader } from './customer-header';
import { CustomerIdeas } from './customer-ideas';
import { IdentityPanel } from './identity-panel';
import { LabelsPanel } from './labels-panel';
import { NoteForm, useNotes } from './notes-panel';
import { PresenceBar } from './presence-bar';
import { useLiveCustomer } from '../../live/use-live-customer';
import { type Filters, NO_FILTERS, Timeline } from './timeline';

/** One customer: profile header, unified timeline, closeness, identity and ideas. */
export function CustomerPage() {
  const { id = '' } = useParams();
  // Another customer is another page: filters and marks start afresh.
  return <CustomerView key={id} id={id} />;
}

function CustomerView(props: { id: string }) {
  const { id } = props;
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
  // Live (new touchpoints, notes, labels; who else is here) unless looking at the past.
  const live = useLiveCustomer(id, !asOf);
  const notes = useNotes(id, !asOf);
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
      {!asOf && <PresenceBar viewers={live.viewers} status={live.status} />}
      <div className="customer-layout">
        <section aria-labelledby="timeline-heading" className="panel timeline-panel">
          <h2 id="timeline-heading">Timeline</h2>
          <Timeline
            customerId={p.customerId}
            asOf={asOf}
            filters={filters}
            onFilters={setFilters}
            highlight={highlight}
            notes={asOf ? [] : notes.data?.items}
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
          {!asOf && <NoteForm customerId={p.customerId} />}
          <LabelsPanel customerId={p.customerId} past={!!asOf} />
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
