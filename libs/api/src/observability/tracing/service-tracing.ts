import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { traceRequest } from './http-server-spans';
import { traceProjectionBatches } from './projection-spans';
import { currentTracing } from './start-tracing';

/**
 * With tracing on (`startTracing`): a server span for every HTTP request (a plain
 * middleware added while the app is created, before any route or body parser), a span for
 * every traced event a projection applies, and the buffered spans exported at shutdown.
 * With tracing off, nothing.
 */
@Injectable()
export class ServiceTracing implements OnApplicationShutdown {
  private readonly stopProjections: (() => void) | undefined;

  constructor(adapterHost: HttpAdapterHost) {
    if (!currentTracing().enabled) return;
    adapterHost.httpAdapter?.use(traceRequest);
    this.stopProjections = traceProjectionBatches();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopProjections?.();
    await currentTracing().shutdown();
  }
}
