import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorText, useApi } from '../api/client';
import { identityQuery, looksLikeIdentity } from '../api/identity-query';
import { type CustomerByName } from '../api/types';
import { formatDate, shortId } from '../format';

const KINDS = ['email', 'phone', 'chat', 'social', 'card'] as const;

type Search = { by: 'identity'; identity: string } | { by: 'name'; namePrefix: string };
type Found = { found: { customerId: string } } | { names: CustomerByName[] };

/**
 * Find a customer by any identity or by the start of a name. Both go in a POST body, never
 * in a URL: an identity or a name in an address ends up in access logs and history.
 */
export function FindCustomerPage() {
  const api = useApi();
  const navigate = useNavigate();
  const [kind, setKind] = useState('auto');
  const [value, setValue] = useState('');
  const find = useMutation({
    mutationFn: async (search: Search): Promise<Found> =>
      search.by === 'identity'
        ? {
            found: await api<{ customerId: string }>('/v1/customers/lookup', {
              method: 'POST',
              body: { identity: search.identity },
            }),
          }
        : {
            names: (
              await api<{ items: CustomerByName[] }>('/v1/customers/search', {
                method: 'POST',
                body: { namePrefix: search.namePrefix, limit: 20 },
              })
            ).items,
          },
    onSuccess: (result) => {
      if ('found' in result) void navigate(`/customers/${result.found.customerId}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = value.trim();
    if (!text) return;
    const byName = kind === 'name' || (kind === 'auto' && !looksLikeIdentity(text));
    find.mutate(
      byName
        ? { by: 'name', namePrefix: text }
        : { by: 'identity', identity: identityQuery(kind, text) },
    );
  };
  const names = find.data && 'names' in find.data ? find.data.names : undefined;
  return (
    <>
      <h1>Find a customer</h1>
      <p className="hint">
        By the start of a name (<code>maria ro</code>; any word of it, case and accents do not
        matter) or by any identity the customer used: an e-mail address, a phone number, a chat
        visitor id, a social handle (<code>social:instagram:handle</code>) or a card number.
      </p>
      <form className="search" onSubmit={submit}>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="auto">any (guess)</option>
            <option value="name">name</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Name or identity
          <input
            type="search"
            name="identity"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="Maria Rossi, maria.rossi@example.com"
          />
        </label>
        <button type="submit" disabled={find.isPending}>
          Find
        </button>
      </form>
      <div aria-live="polite">
        {find.isError && (
          <p className="error" role="alert">
            {(find.error as { status?: number }).status === 404
              ? 'No customer has that identity.'
              : errorText(find.error)}
          </p>
        )}
        {names &&
          (names.length === 0 ? (
            <p>No customer’s name starts like that.</p>
          ) : (
            <ul className="records" aria-label="Customers by name" data-testid="name-results">
              {names.map((c) => (
                <li key={c.customerId}>
                  <Link to={`/customers/${c.customerId}`}>{c.name}</Link>{' '}
                  <span className="hint">
                    {shortId(c.customerId)} · last seen by this name {formatDate(c.seenAt)}
                  </span>
                </li>
              ))}
            </ul>
          ))}
      </div>
    </>
  );
}
