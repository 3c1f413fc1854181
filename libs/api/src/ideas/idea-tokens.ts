/** The idea backlog (`IdeaBacklog`: read model + projection) of the configured backend. */
export const IDEA_BACKLOG = Symbol('IDEA_BACKLOG');
/** The idea use cases (`IdeaService`) over the configured event log. */
export const IDEA_SERVICE = Symbol('IDEA_SERVICE');
/** Optional: `(customerId) => Promise<number>`, a supporter's weight for closeness priority. */
export const IDEA_CLOSENESS_WEIGHT = Symbol('IDEA_CLOSENESS_WEIGHT');
/** The running backlog projection (`RunningProjection`). */
export const IDEA_BACKLOG_PROJECTOR = Symbol('IDEA_BACKLOG_PROJECTOR');
