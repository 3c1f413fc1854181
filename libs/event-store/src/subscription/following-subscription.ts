import {
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../event-store';
import { type AppendSignal } from './append-signal';
import { catchUpSubscription } from './catch-up-subscription';
import { type RecentEvents, type RecentEventsFollower } from './recent-events';

/**
 * A store's catch-up subscription that reads as a follower of the store's `RecentEvents`
 * (paced behind the process's other subscriptions) and counts among `subscriptions` until
 * it finishes.
 */
export function followingSubscription(
  recent: RecentEvents,
  subscriptions: Set<Subscription>,
  readAll: (options: ReadAllOptions, follower: RecentEventsFollower) => Promise<RecordedEvent[]>,
  signal: AppendSignal,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
): Subscription {
  const follower = recent.follow();
  const subscription = catchUpSubscription((o) => readAll(o, follower), signal, options, handler);
  subscriptions.add(subscription);
  void subscription.finished
    .catch(() => undefined)
    .finally(() => {
      subscriptions.delete(subscription);
      follower.close();
    });
  return subscription;
}
