/** One Server-Sent Event: its name and its JSON data. */
export interface LiveEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * Reads a Server-Sent Events stream with `fetch`, so the access token goes in the
 * `Authorization` header like on every other request (an `EventSource` cannot send one: ADR
 * 0032). Reconnects after a drop (the server's `retry`, doubling up to 30 s), with a fresh
 * token each time; stops on `close()`, on a 4xx other than 429, and after `bye` for shutdown
 * only once the server answers again. Returns `close`.
 */
export function openLiveStream(
  url: string,
  token: () => string | undefined,
  on: { event(e: LiveEvent): void; status?(s: 'open' | 'closed' | 'refused'): void },
): () => void {
  let closed = false;
  let controller: AbortController | null = null;
  let retryMs = 2000;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const again = () => {
    if (closed) return;
    const wait = Math.min(30_000, retryMs * 2 ** Math.min(failures, 4));
    failures += 1;
    timer = setTimeout(() => void connect(), wait);
  };

  async function connect(): Promise<void> {
    if (closed) return;
    controller = new AbortController();
    try {
      const bearer = token();
      const res = await fetch(url, {
        headers: {
          accept: 'text/event-stream',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!res.ok || !res.body) {
        on.status?.('refused');
        if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 401)
          return; // refused for good (unknown customer, no role)
        again();
        return;
      }
      on.status?.('open');
      failures = 0;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
          const parsed = parseBlock(block);
          if (parsed?.retry !== undefined) retryMs = parsed.retry;
          if (parsed?.event) on.event({ event: parsed.event, data: parsed.data });
        }
      }
    } catch {
      // Dropped or aborted.
    }
    on.status?.('closed');
    again();
  }

  void connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    controller?.abort();
  };
}

function parseBlock(block: string): { event?: string; data?: unknown; retry?: number } | null {
  let event: string | undefined;
  const data: string[] = [];
  let retry: number | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue; // a heartbeat comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  if (!event && retry === undefined) return null;
  let parsed: unknown = null;
  try {
    parsed = data.length ? JSON.parse(data.join('\n')) : null;
  } catch {
    parsed = null;
  }
  return { event: event ?? (data.length ? 'message' : undefined), data: parsed, retry };
}
