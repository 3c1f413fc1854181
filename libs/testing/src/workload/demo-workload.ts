import { demoExtras, type DemoExtras } from './demo-extras';
import { demoTouchpoints } from './demo-touchpoints';

/** How many customers the demo has, and how many days of history back from its start. */
export const DEMO_CUSTOMERS = 300;
export const DEMO_DAYS = 120;

/**
 * The demo of `rapport dev --demo` (and of the console's browser test against the services):
 * four months of multi-channel history of 300 customers, then the extras the console shows
 * (ideas and votes, signed-in chat visitors, open merge suggestions), in the order to ingest.
 */
export function demoWorkload(now: Date): DemoExtras {
  const history = demoTouchpoints({ customers: DEMO_CUSTOMERS, days: DEMO_DAYS, now, seed: 42 });
  const emails = [
    ...new Set(history.map((e) => (e.data.identity as { value: string }).value.toLowerCase())),
  ];
  const extras = demoExtras(emails, now);
  return { ...extras, events: [...history, ...extras.events] };
}
