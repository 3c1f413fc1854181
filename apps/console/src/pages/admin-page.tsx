import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorText, useApi } from '../api/client';
import { CHANNELS } from '../api/types';
import { formatDateTime, label } from '../format';

interface AuditEntry {
  at: string;
  actor: string;
  roles: string[];
  action: string;
  customerId?: string;
  status: number;
}

interface AdapterKey {
  id: string;
  name: string;
  scope: { channels: string[]; sourcePatterns: string[]; verifiedKinds: string[] };
  createdAt: string;
  rotatedAt?: string;
  revokedAt?: string;
}

const VERIFIED_KINDS = ['email', 'phone', 'social', 'chat', 'card'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Admins: the audit trail of staff requests, and the adapter keys channel adapters publish with. */
export function AdminPage() {
  return (
    <>
      <h1>Administration</h1>
      <AdapterKeys />
      <AuditTrail />
    </>
  );
}

function AuditTrail() {
  const api = useApi();
  const [customer, setCustomer] = useState('');
  const [filter, setFilter] = useState('');
  const audit = useQuery({
    queryKey: ['admin', 'audit', filter],
    queryFn: () => api<AuditEntry[]>(`/v1/audit?limit=100${filter ? `&customerId=${filter}` : ''}`),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = UUID.test(customer.trim()) ? customer.trim() : '';
    if (next === filter) void audit.refetch();
    else setFilter(next);
  };
  return (
    <section className="panel" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit trail</h2>
      <form className="search" onSubmit={submit}>
        <label className="grow">
          Customer id (empty: everyone)
          <input
            value={customer}
            onChange={(e) => setCustomer(e.target.value)}
            spellCheck={false}
          />
        </label>
        <button type="submit">Show</button>
      </form>
      {audit.isError && (
        <p className="error" role="alert">
          {errorText(audit.error)}
        </p>
      )}
      {audit.data && (
        <table className="table">
          <caption>The last {audit.data.length} staff requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Request</th>
              <th scope="col">Customer</th>
              <th scope="col">Answer</th>
            </tr>
          </thead>
          <tbody>
            {audit.data.map((a, i) => (
              <tr key={`${a.at}-${i}`}>
                <td>{formatDateTime(a.at)}</td>
                <td>
                  {a.actor} <span className="hint">({a.roles.join(', ')})</span>
                </td>
                <td>
                  <code>{a.action}</code>
                </td>
                <td>{a.customerId ? <code>{a.customerId}</code> : '—'}</td>
                <td>{a.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AdapterKeys() {
  const api = useApi();
  const client = useQueryClient();
  const [issued, setIssued] = useState<{ name: string; key: string }>();
  const keys = useQuery({
    queryKey: ['admin', 'adapter-keys'],
    queryFn: () => api<AdapterKey[]>('/v1/admin/adapter-keys'),
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ['admin', 'adapter-keys'] });
  const rotate = useMutation({
    mutationFn: (k: AdapterKey) =>
      api<{ key: string }>(`/v1/admin/adapter-keys/${encodeURIComponent(k.id)}/rotate`, {
        method: 'POST',
      }).then((r) => ({ name: k.name, key: r.key })),
    onSuccess: (r) => {
      setIssued(r);
      refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (k: AdapterKey) =>
      api(`/v1/admin/adapter-keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const error = rotate.error ?? revoke.error;
  return (
    <section className="panel" aria-labelledby="keys-heading">
      <h2 id="keys-heading">Adapter keys</h2>
      {issued && (
        <div className="issued" role="status">
          <p>
            The key of <strong>{issued.name}</strong>, shown this once (only its hash is kept):
          </p>
          <code>{issued.key}</code>
        </div>
      )}
      {keys.isError && (
        <p className="error" role="alert">
          {errorText(keys.error)}
        </p>
      )}
      {keys.data && (
        <table className="table">
          <caption>Keys channel adapters send in x-api-key</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Channels</th>
              <th scope="col">Sources</th>
              <th scope="col">Verified kinds</th>
              <th scope="col">Since</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <th scope="row">
                  {k.name} <span className="hint">{k.id}</span>
                </th>
                <td>{k.scope.channels.map(label).join(', ')}</td>
                <td>{k.scope.sourcePatterns.join(', ')}</td>
                <td>{k.scope.verifiedKinds.join(', ') || '—'}</td>
                <td>
                  {k.revokedAt
                    ? `revoked ${formatDateTime(k.revokedAt)}`
                    : formatDateTime(k.rotatedAt ?? k.createdAt)}
                </td>
                <td>
                  {!k.revokedAt && (
                    <>
                      <button
                        type="button"
                        className="secondary"
                        disabled={rotate.isPending}
                        onClick={() => rotate.mutate(k)}
                      >
                        Rotate <span className="visually-hidden">{k.name}</span>
                      </button>{' '}
                      <button
                        type="button"
                        className="secondary"
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (window.confirm(`Revoke the key of ${k.name}? Its adapter stops.`))
                            revoke.mutate(k);
                        }}
                      >
                        Revoke <span className="visually-hidden">{k.name}</span>
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewKey
        onIssued={(r) => {
          setIssued(r);
          refresh();
        }}
      />
      {error && (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      )}
    </section>
  );
}

function NewKey(props: { onIssued: (issued: { name: string; key: string }) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [channels, setChannels] = useState<string[]>([]);
  const [sources, setSources] = useState('');
  const [verified, setVerified] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api<{ key: string }>('/v1/admin/adapter-keys', {
        method: 'POST',
        body: {
          name: name.trim(),
          channels,
          sourcePatterns: sources
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          verifiedKinds: verified,
        },
      }),
    onSuccess: (r) => {
      props.onIssued({ name: name.trim(), key: r.key });
      setName('');
      setSources('');
      setChannels([]);
      setVerified([]);
    },
  });
  const toggle = (list: string[], value: string) =>
    list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
  return (
    <form
      className="filters"
      aria-label="New adapter key"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h3 className="visually-hidden">New adapter key</h3>
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <fieldset>
        <legend>Channels</legend>
        {CHANNELS.map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              checked={channels.includes(c)}
              onChange={() => setChannels(toggle(channels, c))}
            />
            {label(c)}
          </label>
        ))}
      </fieldset>
      <label>
        Source patterns (comma-separated, * for any characters)
        <input
          required
          value={sources}
          placeholder="mail-gateway://eu/*"
          onChange={(e) => setSources(e.target.value)}
        />
      </label>
      <fieldset>
        <legend>Trusted to verify</legend>
        {VERIFIED_KINDS.map((k) => (
          <label key={k} className="check">
            <input
              type="checkbox"
              checked={verified.includes(k)}
              onChange={() => setVerified(toggle(verified, k))}
            />
            {k}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={create.isPending || channels.length === 0}>
          Create key
        </button>
      </div>
      {create.isError && (
        <p className="error" role="alert">
          {errorText(create.error)}
        </p>
      )}
    </form>
  );
}
