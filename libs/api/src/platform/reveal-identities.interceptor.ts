import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type PersonalData } from '@rapport/privacy';
import { type TimelineReadModel } from '@rapport/read-models';
import { from, mergeMap, type Observable } from 'rxjs';
import { revealIdentities } from './reveal-identities';
import { PERSONAL_DATA, TIMELINE_READ_MODEL } from './tokens';

/**
 * Shows staff the identities a response names as the people gave them: the log and the read
 * models hold pseudonyms (`email:~…`), and this replaces each — an identity object or an
 * identity key string, anywhere in a JSON response — by its plain value from the timeline's
 * directory (or the `plainValue` the read model kept beside it). An erased identity stays a
 * pseudonym, marked `erased`. A no-op when personal data protection is off.
 */
@Injectable()
export class RevealIdentitiesInterceptor implements NestInterceptor {
  constructor(
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalData | null,
    @Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.personalData) return next.handle();
    return next.handle().pipe(mergeMap((body) => from(revealIdentities(body, this.timelines))));
  }
}
