import { Inject, Injectable } from '@nestjs/common';
import {
  type ChannelIdentity,
  DEFAULT_IDENTITY_POLICY,
  identityKey,
  pseudonymousGraphIdentity,
} from '@rapport/domain';
import { type PersonalData } from '@rapport/privacy';
import { type RapportConfig } from '../config/rapport-config';
import { PERSONAL_DATA, RAPPORT_CONFIG } from './tokens';

/**
 * Identities that arrive in requests (normalised, plain), turned into what the log and the
 * read models know them by: their pseudonym when protection is on, themselves otherwise.
 */
@Injectable()
export class IdentityPseudonyms {
  constructor(
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalData | null,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
  ) {}

  /** The key read models file the identity under (`email:~…`). */
  keyOf(identity: ChannelIdentity): string {
    return identityKey(this.forGraph(identity));
  }

  /** The identity as an identity-graph command takes it: pseudonymous, no plain value beside it. */
  forGraph(identity: ChannelIdentity): ChannelIdentity {
    if (!this.personalData) return identity;
    return pseudonymousGraphIdentity(
      identity,
      this.personalData.hashIdentity,
      this.config.identityPolicy ?? DEFAULT_IDENTITY_POLICY,
    );
  }
}
