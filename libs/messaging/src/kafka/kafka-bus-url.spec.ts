import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  describeKafkaBus,
  type KafkaBusUrl,
  parseKafkaBusUrl,
  redactBusUrl,
  SASL_MECHANISMS,
} from './kafka-bus-url';
import { kafkaSecurity, parseKafkaUrl } from './kafka-config';

const host = fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/);
const broker = fc.tuple(host, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`);
const brokers = fc.array(broker, { minLength: 1, maxLength: 4 });
const username = fc.string({ minLength: 1, maxLength: 30 });
// every character, URL-special ones included: the URL carries it percent-encoded
const password = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const mechanism = fc.constantFrom(...SASL_MECHANISMS.filter((m) => m !== 'plain'));
const prefix = fc.stringMatching(/^[a-zA-Z0-9._-]{0,12}$/);

describe('parseKafkaBusUrl', () => {
  it('reads brokers and the topic prefix', () => {
    expect(parseKafkaUrl('kafka://h1:9092, h2:9093')).toEqual(['h1:9092', 'h2:9093']);
    expect(parseKafkaBusUrl('kafka://h1:9092?topicPrefix=e2e1.')).toEqual({
      brokers: ['h1:9092'],
      topicPrefix: 'e2e1.',
    });
    expect(parseKafkaBusUrl('kafka://h1:9092').topicPrefix).toBe('');
    expect(parseKafkaUrl('kafka://h1:9092,h2:9092?topicPrefix=x.')).toEqual(['h1:9092', 'h2:9092']);
  });

  it('reads a user and password as SCRAM-SHA-512 unless sasl= says otherwise', () => {
    const bus = parseKafkaBusUrl('kafka://adapter-email:s3cr%40t%3Ax@h1:9092,h2:9092');
    expect(bus).toEqual({
      brokers: ['h1:9092', 'h2:9092'],
      topicPrefix: '',
      sasl: { mechanism: 'scram-sha-512', username: 'adapter-email' },
    });
    expect(bus.sasl?.password).toBe('s3cr@t:x');
    expect(parseKafkaBusUrl('kafka://u:p@h:1?sasl=SCRAM-SHA-256').sasl?.mechanism).toBe(
      'scram-sha-256',
    );
    expect(parseKafkaBusUrl('kafka://u:p@h:1?sasl=plain&tls=true').sasl?.mechanism).toBe('plain');
  });

  it('reads a password file instead of an inline password', () => {
    expect(parseKafkaBusUrl('kafka://rapport-ingestor@h:9092?passwordFile=/run/s/k')).toEqual({
      brokers: ['h:9092'],
      topicPrefix: '',
      sasl: { mechanism: 'scram-sha-512', username: 'rapport-ingestor', passwordFile: '/run/s/k' },
    });
  });

  it('reads TLS options', () => {
    expect(parseKafkaBusUrl('kafka://h:9093?tls=true').tls).toEqual({});
    expect(parseKafkaBusUrl('kafka://h:9093?tls=false').tls).toBeUndefined();
    expect(parseKafkaBusUrl('kafka://h:9093?ca=/etc/ca.pem').tls).toEqual({
      caFile: '/etc/ca.pem',
    });
    expect(
      parseKafkaBusUrl('kafka://h:9093?tls=true&ca=/c.pem&cert=/me.pem&key=/me.key').tls,
    ).toEqual({ caFile: '/c.pem', certFile: '/me.pem', keyFile: '/me.key' });
  });

  it.each([
    ['inproc', /expected kafka:\/\//],
    ['h1:9092', /expected kafka:\/\//],
    ['kafka://', /expected kafka:\/\//],
    ['kafka://h1', /each broker is host:port/],
    ['kafka://h1:9092/x', /expected kafka:\/\//],
    ['kafka://?a=b', /expected kafka:\/\//],
    ['kafka://h1:9092?topicprefix=x.', /unknown options: topicprefix/],
    ['kafka://h1:9092?topicPrefix=a&topicPrefix=b', /given twice: topicPrefix/],
    ['kafka://h1:9092?sasl=scram-sha-512', /needs a user/],
    ['kafka://h1:9092?passwordFile=/x', /needs a user/],
    ['kafka://u@h1:9092', /user "u" has no password/],
    ['kafka://:p@h1:9092', /user before "@" is empty/],
    ['kafka://u:@h1:9092', /password after "user:" is empty/],
    ['kafka://u:p@h1:9092?passwordFile=/x', /not both/],
    ['kafka://u:p%zz@h1:9092', /password is not properly percent-encoded/],
    ['kafka://u:p@h1:9092?sasl=gssapi', /sasl=gssapi is not one of/],
    ['kafka://u:p@h1:9092?sasl=plain', /only with tls=true/],
    ['kafka://h1:9092?tls=yes', /tls=yes: expected true or false/],
    ['kafka://h1:9092?tls=false&ca=/c.pem', /contradicts/],
    ['kafka://h1:9092?cert=/c.pem', /both cert and key/],
    ['kafka://h1:9092?ca=', /ca is empty/],
    ['kafka://u:p@ss@h1:9092', /percent-encode/],
  ])('refuses %s', (url, reason) => {
    expect(() => parseKafkaBusUrl(url)).toThrow(reason);
    expect(() => parseKafkaBusUrl(url)).toThrow(/^not a Kafka URL/);
  });

  it('reads back whatever it is given, percent-encoded (property)', () => {
    fc.assert(
      fc.property(
        brokers,
        prefix,
        fc.option(fc.tuple(username, password, fc.option(mechanism, { nil: undefined })), {
          nil: undefined,
        }),
        fc.boolean(),
        (hosts, topicPrefix, credentials, tls) => {
          const userinfo = credentials
            ? `${encodeURIComponent(credentials[0])}:${encodeURIComponent(credentials[1])}@`
            : '';
          const query = new URLSearchParams({
            ...(topicPrefix ? { topicPrefix } : {}),
            ...(credentials?.[2] ? { sasl: credentials[2] } : {}),
            ...(tls ? { tls: 'true' } : {}),
          }).toString();
          const bus = parseKafkaBusUrl(`kafka://${userinfo}${hosts.join(',')}?${query}`);
          expect(bus.brokers).toEqual(hosts);
          expect(bus.topicPrefix).toBe(topicPrefix);
          expect(bus.tls).toEqual(tls ? {} : undefined);
          if (!credentials) return expect(bus.sasl).toBeUndefined();
          expect(bus.sasl?.username).toBe(credentials[0]);
          expect(bus.sasl?.password).toBe(credentials[1]);
          expect(bus.sasl?.mechanism).toBe(credentials[2] ?? 'scram-sha-512');
        },
      ),
    );
  });

  it('never shows the password: not in errors, not when printed (property)', () => {
    // upper case: never the same as a (lower-case) user or host name around it
    const secret = fc.stringMatching(/^S[A-Z0-9]{11,29}$/);
    const user = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    const badOption = fc.constantFrom('', '&sasl=nope', '&tls=maybe', '&unknown=1', '&cert=/c');
    fc.assert(
      fc.property(user, secret, brokers, badOption, (name, pass, hosts, option) => {
        const url = `kafka://${name}:${pass}@${hosts.join(',')}?topicPrefix=t${option}`;
        let shown: string;
        try {
          const bus = parseKafkaBusUrl(url);
          shown = `${JSON.stringify(bus)} ${inspect(bus, { depth: 5 })} ${describeKafkaBus(bus)} ${String(bus.sasl)}`;
        } catch (error) {
          shown = (error as Error).message;
        }
        expect(shown).not.toContain(pass);
        expect(redactBusUrl(url)).not.toContain(pass);
      }),
    );
  });
});

describe('redactBusUrl', () => {
  it.each([
    ['kafka://u:secret@h:9092?tls=true', 'kafka://u:***@h:9092?tls=true'],
    ['kafka://u@h:9092?passwordFile=/x', 'kafka://u@h:9092?passwordFile=/x'],
    ['kafka://h:9092', 'kafka://h:9092'],
    ['kafks://u:secret@h:9092', 'kafks://u:***@h:9092'],
    ['kafka://u:p@ss?w@rd@h:9092', 'kafka://u:***@h:9092'],
    ['redis://:secret@h:6379/0', 'redis://:***@h:6379/0'],
    ['inproc', 'inproc'],
    ['u:secret@h:9092', '***'],
  ])('%s → %s', (url, shown) => {
    expect(redactBusUrl(url)).toBe(shown);
  });
});

describe('describeKafkaBus', () => {
  it('says where and as whom, without the password', () => {
    const bus: KafkaBusUrl = parseKafkaBusUrl('kafka://adapter-email:pw@h1:1,h2:2?ca=/ca.pem');
    expect(describeKafkaBus(bus)).toBe('h1:1,h2:2 as adapter-email (scram-sha-512, TLS)');
    expect(describeKafkaBus(parseKafkaBusUrl('kafka://h:1'))).toBe('h:1');
  });
});

describe('kafkaSecurity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bus-url-'));
  const file = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  it('turns the URL into kafkajs sasl and ssl settings, reading the files', () => {
    const pw = file('pw', 'from-file\n');
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nx\n');
    expect(
      kafkaSecurity(parseKafkaBusUrl(`kafka://ingestor@h:1?passwordFile=${pw}&ca=${ca}`)),
    ).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'ingestor', password: 'from-file' },
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nx\n'] },
    });
    expect(kafkaSecurity(parseKafkaBusUrl('kafka://u:p%2F@h:1?tls=true'))).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p/' },
      ssl: true,
    });
    expect(kafkaSecurity(parseKafkaBusUrl('kafka://h:1'))).toEqual({});
  });

  it('names the option and the file it cannot read, never a password', () => {
    const empty = file('empty', '\n');
    expect(() =>
      kafkaSecurity(parseKafkaBusUrl(`kafka://u@h:1?passwordFile=${join(dir, 'missing')}`)),
    ).toThrow(/passwordFile=.*missing: cannot read the file \(ENOENT\)/);
    expect(() => kafkaSecurity(parseKafkaBusUrl(`kafka://u@h:1?passwordFile=${empty}`))).toThrow(
      /passwordFile=.*empty: the file is empty/,
    );
  });
});
