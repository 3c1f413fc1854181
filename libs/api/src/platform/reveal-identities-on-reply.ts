import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type PersonalData } from '@rapport/privacy';
import { type TimelineReadModel } from '@rapport/read-models';
import { RapportExpressAdapter } from '../http/rapport-express-adapter';
import { revealIdentities } from './reveal-identities';
import { PERSONAL_DATA, TIMELINE_READ_MODEL } from './tokens';

/**
 * Shows staff the identities a response names as the people gave them: the log and the read
 * models hold pseudonyms (`email:~…`), and every handler's answer has each — an identity
 * object or an identity key string, anywhere in a JSON response — replaced by its plain value
 * from the timeline's directory (or the `plainValue` the read model kept beside it). An erased
 * identity stays a pseudonym, marked `erased`. Nothing when personal data protection is off.
 * A hook on the HTTP adapter's reply rather than a global interceptor (ADR 0039).
 */
@Injectable()
export class RevealIdentitiesOnReply {
  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(PERSONAL_DATA) personalData: PersonalData | null,
    @Inject(TIMELINE_READ_MODEL) timelines: TimelineReadModel,
  ) {
    const adapter = adapterHost.httpAdapter;
    if (!personalData || !adapter) return;
    if (!(adapter instanceof RapportExpressAdapter))
      throw new Error('revealing identities needs the app created by createHttpApp');
    adapter.transformReplies((body) => revealIdentities(body, timelines));
  }
}
