import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorText, useApi } from '../api/client';
import { type RankedCustomer } from '../api/types';
import { formatDateTime, formatScore } from '../format';

function RankedTable(props: { items: RankedCustomer[]; atRisk?: boolean; caption: string }) {
  return (
    <table className="table">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Customer</th>
          <th scope="col">Score</th>
          {props.atRisk && <th scope="col">At window start</th>}
          {props.atRisk && <th scope="col">Drop</th>}
          <th scope="col">Last contact</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((c, i) => (
          <tr key={c.customerId}>
            <td>{c.rank ?? i + 1}</td>
            <td>
              <Link to={`/customers/${c.customerId}`}>{c.customerId}</Link>
            </td>
            <td>{formatScore(c.score)}</td>
            {props.atRisk && <td>{formatScore(c.scoreAtWindowStart)}</td>}
            {props.atRisk && <td>−{formatScore(c.drop)}</td>}
            <td>{formatDateTime(c.lastContactAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ClosestPage() {
  const api = useApi();
  const [limit, setLimit] = useState(50);
  const [label, setLabel] = useState('');
  const top = useQuery({
    queryKey: ['closeness', 'top', limit, label],
    queryFn: () =>
      api<{ items: RankedCustomer[] }>(
        label
          ? `/v1/labels/${encodeURIComponent(label)}/closest?limit=${limit}`
          : `/v1/closeness/top?limit=${limit}`,
      ),
  });
  return (
    <>
      <h1>Closest customers</h1>
      <label className="inline">
        Show
        <select value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
          {[20, 50, 100, 500].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <LabelFilter value={label} onChange={setLabel} />
      {top.isError && (
        <p className="error" role="alert">
          {errorText(top.error)}
        </p>
      )}
      {top.data && <RankedTable items={top.data.items} caption="Highest closeness score first" />}
    </>
  );
}

const WINDOWS = [
  ['7d', '7 days'],
  ['14d', '14 days'],
  ['30d', '30 days'],
  ['60d', '60 days'],
  ['90d', '90 days'],
] as const;

export function AtRiskPage() {
  const api = useApi();
  const [window, setWindow] = useState('30d');
  const [label, setLabel] = useState('');
  const atRisk = useQuery({
    queryKey: ['closeness', 'at-risk', window, label],
    queryFn: () =>
      api<{ items: RankedCustomer[] }>(
        label
          ? `/v1/labels/${encodeURIComponent(label)}/at-risk?window=${window}`
          : `/v1/closeness/at-risk?window=${window}`,
      ),
  });
  return (
    <>
      <h1>At-risk customers</h1>
      <p className="hint">Customers who were close and have not been in touch within the window.</p>
      <label className="inline">
        Quiet for
        <select value={window} onChange={(e) => setWindow(e.target.value)}>
          {WINDOWS.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <LabelFilter value={label} onChange={setLabel} />
      {atRisk.isError && (
        <p className="error" role="alert">
          {errorText(atRisk.error)}
        </p>
      )}
      {atRisk.data && (
        <RankedTable
          items={atRisk.data.items}
          atRisk
          caption="The closest at the window's start first"
        />
      )}
    </>
  );
}

/** Only the customers carrying a label (applied on submit; empty: everyone). */
function LabelFilter(props: { value: string; onChange: (label: string) => void }) {
  const [value, setValue] = useState(props.value);
  return (
    <form
      className="inline-form"
      aria-label="Filter by label"
      onSubmit={(e) => {
        e.preventDefault();
        props.onChange(value.trim().toLowerCase());
      }}
    >
      <label htmlFor="list-label">Only with the label</label>
      <input
        id="list-label"
        value={value}
        placeholder="any"
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="secondary">
        Filter
      </button>
    </form>
  );
}
