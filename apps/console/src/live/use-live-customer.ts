import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/auth';
import { openLiveStream } from './live-stream';

export interface Viewer {
  staffId: string;
  name: string;
}

/**
 * Keeps an open customer page live: when the API says the customer changed (a touchpoint, a
 * note, a label), the page's reads are fetched again; and who else has the customer open.
 * Nothing in the past (`asOf`) is live.
 */
export function useLiveCustomer(customerId: string, enabled: boolean) {
  const auth = useAuth();
  const client = useQueryClient();
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [status, setStatus] = useState<'connecting' | 'open' | 'closed' | 'refused'>('connecting');
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    if (!enabled) return;
    const close = openLiveStream(
      `/v1/customers/${encodeURIComponent(customerId)}/live`,
      () => auth.accessToken(),
      {
        status: setStatus,
        event: ({ event, data }) => {
          if (event === 'changed') {
            // Several changes in a burst: one refetch.
            clearTimeout(pending.current);
            pending.current = setTimeout(
              () => void client.invalidateQueries({ queryKey: ['customer', customerId] }),
              30,
            );
          } else if (event === 'presence') {
            const list = (data as { viewers?: Viewer[] } | null)?.viewers;
            if (Array.isArray(list)) setViewers(list);
          }
        },
      },
    );
    return () => {
      clearTimeout(pending.current);
      close();
    };
    // The token is read at each (re)connect; the stream follows the customer only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customerId, enabled]);
  return { viewers, status };
}
