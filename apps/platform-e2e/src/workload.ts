import { type TouchpointInput } from '@rapport/adapter-sdk';
import { type Channel } from '@rapport/domain';

export const E2E_CHANNELS: Channel[] = ['email', 'chat', 'social', 'in_person'];

/**
 * `count` touchpoints spread over `identities` e-mail identities and four channels,
 * with strictly increasing times so every timeline has one right order.
 */
export function e2eWorkload(run: string, count: number, identities: number): TouchpointInput[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, n) => {
    const person = n % identities;
    const channel = E2E_CHANNELS[Math.floor(n / identities) % E2E_CHANNELS.length];
    return {
      id: `${run}-${n}`,
      time: new Date(start + n * 1000).toISOString(),
      data: {
        channel,
        direction: n % 3 === 0 ? 'outbound' : 'inbound',
        identity: { kind: 'email', value: `Person.${person}@${run}.example` },
        content: { text: `touchpoint ${n}` },
      },
    } as TouchpointInput;
  });
}

export function identityOf(run: string, person: number): string {
  return `email:person.${person}@${run}.example`;
}
