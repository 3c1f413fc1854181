const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export const formatDateTime = (iso: string | null | undefined) =>
  iso ? dateTime.format(new Date(iso)) : '—';
export const formatDate = (iso: string | null | undefined) =>
  iso ? date.format(new Date(iso)) : '—';
export const formatScore = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(1));
export const label = (name: string) => name.replace(/_/g, ' ');
export const shortId = (id: string) => id.slice(0, 8);
/** An idea's title, or what stands for it once its author was erased (GDPR art. 17). */
export const ideaTitle = (title: string | null | undefined) => title ?? 'An erased idea';
/** A comment's text, or what stands for it once its author was erased. */
export const commentText = (text: string | null | undefined) => text ?? '(erased with its author)';
