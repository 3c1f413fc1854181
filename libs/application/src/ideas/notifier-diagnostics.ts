import { channel } from 'node:diagnostics_channel';

/**
 * Where the idea status notifier reports the notifications it published (Node's
 * `diagnostics_channel`: free when nothing subscribes), for the service's metrics.
 */
export const NOTIFIER_SENDS_CHANNEL = 'rapport:notifier:sends';

/** How many notifications one status change sent to `rapport.outbound`. */
export interface NotifierSendsReport {
  readonly sent: number;
}

export const notifierSends = channel(NOTIFIER_SENDS_CHANNEL);
