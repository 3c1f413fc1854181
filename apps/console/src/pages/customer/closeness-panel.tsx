import { type Closeness } from '../../api/types';
import { Sparkline } from '../../components/sparkline';
import { formatDate, formatScore, label } from '../../format';

const COMPONENTS = ['intensity', 'emotion', 'breadth', 'coCreation'] as const;

export function ClosenessPanel(props: {
  closeness?: Closeness;
  error: unknown;
  onShow: (eventId: string, occurredAt: string) => void;
}) {
  const c = props.closeness;
  return (
    <section className="panel" aria-labelledby="closeness-heading">
      <h2 id="closeness-heading">Closeness</h2>
      {!c ? (
        <p className="hint">
          {props.error ? 'No closeness score: no contact on record.' : 'Loading…'}
        </p>
      ) : (
        <>
          <p>
            Score <strong className="score">{formatScore(c.score)}</strong> of 100
          </p>
          <div
            className="bar"
            role="img"
            aria-label={COMPONENTS.map((k) => `${label(k)} ${formatScore(c.components[k])}`).join(
              ', ',
            )}
          >
            {COMPONENTS.map((k) => (
              <span key={k} className={`seg seg-${k}`} style={{ width: `${c.components[k]}%` }} />
            ))}
          </div>
          <ul className="legend">
            {COMPONENTS.map((k) => (
              <li key={k}>
                <span className={`swatch seg-${k}`} aria-hidden="true" />
                {k === 'coCreation' ? 'co-creation' : k} {formatScore(c.components[k])}
              </li>
            ))}
          </ul>
          <h3>Last {c.history.length} days</h3>
          <Sparkline
            points={c.history.map((h) => ({ x: h.date, y: h.score }))}
            label="Daily closeness score"
          />
          <h3>Why: top contributors</h3>
          <ol className="contributors">
            {c.topContributors.map((t) => (
              <li key={t.eventId}>
                <strong>+{t.points.toFixed(1)}</strong> {t.channel ? label(t.channel) : t.kind}{' '}
                {t.direction ?? ''} {t.twoWay ? '(answered)' : ''}{' '}
                <span className="hint">{formatDate(t.occurredAt)}</span>{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => props.onShow(t.eventId, t.occurredAt)}
                >
                  show
                  <span className="visually-hidden">
                    {' '}
                    the touchpoint of {formatDate(t.occurredAt)} on the timeline
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
