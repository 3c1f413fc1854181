const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export const formatDateTime = (iso: string | null | undefined) =>
  iso ? dateTime.format(new Date(iso)) : '—';
export const formatDate = (iso: string | null | undefined) =>
  iso ? date.format(new Date(iso)) : '—';
export const formatScore = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(1));
export const label = (name: string) => name.replace(/_/g, ' ');
export const shortId = (id: string) => id.slice(0, 8);
