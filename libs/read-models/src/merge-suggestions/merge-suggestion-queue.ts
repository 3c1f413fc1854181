import { type QueuedMergeSuggestion } from '@rapport/domain';

/** The most suggestions one read of the queue answers. */
export const MAX_QUEUED_SUGGESTIONS = 200;

/**
 * The queue of every open merge suggestion, kept with the timeline's identity graph: what
 * staff work through. Oldest suggestion first; erased customers' suggestions are left out.
 */
export interface MergeSuggestionQueue {
  openMergeSuggestions(limit: number): Promise<QueuedMergeSuggestion[]>;
}
