/**
 * Micro-benchmark of decodeKafkaMessage on binary-mode records as the kafkajs consumer
 * delivers them (Buffer headers and value). Not a test; run with:
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register \
 *     libs/messaging/src/cloudevents/kafka-binding.bench.ts [count]
 *
 * For context it also times decode + parseInboundEvent (the validation that follows on
 * the ingest path) over a tenth of the count.
 */
import 'reflect-metadata';
import { parseInboundEvent } from '@rapport/wire';
import { type IHeaders } from 'kafkajs';
import { type KafkaRecord, decodeKafkaMessage, encodeBinary } from './kafka-binding';

const COUNT = Number(process.argv[2] ?? 200_000);
const DISTINCT = 1_000;

/** Distinct records, so that nothing is decoded from a single hot string. */
function records(): KafkaRecord[] {
  return Array.from({ length: DISTINCT }, (_, i) => {
    const message = encodeBinary(
      {
        specversion: '1.0',
        id: `mail-${i}`,
        source: 'adapters/email',
        type: 'touchpoint.recorded.v1',
        time: new Date(Date.UTC(2026, 2, 1, 9, 0, i % 60)).toISOString(),
        datacontenttype: 'application/json',
        data: {
          channel: 'email',
          direction: 'inbound',
          identity: { kind: 'email', value: `customer.${i}@example.com` },
          content: { subject: `Order ${i}`, text: 'Where is my parcel? '.repeat(10) },
          conversationId: `thread-${i % 97}`,
          metadata: { mailbox: 'support', spam: false },
        },
      },
      `email:customer.${i}@example.com`,
    );
    const headers: IHeaders = { traceparent: Buffer.from(`00-${i}-01`) };
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      headers[name] = Buffer.from(String(value));
    }
    return {
      key: Buffer.from(String(message.key)),
      value: Buffer.from(String(message.value)),
      headers,
    };
  });
}

function time(label: string, count: number, each: (record: KafkaRecord) => boolean): void {
  const input = records();
  for (let i = 0; i < 20_000; i += 1) each(input[i % DISTINCT]); // warm up the JIT
  let ok = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) if (each(input[i % DISTINCT])) ok += 1;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (ok !== count) throw new Error(`${label}: only ${ok} of ${count} records were accepted`);
  const rate = Math.round(count / seconds).toLocaleString('en-US');
  console.log(
    `${label}: ${count.toLocaleString('en-US')} in ${seconds.toFixed(3)} s = ${rate} msgs/s`,
  );
}

const now = new Date('2026-03-10T12:00:00Z');
time('decodeKafkaMessage (binary mode)', COUNT, (r) => decodeKafkaMessage(r).ok);
time('decode + parseInboundEvent', Math.max(1, Math.round(COUNT / 10)), (r) => {
  const decoded = decodeKafkaMessage(r);
  return decoded.ok && parseInboundEvent(decoded.event, { now }).ok;
});
