import {
  customerIdFor,
  type IdentityHasher,
  identityKey,
  IDENTITY_KINDS,
  type IdentityNormalizationOptions,
  normalizeIdentity,
  pseudonymise,
  type RawIdentity,
} from '@rapport/domain';
import { type Message } from 'kafkajs';
import { FieldCipher } from '../cipher/field-cipher';
import { openSealedFor } from '../keys/open-sealed-for';
import { type SubjectKeyStore } from '../keys/subject-key-store';

/** The header naming the customer whose key a sealed dead letter is encrypted with. */
export const SEALED_FOR_HEADER = 'rapport-sealed-for';
/** The header of a dead letter kept without its value: it names an erased, suppressed identity. */
export const SUPPRESSED_HEADER = 'rapport-suppressed';
const FIELD = 'dead-letter';
/** Binary-mode CloudEvents attributes that can name a person. */
const PERSONAL_HEADERS = ['ce_subject'];

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** The identity a refused message names (structured or binary mode), if one can be read from it. */
function identityIn(value: Buffer): RawIdentity | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  const object = (v: unknown) =>
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  const candidate = object(object(object(parsed)?.data)?.identity ?? object(parsed)?.identity);
  if (
    !candidate ||
    !(IDENTITY_KINDS as readonly unknown[]).includes(candidate.kind) ||
    typeof candidate.value !== 'string' ||
    candidate.value.length > 1000 ||
    (candidate.network !== undefined && typeof candidate.network !== 'string')
  )
    return undefined;
  return candidate as unknown as RawIdentity;
}

/**
 * Dead letters that name a person, encrypted with that person's data key: the DLQ keeps a
 * refused message for days (for operators to see why it was refused — the reason headers
 * never hold its values), and an erasure in that time must reach it too. The value (and the
 * CloudEvents `subject` header) become one `enc:v1:` ciphertext, the Kafka key the person's
 * customer id, and `rapport-sealed-for` says whose key opens it (`openDeadLetter`). A
 * message that names no readable identity cannot be attributed to anyone, so it is kept as
 * it came (the DLQ's retention bounds it). A message that names an erased person whose
 * identity is still suppressed keeps no value at all, only why it was refused: sealing it
 * would make the forgotten person a new key.
 */
export class DeadLetterSealer {
  constructor(
    private readonly keys: SubjectKeyStore,
    private readonly hashIdentity: IdentityHasher,
    private readonly normalization: IdentityNormalizationOptions = {},
    /** Whether ingestion drops this (pseudonymous) identity key's touchpoints. */
    private readonly isSuppressed: (identityKey: string) => Promise<boolean> = async () => false,
  ) {}

  async seal(message: Message): Promise<Message> {
    const value = message.value;
    if (value === null || value === undefined) return message;
    const buffer = Buffer.isBuffer(value) ? value : Buffer.from(value);
    const raw = identityIn(buffer);
    const identity = raw && normalizeIdentity(raw, 'identity', this.normalization);
    if (!identity?.ok) return message;
    const pseudonymous = pseudonymise(identity.value, this.hashIdentity);
    const customerId = customerIdFor(pseudonymous);
    const headers = { ...(message.headers ?? {}) };
    const personal: Record<string, string> = {};
    for (const name of PERSONAL_HEADERS) {
      const text = headerText(headers[name]);
      if (text !== undefined) personal[name] = text;
      delete headers[name];
    }
    if (await this.isSuppressed(identityKey(pseudonymous)))
      return {
        ...message,
        key: customerId,
        value: null,
        headers: { ...headers, [SUPPRESSED_HEADER]: 'true' },
      };
    const plaintext = JSON.stringify({ value: buffer.toString('base64'), headers: personal });
    const sealed = FieldCipher.encrypt(await this.keys.keyFor(customerId), FIELD, plaintext);
    return {
      ...message,
      key: customerId,
      value: Buffer.from(sealed, 'utf8'),
      headers: { ...headers, [SEALED_FOR_HEADER]: customerId },
    };
  }
}

/**
 * A sealed dead letter as it was refused: its value and personal headers, or `erased` when
 * the person was forgotten since; an unsealed one as it is.
 */
export async function openDeadLetter(
  message: Pick<Message, 'value' | 'headers'>,
  keys: SubjectKeyStore,
): Promise<{ value: Buffer | null; headers: Record<string, string> } | 'erased'> {
  const subject = headerText(message.headers?.[SEALED_FOR_HEADER]);
  const raw = message.value === null || message.value === undefined ? null : message.value;
  if (!subject || raw === null)
    return { value: raw === null ? null : Buffer.from(raw), headers: {} };
  const opened = await openSealedFor(keys, subject, FIELD, raw.toString());
  if (typeof opened !== 'string') return 'erased';
  const { value, headers } = JSON.parse(opened) as {
    value: string;
    headers: Record<string, string>;
  };
  return { value: Buffer.from(value, 'base64'), headers };
}
