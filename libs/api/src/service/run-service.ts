import { type INestApplication } from '@nestjs/common';
import { redactBusUrl } from '@rapport/messaging';
import { type RapportConfig } from '../config/rapport-config';
import { createHttpApp } from '../http/create-http-app';
import { serviceLogger } from '../observability/service-logger';
import { armShutdownDeadline } from '../observability/shutdown-deadline';
import { startTracing } from '../observability/tracing/start-tracing';

/**
 * Starts one service as an HTTP app (every service answers `/health`), lets `prepare`
 * attach what else it runs (a Kafka transport, OpenAPI docs), and prints where it listens.
 * A service that cannot start says why and exits non-zero.
 */
export async function runService(
  name: string,
  module: unknown,
  config: RapportConfig,
  prepare: (app: INestApplication) => Promise<void> | void = () => undefined,
): Promise<INestApplication> {
  // JSON lines (pino), or Nest's coloured text on a terminal: RAPPORT_LOG_FORMAT.
  const logger = serviceLogger(name);
  try {
    if (!config.oidc) {
      logger.warn(
        'RAPPORT_OIDC_ISSUER is not set: every staff route answers 503 until it names the OpenID issuer',
      );
    }
    armShutdownDeadline(logger);
    // OpenTelemetry, when the OTEL_* variables ask for it (off by default).
    const tracing = startTracing(name);
    if (tracing.enabled) logger.log(`tracing on: spans to ${tracing.exporters.join(', ')}`);
    const app = await createHttpApp(module, config, logger);
    await prepare(app);
    await app.listen(config.port, config.host);
    logger.log(
      `${name} listening on ${(await app.getUrl()).replace('[::1]', 'localhost')} (pid ${process.pid})`,
    );
    return app;
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

/** The Kafka bootstrap URL of `RAPPORT_BUS`, or a clear error for a service that needs Kafka. */
export function requireKafkaBus(config: RapportConfig, service: string): string {
  if (!config.busUrl.startsWith('kafka://')) {
    throw new Error(
      `the ${service} consumes Kafka: set RAPPORT_BUS=kafka://host:9092 (it is ${redactBusUrl(config.busUrl)})`,
    );
  }
  return config.busUrl;
}
