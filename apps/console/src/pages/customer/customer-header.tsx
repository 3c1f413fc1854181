import {
  type Closeness,
  type CustomerProfile,
  identityKind,
  identityText,
  identityValue,
} from '../../api/types';
import { formatDate, formatDateTime, formatScore, label, shortId } from '../../format';

function trendOf(history: { score: number }[] | undefined): number | undefined {
  if (!history || history.length < 2) return undefined;
  return history[history.length - 1].score - history[0].score;
}

export function CustomerHeader(props: { profile: CustomerProfile; closeness?: Closeness }) {
  const { profile: p, closeness } = props;
  const trend = trendOf(closeness?.history);
  const primary = p.identities[0];
  return (
    <header className="customer-header panel">
      <div>
        <h1>
          {p.name ?? (primary ? identityValue(primary) : `Customer ${shortId(p.customerId)}`)}
        </h1>
        {p.redirectedFrom && (
          <p className="hint">
            Customer {shortId(p.redirectedFrom)} was merged into this one; showing the survivor.
          </p>
        )}
        <ul className="identities" aria-label="Identities">
          {p.identities.map((identity) => (
            <li key={identityText(identity)}>
              <span className="badge">{identityKind(identity)}</span> {identityValue(identity)}
            </li>
          ))}
        </ul>
      </div>
      <dl className="facts">
        <div>
          <dt>Closeness</dt>
          <dd>
            <strong className="score">{formatScore(closeness?.score)}</strong>
            {trend !== undefined && (
              <span className={trend >= 0 ? 'up' : 'down'}>
                {' '}
                {trend >= 0 ? '▲' : '▼'} {Math.abs(trend).toFixed(1)}{' '}
                <span className="hint">in {closeness?.history.length} days</span>
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>First contact</dt>
          <dd>{formatDate(p.firstContact)}</dd>
        </div>
        <div>
          <dt>Last contact</dt>
          <dd>{formatDateTime(p.lastContact)}</dd>
        </div>
        <div>
          <dt>Touchpoints</dt>
          <dd>
            {p.touchpoints}{' '}
            <span className="hint">
              (
              {Object.entries(p.touchpointsPerChannel)
                .map(([channel, n]) => `${label(channel)} ${n}`)
                .join(', ')}
              )
            </span>
          </dd>
        </div>
        <div>
          <dt>Customer id</dt>
          <dd>
            <code>{p.customerId}</code>
          </dd>
        </div>
      </dl>
    </header>
  );
}
