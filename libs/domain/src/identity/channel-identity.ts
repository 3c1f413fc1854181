/** The kinds of identity a person can reach us through. */
export const IDENTITY_KINDS = ['email', 'phone', 'social', 'chat', 'card'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** A channel identity after normalisation: equal people compare equal. */
export interface ChannelIdentity {
  readonly kind: IdentityKind;
  readonly value: string;
  /** Only for `social`: the network the handle lives on (`instagram`, `x`, …). */
  readonly network?: string;
  /** Whether the channel verified the identity (a confirmed e-mail, a called-back phone). */
  readonly verified?: boolean;
  /**
   * Set on a pseudonymous identity (`value` a pseudonym) that identity policy blocked when it
   * was seen: a blocked pattern (`email:noreply@*`) cannot be matched against a pseudonym.
   */
  readonly blocked?: boolean;
}

/** The canonical string of an identity, used as its key everywhere: `email:ann@example.com`. */
export function identityKey(identity: Pick<ChannelIdentity, 'kind' | 'value' | 'network'>): string {
  return identity.kind === 'social'
    ? `social:${identity.network}:${identity.value}`
    : `${identity.kind}:${identity.value}`;
}
