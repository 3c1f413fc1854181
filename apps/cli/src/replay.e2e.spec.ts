import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@rapport/event-store';
import { kafkaFromUrl, removeTopics } from '@rapport/messaging';
import { describeWithServices, REPO_ROOT } from '@rapport/testing';
import { type IHeaders } from 'kafkajs';

function runCli(args: string[], cwd: string, killWhen?: () => boolean) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rapport'), ...args], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const timer = killWhen
        ? setInterval(() => killWhen() && child.kill('SIGKILL'), 10)
        : undefined;
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (code, signal) => {
        if (timer) clearInterval(timer);
        resolve({ code, signal, output });
      });
    },
  );
}

const header = (headers: IHeaders | undefined, name: string) => headers?.[name]?.toString();

describeWithServices(['kafka'], 'rapport replay into Kafka', ({ kafka: kafkaUrl }) => {
  jest.setTimeout(300_000);
  const run = `rapport-test-replay-${randomUUID().slice(0, 8)}.`;
  const kafka = kafkaFromUrl(kafkaUrl, 'replay-e2e');
  let dir: string;

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'rapport-replay-'))));
  afterAll(async () => {
    await removeTopics(kafka, run);
    rmSync(dir, { recursive: true, force: true });
  });

  it('killed with SIGKILL halfway and resumed, delivers every event in order, none missing, duplicates with their original ids', async () => {
    const logPath = join(dir, 'log.db');
    const store = new SqliteEventStore({ path: logPath });
    const total = 20_000;
    const ids: string[] = [''];
    const ceIds: string[] = [''];
    for (let i = 0; i < total; i += 1000) {
      const requests = Array.from({ length: 1000 }, (_, j) => {
        const n = i + j + 1;
        const survey = n % 7 === 0;
        return {
          streamId: `customer-${n % 250}`,
          expectedRevision: 'any' as const,
          events: [
            {
              id: randomUUID(),
              type: survey ? 'survey.responded.v1' : 'touchpoint.recorded.v1',
              data: survey
                ? {
                    identity: { kind: 'email', value: `p${n % 250}@x.io` },
                    answer: { kind: 'nps', score: 9 },
                  }
                : {
                    channel: 'email',
                    direction: 'inbound',
                    identity: { kind: 'email', value: `p${n % 250}@x.io` },
                    content: { text: `#${n} ünïcödé` },
                  },
              metadata: {
                ce: { id: `orig-${n}`, source: 'adapters/test', time: '2026-03-01T09:00:00Z' },
                occurredAt: '2026-03-01T09:00:00.000Z',
                customerId: `c-${n % 250}`,
              },
            },
          ],
        };
      });
      for (const r of requests) {
        ids.push(r.events[0].id);
        ceIds.push(r.events[0].metadata.ce.id);
      }
      await store.appendMany(requests);
    }
    await store.close();

    const topic = `${run}all`;
    const checkpoint = join(dir, 'replay-checkpoint.json');
    const args = [
      'replay',
      '--store',
      `sqlite:${logPath}`,
      '--from',
      '1',
      '--into',
      `kafka:${topic}`,
      '--kafka',
      kafkaUrl,
      '--batch',
      '500',
      '--checkpoint',
      checkpoint,
    ];
    const savedAt = () =>
      existsSync(checkpoint)
        ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as { checkpoint: number }).checkpoint
        : 0;

    // Killed at some point after the checkpoint passed 6,000: often while a batch is in
    // flight, which the resumed run publishes again.
    let killAt = 0;
    const killed = await runCli(args, dir, () => {
      if (!killAt && savedAt() >= 6000) killAt = Date.now() + Math.random() * 300;
      return killAt > 0 && Date.now() >= killAt;
    });
    expect(killed.signal).toBe('SIGKILL');
    const killedAt = savedAt();
    expect(killedAt).toBeGreaterThanOrEqual(6000);
    expect(killedAt).toBeLessThan(total);

    const resumed = await runCli(args, dir);
    expect(resumed.output).toContain(`resuming after log position ${killedAt}`);
    expect(resumed.code).toBe(0);
    expect(savedAt()).toBe(total);

    // Everything on the topic, in partition (= publish) order.
    const received: {
      position: number;
      id: string;
      eventId: string;
      type: string;
      data: { channel?: string };
    }[] = [];
    const consumer = kafka.consumer({ groupId: `${run}reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const distinct = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${distinct.size} of ${total} events arrived`)),
        120_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const position = Number(header(message.headers, 'ce_rapportposition'));
          received.push({
            position,
            id: header(message.headers, 'ce_id') ?? '',
            eventId: header(message.headers, 'ce_rapporteventid') ?? '',
            type: header(message.headers, 'ce_type') ?? '',
            data: JSON.parse(message.value?.toString() ?? 'null') as { channel?: string },
          });
          distinct.add(position);
          if (distinct.size === total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();

    // In order and none missing: the first copy of each event, in arrival order, is 1..total.
    const seenPositions = new Set<number>();
    const firstCopies = received.filter(
      (r) => !seenPositions.has(r.position) && seenPositions.add(r.position),
    );
    expect(firstCopies.length).toBe(total);
    expect(firstCopies.every((r, i) => r.position === i + 1)).toBe(true);
    // Every copy carries its original ids.
    expect(
      received.filter((r) => r.id !== ceIds[r.position] || r.eventId !== ids[r.position]),
    ).toEqual([]);
    // Duplicates only as at-least-once permits: the resumed run starts right after the
    // checkpoint, so only what was published after it before the kill comes twice.
    const duplicates = received.length - total;
    expect(duplicates).toBeLessThanOrEqual(received.filter((r) => r.position > killedAt).length);
    const restart = received.findIndex((r, i) => i > 0 && r.position <= received[i - 1].position);
    if (restart >= 0) expect(received[restart].position).toBe(killedAt + 1);
    // Served in the newest schema version: v1 surveys arrive as v2, with the channel explicit.
    const surveys = firstCopies.filter((r) => r.position % 7 === 0);
    expect(new Set(surveys.map((r) => `${r.type}/${r.data.channel}`))).toEqual(
      new Set(['survey.responded.v2/survey']),
    );
    console.log(
      `replay: ${total} events, killed at checkpoint ${killedAt}, resumed: ${received.length} messages (${duplicates} duplicates), none missing, in order`,
    );
  });

  it('says in one line what is wrong with bad input, exit code 2', async () => {
    for (const args of [
      ['replay', '--into', 'kafka:x'],
      ['replay', '--from', '5', '--to', '2', '--into', 'kafka:x'],
      ['replay', '--from', '1', '--into', 'kafka:x', '--kafka', 'localhost'],
    ]) {
      const result = await runCli(args, dir);
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 2]);
      expect(result.output.trim().split('\n')).toHaveLength(1);
    }
  });
});
