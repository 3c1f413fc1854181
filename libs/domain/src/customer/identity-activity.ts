import { type Channel } from '../channels';

/** What the touchpoints filed under one identity add up to: counts per channel, first and last. */
export interface IdentityActivity {
  readonly perChannel: Readonly<Partial<Record<Channel, number>>>;
  /** occurredAt of the oldest and the newest entry (UTC ISO 8601, so they compare as strings). */
  readonly first: string;
  readonly last: string;
}
