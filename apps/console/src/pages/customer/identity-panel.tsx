import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorText, useApi } from '../../api/client';
import {
  type CustomerProfile,
  identityPayload,
  identityText,
  type MergeRecord,
} from '../../api/types';
import { useAuth } from '../../auth/auth';
import { DismissSuggestionButton } from '../../components/dismiss-suggestion-button';
import { formatDate, formatDateTime, label, shortId } from '../../format';

/** A merge still in force: merged and not unmerged since. */
function mergesInForce(history: MergeRecord[]): Set<string> {
  const inForce = new Set<string>();
  for (const r of [...history].sort((a, b) => a.sequence - b.sequence)) {
    if (r.action === 'merged') inForce.add(r.mergedId);
    else inForce.delete(r.mergedId);
  }
  return inForce;
}

type IdentityCommand =
  | { action: 'merge' | 'unmerge'; survivorId: string; customerId: string }
  | { action: 'link' | 'unlink'; identity: ReturnType<typeof identityPayload> };

const LINK_KINDS = ['email', 'phone', 'chat', 'card', 'social'] as const;

export function IdentityPanel(props: { profile: CustomerProfile; past: boolean }) {
  const p = props.profile;
  const api = useApi();
  const auth = useAuth();
  const client = useQueryClient();
  const mayChange = auth.has('supervisor') && !props.past;
  const command = useMutation({
    mutationFn: (c: IdentityCommand) =>
      'identity' in c
        ? api(`/v1/customers/${p.customerId}/identities${c.action === 'unlink' ? '/unlink' : ''}`, {
            method: 'POST',
            body: { identity: c.identity },
          })
        : api(`/v1/customers/${c.survivorId}/${c.action}`, {
            method: 'POST',
            body: { customerId: c.customerId },
          }),
    // The read models apply the decision within moments.
    onSuccess: () =>
      setTimeout(() => void client.invalidateQueries({ queryKey: ['customer'] }), 400),
  });
  const inForce = mergesInForce(p.mergeHistory);
  const [mergeId, setMergeId] = useState('');
  const [linkKind, setLinkKind] = useState<string>('email');
  const [linkValue, setLinkValue] = useState('');
  return (
    <section className="panel" aria-labelledby="identity-heading">
      <h2 id="identity-heading">Identity</h2>
      {mayChange && (
        <>
          <h3>Identities</h3>
          <ul className="records">
            {p.identities.map((identity) => (
              <li key={identityText(identity)}>
                {identityText(identity)}
                {p.identities.length > 1 && (
                  <button
                    type="button"
                    className="secondary"
                    disabled={command.isPending}
                    onClick={() =>
                      command.mutate({ action: 'unlink', identity: identityPayload(identity) })
                    }
                  >
                    Unlink <span className="visually-hidden">{identityText(identity)}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (linkValue.trim())
                command.mutate({
                  action: 'link',
                  identity: identityPayload(`${linkKind}:${linkValue.trim()}`),
                });
            }}
          >
            <label>
              Kind
              <select value={linkKind} onChange={(e) => setLinkKind(e.target.value)}>
                {LINK_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Identity to link
              <input
                value={linkValue}
                onChange={(e) => setLinkValue(e.target.value)}
                spellCheck={false}
                autoComplete="off"
              />
            </label>
            <button type="submit" disabled={command.isPending}>
              Link
            </button>
          </form>
        </>
      )}
      <h3>Merge suggestions</h3>
      {p.openMergeSuggestions.length === 0 ? (
        <p className="hint">None open.</p>
      ) : (
        <ul className="records">
          {p.openMergeSuggestions.map((s) => (
            <li key={s.sequence}>
              <Link to={`/customers/${s.mergedId}`}>Customer {shortId(s.mergedId)}</Link> looks like{' '}
              <Link to={`/customers/${s.survivorId}`}>{shortId(s.survivorId)}</Link> (
              {label(s.reason)}); evidence: {s.evidence.map(identityText).join(', ')}{' '}
              <span className="hint">{formatDate(s.at)}</span>
              {mayChange && (
                <button
                  type="button"
                  disabled={command.isPending}
                  onClick={() =>
                    command.mutate({
                      action: 'merge',
                      survivorId: s.survivorId,
                      customerId: s.mergedId,
                    })
                  }
                >
                  Merge
                </button>
              )}
              {mayChange && (
                <DismissSuggestionButton survivorId={s.survivorId} mergedId={s.mergedId} />
              )}
            </li>
          ))}
        </ul>
      )}
      <h3>Merge history</h3>
      {p.mergeHistory.length === 0 ? (
        <p className="hint">No merges.</p>
      ) : (
        <ul className="records">
          {p.mergeHistory.map((r) => (
            <li key={r.sequence}>
              {r.action} <code>{shortId(r.mergedId)}</code> into{' '}
              <code>{shortId(r.survivorId)}</code> ({label(r.reason)},{' '}
              {r.by.kind === 'staff' ? `by ${r.by.staffId}` : `by ${r.by.source}`}){' '}
              <span className="hint">{formatDateTime(r.at)}</span>
              {mayChange && r.action === 'merged' && inForce.has(r.mergedId) && (
                <button
                  type="button"
                  className="secondary"
                  disabled={command.isPending}
                  onClick={() =>
                    command.mutate({
                      action: 'unmerge',
                      survivorId: p.customerId,
                      customerId: r.mergedId,
                    })
                  }
                >
                  Unmerge
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayChange && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (mergeId.trim())
              command.mutate({
                action: 'merge',
                survivorId: p.customerId,
                customerId: mergeId.trim(),
              });
          }}
        >
          <label>
            Merge another customer (id) into this one
            <input
              value={mergeId}
              onChange={(e) => setMergeId(e.target.value)}
              spellCheck={false}
            />
          </label>
          <button type="submit" disabled={command.isPending}>
            Merge
          </button>
        </form>
      )}
      <div aria-live="polite">
        {command.isError && (
          <p className="error" role="alert">
            {errorText(command.error)}
          </p>
        )}
        {command.isSuccess && <p className="ok">Done: the customer page updates in a moment.</p>}
      </div>
    </section>
  );
}
