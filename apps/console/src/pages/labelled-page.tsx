import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { errorText, useApi } from '../api/client';
import { formatDateTime } from '../format';

/** Customers by label (`/labels/:label`): search by label. */
export function LabelledPage() {
  const { label = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const [value, setValue] = useState(label);
  const found = useQuery({
    queryKey: ['labels', label, 'customers'],
    queryFn: () =>
      api<{
        label: string;
        items: { customerId: string; touchpoints: number; lastContact: string | null }[];
      }>(`/v1/labels/${encodeURIComponent(label)}/customers?limit=200`),
    enabled: label !== '',
  });
  return (
    <>
      <h1>Customers by label</h1>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim())
            void navigate(`/labels/${encodeURIComponent(value.trim().toLowerCase())}`);
        }}
      >
        <label htmlFor="label-search">Label</label>
        <input id="label-search" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit">Find</button>
      </form>
      {found.isError && (
        <p className="error" role="alert">
          {errorText(found.error)}
        </p>
      )}
      {found.data && (
        <table className="table">
          <caption>
            {found.data.items.length} customers labelled “{found.data.label}”
          </caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Touchpoints</th>
              <th scope="col">Last contact</th>
            </tr>
          </thead>
          <tbody>
            {found.data.items.map((c) => (
              <tr key={c.customerId}>
                <td>
                  <Link to={`/customers/${c.customerId}`}>{c.customerId}</Link>
                </td>
                <td>{c.touchpoints}</td>
                <td>{c.lastContact ? formatDateTime(c.lastContact) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
