import { isEmail } from 'class-validator';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { BoundedMemo } from '../memo/bounded-memo';
import { type FieldError, type Validated, invalid, valid } from '../validation/field-error';
import { type ChannelIdentity, type IdentityKind } from './channel-identity';

export interface IdentityNormalizationOptions {
  /** ISO 3166 region used for phone numbers written without a country code (e.g. `DE`). */
  readonly defaultPhoneRegion?: string;
}

export interface RawIdentity {
  readonly kind: IdentityKind;
  readonly value: string;
  readonly network?: string;
  readonly verified?: boolean;
}

/** Whether a lower-cased, trimmed string is an e-mail address (validator.js, remembered). */
const EMAIL = new BoundedMemo(10_000, (email) => isEmail(email));

/** Per default region: a phone number as written, in E.164, or null if invalid (remembered). */
const PHONES = new Map<string, BoundedMemo<string | null>>();
function phoneInE164(value: string, region: string | undefined): string | null {
  let memo = PHONES.get(region ?? '');
  if (!memo) {
    memo = new BoundedMemo(10_000, (written) => {
      const phone = parsePhoneNumberFromString(written, region as CountryCode | undefined);
      return phone && phone.isValid() ? phone.number : null;
    });
    PHONES.set(region ?? '', memo);
  }
  return memo.get(value);
}

const SOCIAL_NETWORK = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
const SOCIAL_HANDLE = /^[\p{L}\p{N}_.-]{1,100}$/u;
const CHAT_VISITOR = /^[\x21-\x7e]{1,128}$/;
const CARD_ID = /^[A-Z0-9]{4,64}$/;

/**
 * Brings an identity to its canonical form so that the same person always yields the
 * same key: e-mail trimmed and lower-cased, phone in E.164, social as network + handle
 * without `@`, chat visitor ids trimmed (case kept), card ids without spaces or dashes.
 */
export function normalizeIdentity(
  raw: RawIdentity,
  path: string,
  options: IdentityNormalizationOptions = {},
): Validated<ChannelIdentity> {
  const fail = (field: string, message: string): Validated<ChannelIdentity> =>
    invalid({ path: `${path}.${field}`, message } satisfies FieldError);
  const verified = raw.verified === undefined ? {} : { verified: raw.verified };
  const value = raw.value.trim();

  switch (raw.kind) {
    case 'email': {
      const email = value.toLowerCase();
      if (!EMAIL.get(email)) return fail('value', 'not an e-mail address');
      return valid({ kind: 'email', value: email, ...verified });
    }
    case 'phone': {
      const phone = phoneInE164(value, options.defaultPhoneRegion);
      if (phone === null) {
        return fail(
          'value',
          `not a valid phone number (use E.164, e.g. +4930123456${
            options.defaultPhoneRegion ? '' : ', or configure a default region'
          })`,
        );
      }
      return valid({ kind: 'phone', value: phone, ...verified });
    }
    case 'social': {
      const network = (raw.network ?? '').trim().toLowerCase();
      if (!SOCIAL_NETWORK.test(network)) {
        return fail('network', 'a social identity needs a network such as "instagram" or "x"');
      }
      const handle = value.replace(/^@/, '').toLowerCase();
      if (!SOCIAL_HANDLE.test(handle))
        return fail('value', 'not a social handle (letters, digits, ".", "_", "-"; up to 100)');
      return valid({ kind: 'social', value: handle, network, ...verified });
    }
    case 'chat': {
      if (!CHAT_VISITOR.test(value)) {
        return fail('value', 'a chat visitor id is 1–128 printable characters without spaces');
      }
      return valid({ kind: 'chat', value, ...verified });
    }
    case 'card': {
      const card = value.replace(/[\s-]/g, '').toUpperCase();
      if (!CARD_ID.test(card)) return fail('value', 'not a card id');
      return valid({ kind: 'card', value: card, ...verified });
    }
  }
}
