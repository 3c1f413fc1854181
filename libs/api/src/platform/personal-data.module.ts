import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { openPersonalData, type PersonalData, PRIVACY_VARIABLES } from '@rapport/privacy';
import { type RapportConfig } from '../config/rapport-config';
import { IdentityPseudonyms } from './identity-pseudonyms';
import { PERSONAL_DATA } from './tokens';

/** The data keys and blind index (`PersonalData`), or null when protection is off. */
export async function personalDataFor(config: RapportConfig): Promise<PersonalData | null> {
  if (config.privacy === 'off') return null;
  if (config.privacy === undefined) {
    throw new Error(
      `personal data protection is not configured: set ${PRIVACY_VARIABLES} (each at least 32 random bytes in base64, e.g. \`openssl rand -base64 32\`), or RAPPORT_PRIVACY=off for a log kept in plaintext`,
    );
  }
  return openPersonalData(config.privacy, config.eventStoreUrl);
}

/** `PERSONAL_DATA`: how personal data is protected, for the log, ingestion and erasure; `IdentityPseudonyms` for requests. */
@Global()
@Module({})
export class PersonalDataModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: PersonalDataModule,
      providers: [
        { provide: PERSONAL_DATA, useFactory: () => personalDataFor(config) },
        {
          provide: Symbol('close PERSONAL_DATA'),
          useFactory: (data: PersonalData | null): OnApplicationShutdown => ({
            onApplicationShutdown: async () => data?.close(),
          }),
          inject: [PERSONAL_DATA],
        },
        IdentityPseudonyms,
      ],
      exports: [PERSONAL_DATA, IdentityPseudonyms],
    };
  }
}
