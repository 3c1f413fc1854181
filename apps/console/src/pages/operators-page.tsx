import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorText, useApi } from '../api/client';
import { type ProjectionStatus } from '../api/types';
import { useAuth } from '../auth/auth';
import { formatDateTime } from '../format';

/** Projections, their positions, lag and versions; rebuilds for admins. */
export function OperatorsPage() {
  const api = useApi();
  const auth = useAuth();
  const client = useQueryClient();
  const projections = useQuery({
    queryKey: ['admin', 'projections'],
    queryFn: () => api<{ head: number; projections: ProjectionStatus[] }>('/v1/admin/projections'),
    refetchInterval: 2000,
  });
  const rebuild = useMutation({
    mutationFn: (name: string) =>
      api(`/v1/admin/projections/${encodeURIComponent(name)}/rebuild`, { method: 'POST' }),
    onSettled: () => void client.invalidateQueries({ queryKey: ['admin', 'projections'] }),
  });
  return (
    <>
      <h1>Operators</h1>
      {projections.isError && (
        <p className="error" role="alert">
          {errorText(projections.error)}
        </p>
      )}
      {projections.data && (
        <>
          <p>
            Log head: <strong>{projections.data.head}</strong> (refreshed every 2 s)
          </p>
          <table className="table">
            <caption>Projections</caption>
            <thead>
              <tr>
                <th scope="col">Projection</th>
                <th scope="col">Version</th>
                <th scope="col">Position</th>
                <th scope="col">Lag (events)</th>
                <th scope="col">Lag (s)</th>
                <th scope="col">Rebuild</th>
                {auth.has('admin') && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {projections.data.projections.map((p) => (
                <tr key={p.name}>
                  <th scope="row">{p.name}</th>
                  <td>{p.version ?? '—'}</td>
                  <td>
                    {p.position}
                    {p.positionFrom === 'log' ? ' (its last decision)' : ''}
                  </td>
                  <td>{atMost(p, p.lagEvents)}</td>
                  <td>{atMost(p, p.lagSeconds)}</td>
                  <td>
                    {p.rebuild
                      ? `v${p.rebuild.version} ${p.rebuild.running ? 'running' : 'stopped'}${p.rebuild.phase ? ` (${p.rebuild.phase})` : ''} since ${formatDateTime(p.rebuild.startedAt)}`
                      : '—'}
                  </td>
                  {auth.has('admin') && (
                    <td>
                      {p.version !== null && (
                        <button
                          type="button"
                          className="secondary"
                          disabled={rebuild.isPending || !!p.rebuild?.running}
                          onClick={() => rebuild.mutate(p.name)}
                        >
                          Rebuild <span className="visually-hidden">{p.name}</span>
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {projections.data.projections.some((p) => p.positionFrom === 'log') && (
            <p className="hint">
              Identity resolution runs in the projector; here its position is the last touchpoint
              one of its decisions names. The touchpoints after that may have needed no decision, so
              its lag is at most what is shown.
            </p>
          )}
        </>
      )}
      <div aria-live="polite">
        {rebuild.isError && (
          <p className="error" role="alert">
            {errorText(rebuild.error)}
          </p>
        )}
        {rebuild.isSuccess && <p className="ok">Rebuild started.</p>}
      </div>
    </>
  );
}

/** A lag read from identity resolution's last decision is an upper bound: say so. */
function atMost(p: ProjectionStatus, lag: number): string {
  return p.positionFrom === 'log' && lag > 0 ? `at most ${lag}` : String(lag);
}
