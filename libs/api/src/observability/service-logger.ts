import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import pino, { type Logger as Pino } from 'pino';
import { traceLogFields } from './tracing/trace-log-fields';

/**
 * Field names whose values are personal data wherever they appear in a logged object: they
 * are replaced before the line is written. (Log messages themselves never carry personal
 * data by convention — refusals name fields, not values; this is the second line.)
 */
export const REDACTED_PATHS = [
  'identity',
  'identities',
  'content',
  'text',
  'subject',
  'email',
  'phone',
  'name',
  'value',
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'password',
  'token',
].flatMap((field) => [field, `*.${field}`]);

/** How a service writes its log: `json` lines, or `pretty` (Nest's coloured text). */
export type LogFormat = 'json' | 'pretty';

/**
 * `RAPPORT_LOG_FORMAT`: `json` or `pretty`; unset, JSON lines unless stdout is a terminal
 * (containers and log collectors get JSON; a person at a terminal reads text).
 */
export function logFormatFrom(
  env: NodeJS.ProcessEnv = process.env,
  terminal = Boolean(process.stdout.isTTY),
): LogFormat {
  const value = env.RAPPORT_LOG_FORMAT;
  if (value === undefined || value === '') return terminal ? 'pretty' : 'json';
  if (value !== 'json' && value !== 'pretty') {
    throw new Error(`RAPPORT_LOG_FORMAT must be json or pretty (it is ${value})`);
  }
  return value;
}

/** The logger of one service, in the format `logFormatFrom` chooses. */
export function serviceLogger(
  service: string,
  format: LogFormat = logFormatFrom(),
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true }),
): LoggerService {
  if (format === 'pretty') {
    return new ConsoleLogger(service, { logLevels: ['log', 'warn', 'error'], prefix: 'rapport' });
  }
  return new JsonLogger(
    pino(
      {
        base: { service, pid: process.pid },
        level: 'info',
        timestamp: pino.stdTimeFunctions.isoTime,
        messageKey: 'msg',
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        // `trace_id` and `span_id` while a span is active (tracing on).
        mixin: traceLogFields,
      },
      destination,
    ),
  );
}

/**
 * Nest's `LoggerService` on pino: one JSON line per call, with the level, the time, the
 * service, the Nest context (`ingestor`, `timeline`, `NestFactory` …) and the message; an
 * error's stack as `err.stack`; objects logged as fields (redacted, see `REDACTED_PATHS`).
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest calls `error(message, stack?, context?)`. */
  error(message: unknown, ...rest: unknown[]): void {
    const strings = rest.filter((p): p is string => typeof p === 'string');
    const context = typeof rest[rest.length - 1] === 'string' ? strings.pop() : undefined;
    const stack = strings[0] ?? (message instanceof Error ? message.stack : undefined);
    this.emit('error', message, context, stack ? { err: { stack } } : {});
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context =
      typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    this.emit(level, message, context, {});
  }

  private emit(
    level: pino.Level,
    message: unknown,
    context: string | undefined,
    extra: object,
  ): void {
    const fields = { ...(context ? { context } : {}), ...extra };
    if (message instanceof Error)
      this.pino[level](
        { ...fields, err: { type: message.name, stack: message.stack } },
        message.message,
      );
    else if (typeof message === 'object' && message !== null)
      this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}
