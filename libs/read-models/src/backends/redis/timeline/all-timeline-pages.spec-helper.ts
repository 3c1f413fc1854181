import { decodeCursor, type TimelinePage, type TimelineQuery } from '@rapport/domain';
import { type TimelineReadModel } from '../../../timeline/timeline-read-model';

/**
 * Every page of customer `c-1`'s timeline for `query`, following the cursors to the end.
 * Throws past `maxPages`: a cursor that does not move on would page forever.
 */
export async function allPagesOf(
  model: TimelineReadModel,
  query: TimelineQuery,
  maxPages: number,
): Promise<TimelinePage[]> {
  const pages: TimelinePage[] = [];
  let cursor: string | null = null;
  do {
    const page = await model.page('c-1', {
      ...query,
      ...(cursor ? { cursor: decodeCursor(cursor) ?? undefined } : {}),
    });
    pages.push(page);
    cursor = page.nextCursor;
    if (pages.length > maxPages)
      throw new Error(`more than ${maxPages} pages for ${JSON.stringify(query)}`);
  } while (cursor);
  return pages;
}
