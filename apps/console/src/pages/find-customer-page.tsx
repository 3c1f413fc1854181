import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { errorText, useApi } from '../api/client';
import { identityQuery } from '../api/identity-query';

const KINDS = ['email', 'phone', 'chat', 'social', 'card'] as const;

/** Find a customer by any identity: the identity goes in a POST body, never in a URL. */
export function FindCustomerPage() {
  const api = useApi();
  const navigate = useNavigate();
  const [kind, setKind] = useState('auto');
  const [value, setValue] = useState('');
  const lookup = useMutation({
    mutationFn: (identity: string) =>
      api<{ customerId: string }>('/v1/customers/lookup', {
        method: 'POST',
        body: { identity },
      }),
    onSuccess: (found) => navigate(`/customers/${found.customerId}`),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) lookup.mutate(identityQuery(kind, value));
  };
  return (
    <>
      <h1>Find a customer</h1>
      <p className="hint">
        By any identity the customer used: an e-mail address, a phone number, a chat visitor id, a
        social handle (<code>social:instagram:handle</code>) or a card number. Case and spaces do
        not matter.
      </p>
      <form className="search" onSubmit={submit}>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="auto">any (guess)</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Identity
          <input
            type="search"
            name="identity"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="maria.rossi@example.com"
          />
        </label>
        <button type="submit" disabled={lookup.isPending}>
          Find
        </button>
      </form>
      <div aria-live="polite">
        {lookup.isError && (
          <p className="error" role="alert">
            {(lookup.error as { status?: number }).status === 404
              ? 'No customer has that identity.'
              : errorText(lookup.error)}
          </p>
        )}
      </div>
    </>
  );
}
