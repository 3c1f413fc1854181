import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { logFormatFrom, serviceLogger } from './service-logger';

/** A JSON logger writing into `lines`. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: serviceLogger('ingestor', 'json', sink) };
}

describe('service logger', () => {
  it('writes one JSON line per call: level, time, service, context, message', () => {
    const { lines, logger } = capture();
    logger.log('ingestor listening on http://127.0.0.1:3000 (pid 7)', 'ingestor');
    logger.warn('3 message(s) from touchpoints.email[0] sent to touchpoints.dlq', 'ingestor');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'ingestor',
        context: 'ingestor',
        msg: 'ingestor listening on http://127.0.0.1:3000 (pid 7)',
        pid: process.pid,
      }),
      expect.objectContaining({ level: 'warn', context: 'ingestor' }),
    ]);
    expect(Number.isNaN(Date.parse(String(lines[0].time)))).toBe(false);
  });

  it("logs an error's stack as a field, as Nest's Logger hands it over", () => {
    const { lines, logger } = capture();
    const failure = new Error('boom');
    logger.error('unexpected error on one event (ref-1)', failure.stack, 'ingestion');
    expect(lines[0]).toMatchObject({
      level: 'error',
      context: 'ingestion',
      msg: 'unexpected error on one event (ref-1)',
      err: { stack: expect.stringContaining('Error: boom') },
    });
  });

  it('redacts personal fields of logged objects, nested too', () => {
    const { lines, logger } = capture();
    logger.log(
      {
        msg: 'refused',
        identity: { kind: 'email', value: 'maria.rossi@example.com' },
        event: { content: { text: 'Where is my parcel?' }, channel: 'email' },
      },
      'ingestion',
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/maria|parcel/i);
    expect(lines[0]).toMatchObject({
      identity: '[redacted]',
      event: { content: '[redacted]', channel: 'email' },
    });
  });

  it('serves the Logger instances of the whole app once Nest uses it', () => {
    const { lines, logger } = capture();
    Logger.overrideLogger(logger);
    try {
      new Logger('timeline').log('holding the timeline lease');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines[0]).toMatchObject({ context: 'timeline', msg: 'holding the timeline lease' });
  });

  it('is JSON unless on a terminal, or as RAPPORT_LOG_FORMAT says', () => {
    expect(logFormatFrom({}, false)).toBe('json');
    expect(logFormatFrom({}, true)).toBe('pretty');
    expect(logFormatFrom({ RAPPORT_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFrom({ RAPPORT_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormatFrom({ RAPPORT_LOG_FORMAT: 'xml' }, false)).toThrow(/json or pretty/);
  });
});
