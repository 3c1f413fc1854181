import {
  type Channel,
  type PublisherScope,
  type Validated,
  invalid,
  publisherScopeErrors,
  trustedIdentity,
  valid,
} from '@rapport/domain';
import { type InboundEvent } from '@rapport/wire';
import { type ChannelIdentity } from '@rapport/domain';

/**
 * A parsed event as the platform takes it from this publisher: refused when it speaks for a
 * channel or source outside the scope; with every `verified` claim the publisher is not
 * trusted for turned into an unverified one.
 */
export function withinPublisherScope(
  parsed: Validated<InboundEvent>,
  scope: PublisherScope,
): Validated<InboundEvent> {
  if (!parsed.ok) return parsed;
  const event = parsed.value;
  const data = event.cloudEvent.data as {
    channel?: Channel;
    identity: ChannelIdentity;
    identities?: ChannelIdentity[];
  };
  // survey.responded.v1 has no channel: it was answered in a survey tool.
  const errors = publisherScopeErrors(scope, data.channel ?? 'survey', event.cloudEvent.source);
  if (errors.length > 0) return invalid(...errors);

  const identity = trustedIdentity(scope, data.identity);
  const identities = data.identities?.map((one) => trustedIdentity(scope, one));
  const downgraded =
    identity !== data.identity ||
    (identities !== undefined && identities.some((one, i) => one !== data.identities?.[i]));
  if (!downgraded) return parsed;
  return valid({
    ...event,
    identity,
    cloudEvent: event.cloudEvent.cloneWith(
      {
        data: {
          ...event.cloudEvent.data,
          identity,
          ...(identities === undefined ? {} : { identities }),
        },
      },
      false,
    ),
  });
}
