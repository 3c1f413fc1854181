/**
 * A writer for the crash test: appends numbered events to one stream, one append at a
 * time, and prints `ack <n> <eventId> <position>` only after each append has resolved.
 * The test kills it with SIGKILL somewhere in the middle.
 */
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../sqlite-event-store';

async function main() {
  const [path, streams] = process.argv.slice(2);
  const store = new SqliteEventStore({ path });
  const streamCount = Number(streams ?? 3);
  for (let n = 0; ; n += 1) {
    const id = randomUUID();
    const result = await store.append(`crash-${n % streamCount}`, [
      { id, type: 'crash.tick.v1', data: { n } },
    ]);
    process.stdout.write(`ack ${n} ${id} ${result.position}\n`);
  }
}

void main();
