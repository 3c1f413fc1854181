import { type IdeaStatus } from './idea-events';

/** `new → under_review → planned → in_progress → shipped`; any open status may be declined. */
const NEXT: Readonly<Record<IdeaStatus, readonly IdeaStatus[]>> = {
  new: ['under_review', 'declined'],
  under_review: ['planned', 'declined'],
  planned: ['in_progress', 'declined'],
  in_progress: ['shipped', 'declined'],
  shipped: [],
  declined: [],
};

/** The statuses an idea may move to from `status`. */
export function allowedTransitions(status: IdeaStatus): readonly IdeaStatus[] {
  return NEXT[status];
}

export function canTransition(from: IdeaStatus, to: IdeaStatus): boolean {
  return NEXT[from].includes(to);
}

/** Shipped and declined ideas take no new votes and no further status. */
export function isClosedStatus(status: IdeaStatus): boolean {
  return NEXT[status].length === 0;
}
