import {
  type IdeaStatusNotification,
  identityKey,
  isPseudonym,
  type PseudonymousIdentity,
} from '@rapport/domain';
import { FieldCipher } from '../cipher/field-cipher';
import { openSealedFor } from '../keys/open-sealed-for';
import { type SubjectKeyStore } from '../keys/subject-key-store';

const FIELD = 'notification';

/** What a notification says that is the person's: sealed with their data key. */
interface NotificationSecrets {
  readonly address: string | undefined;
  readonly title: string | null;
  readonly subject: string;
  readonly text: string;
  readonly reason?: string;
}

/**
 * A notification as `rapport.outbound` carries it: who (customer id, channel, the identity's
 * pseudonym), what happened (idea, statuses, when) — and `sealed`, the address to write to
 * and the words, encrypted with the customer's data key. A delivery adapter opens it through
 * `POST /v1/outbound/open` just before sending: after the customer is erased the answer is
 * 410, and the copy the topic still holds is unreadable.
 */
export interface SealedNotification extends Omit<
  IdeaStatusNotification,
  'identity' | 'title' | 'subject' | 'text' | 'reason'
> {
  readonly identity: { readonly kind: string; readonly value: string; readonly network?: string };
  readonly sealed: string;
}

export async function sealNotification(
  n: IdeaStatusNotification,
  keys: SubjectKeyStore,
): Promise<SealedNotification> {
  const { identity, title, subject, text, reason, ...rest } = n;
  const pseudonymous = identity as PseudonymousIdentity;
  const address =
    typeof pseudonymous.plainValue === 'string'
      ? pseudonymous.plainValue
      : isPseudonym(identity.value)
        ? undefined
        : identity.value;
  const secrets: NotificationSecrets = {
    address,
    title,
    subject,
    text,
    ...(reason === undefined ? {} : { reason }),
  };
  const key = await keys.keyFor(n.customerId);
  return {
    ...rest,
    identity: {
      kind: identity.kind,
      value: identity.value,
      ...(identity.network === undefined ? {} : { network: identity.network }),
    },
    sealed: FieldCipher.encrypt(key, FIELD, JSON.stringify(secrets)),
  };
}

/** The notification to deliver, or `erased` when its customer was forgotten since. */
export async function openNotification(
  sealed: Pick<SealedNotification, 'customerId' | 'identity' | 'sealed'>,
  keys: SubjectKeyStore,
): Promise<
  | {
      readonly address: string | undefined;
      readonly identityKey: string;
      readonly title: string | null;
      readonly subject: string;
      readonly text: string;
      readonly reason?: string;
    }
  | 'erased'
> {
  const opened = await openSealedFor(keys, sealed.customerId, FIELD, sealed.sealed);
  if (typeof opened !== 'string') return 'erased';
  const secrets = JSON.parse(opened) as NotificationSecrets;
  return { ...secrets, identityKey: identityKey(sealed.identity as never) };
}
