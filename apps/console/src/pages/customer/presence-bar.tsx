import { useAuth } from '../../auth/auth';
import { type Viewer } from '../../live/use-live-customer';

/**
 * Who else on the team has this customer open right now (so two agents do not answer the
 * same person twice), and whether the page is live.
 */
export function PresenceBar(props: { viewers: Viewer[]; status: string }) {
  const auth = useAuth();
  const me = auth.user?.profile.sub;
  const others = props.viewers.filter((v) => v.staffId !== me);
  return (
    <div className="presence" role="status" aria-live="polite" data-testid="presence">
      <span className={`live-dot ${props.status === 'open' ? 'on' : ''}`} aria-hidden="true" />
      <span className="hint">{props.status === 'open' ? 'Live' : 'Not live'}</span>
      {others.length > 0 ? (
        <span>
          {' · '}Also viewing:{' '}
          {others.map((v, i) => (
            <span key={v.staffId}>
              {i > 0 && ', '}
              <strong data-testid="viewer">{v.name}</strong>
            </span>
          ))}
        </span>
      ) : (
        props.status === 'open' && (
          <span className="hint"> · nobody else has this customer open</span>
        )
      )}
    </div>
  );
}
