import { useCallback } from 'react';
import { useAuth } from '../auth/auth';

/** A refusal of the API: its status and problem details (`application/problem+json`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: readonly { path: string; message: string }[] = [],
  ) {
    super(detail ?? title);
  }
}

export type Api = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;

/** Calls the API on this origin with the signed-in user's access token (Bearer). */
export function useApi(): Api {
  const auth = useAuth();
  return useCallback(
    async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
      const token = auth.accessToken();
      const res = await fetch(path, {
        method: init.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      const json: unknown = text ? JSON.parse(text) : undefined;
      if (!res.ok) {
        const p = (json ?? {}) as { title?: string; detail?: string; errors?: [] };
        // Signed out or expired: sign in again. A fresh token refused is shown instead (a
        // redirect would loop: the issuer signs the user straight back in).
        if (res.status === 401 && (!token || auth.user?.expired !== false)) void auth.signIn();
        throw new ApiError(res.status, p.title ?? res.statusText, p.detail, p.errors);
      }
      return json as T;
    },
    [auth],
  );
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return `${error.status} ${error.detail ?? error.title}${fields ? ` (${fields})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
