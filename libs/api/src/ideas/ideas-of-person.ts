import { type IdeaView } from '@rapport/domain';
import { type IdeaBacklog } from '@rapport/read-models';

/** One of a person's ideas, as their profile lists it. */
export interface PersonIdea {
  readonly ideaId: string;
  /** Null when the submitter was erased. */
  readonly title: string | null;
  readonly status: IdeaView['status'];
  readonly role: 'submitter' | 'supporter';
  readonly updatedAt: string;
}

/**
 * The ideas one person submitted or supports, under any of their customer ids (the
 * survivor and every id merged into it), each once, most recently changed first.
 */
export async function ideasOfPerson(
  backlog: IdeaBacklog,
  customerIds: readonly string[],
): Promise<IdeaView[]> {
  const byId = new Map<string, IdeaView>();
  // Asked together (one round trip on a pipelining connection), merged in the ids' order.
  const perCustomer = await Promise.all(
    [...new Set(customerIds)].map((id) => backlog.model.ideasOfCustomer(id)),
  );
  for (const views of perCustomer) for (const view of views) byId.set(view.ideaId, view);
  return [...byId.values()].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
}

export function personIdea(view: IdeaView, customerIds: readonly string[]): PersonIdea {
  return {
    ideaId: view.ideaId,
    title: view.title,
    status: view.status,
    role: customerIds.includes(view.submittedBy) ? 'submitter' : 'supporter',
    updatedAt: view.updatedAt,
  };
}
