import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { type Socket } from 'node:net';
import { type NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { type Express, type Response } from 'express';

/** What a handler answered, kept on its response for whoever reads it after the reply. */
const REPLIED_BODY = Symbol('repliedBody');

/** Rewrites a handler's answer before it is sent (e.g. pseudonyms to plain identities). */
export type ReplyTransform = (body: unknown) => unknown;

/**
 * Nest's Express adapter with one hook on the way out instead of a global interceptor: every
 * handler's answer can be transformed (asynchronously) before it is serialized, and is kept on
 * the response for the audit trail. An interceptor costs every request an rxjs pipeline and an
 * `AsyncResource.bind` per interceptor (ADR 0039); this costs an `instanceof` where nothing is
 * registered. A transform that fails fails the request like a handler (the exception filter
 * answers), since Nest awaits `reply`.
 */
export class RapportExpressAdapter extends ExpressAdapter {
  private transform: ((body: unknown) => unknown) | undefined;

  /**
   * The HTTP server, its requests and responses created with Express's own prototypes:
   * Express gives them these prototypes at the start of every request (`app.handle`), and
   * changing an object's prototype is costly in V8 and leaves the object slower to use;
   * setting the prototype it already has does nothing (ADR 0045). HTTPS and closing
   * connections by force (unused here) keep Nest's server.
   */
  override initHttpServer(options: NestApplicationOptions): void {
    if (options?.httpsOptions || options?.forceCloseConnections)
      return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    function ExpressRequest(this: IncomingMessage, socket: Socket) {
      IncomingMessage.call(this, socket);
    }
    ExpressRequest.prototype = app.request;
    function ExpressResponse(this: ServerResponse, request: IncomingMessage, settings: object) {
      Reflect.apply(ServerResponse, this, [request, settings]);
    }
    ExpressResponse.prototype = app.response;
    this.httpServer = createServer(
      {
        IncomingMessage: ExpressRequest as unknown as typeof IncomingMessage,
        ServerResponse: ExpressResponse as unknown as typeof ServerResponse,
      },
      app,
    );
  }

  /** Registers the transform every handler's answer goes through (one per application). */
  transformReplies(transform: ReplyTransform): void {
    if (this.transform) throw new Error('a reply transform is already registered');
    this.transform = transform;
  }

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    (response as unknown as Record<symbol, unknown>)[REPLIED_BODY] = body;
    const transformed = this.transform ? this.transform(body) : body;
    if (transformed instanceof Promise)
      return transformed.then((out: unknown) => this.send(response, out, statusCode));
    return this.send(response, transformed, statusCode);
  }

  /**
   * A handler's JSON answer (a plain object or array, 200 or 201, not to HEAD, no type set
   * by the handler) serialized and ended here: what Express's `res.json` sends for it,
   * without its header round trips (content type set, parsed and formatted again for the
   * charset, a freshness check that cannot succeed without an ETag; ADR 0045). Node adds
   * the Content-Length of a body ended in one piece. Everything else is Nest's.
   */
  private send(response: Response, body: unknown, statusCode?: number): unknown {
    const status = statusCode ?? response.statusCode;
    if (
      (status === 200 || status === 201) &&
      isPlainJson(body) &&
      response.req.method !== 'HEAD' &&
      !response.hasHeader('content-type')
    ) {
      response.statusCode = status;
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.end(JSON.stringify(body));
      return undefined;
    }
    return super.reply(response, body, statusCode);
  }
}

function isPlainJson(body: unknown): boolean {
  if (Array.isArray(body)) return true;
  if (typeof body !== 'object' || body === null) return false;
  const prototype = Object.getPrototypeOf(body);
  return prototype === Object.prototype || prototype === null;
}

/** The answer a handler gave for this response (before any transform), if it gave one. */
export function repliedBody(response: object): unknown {
  return (response as Record<symbol, unknown>)[REPLIED_BODY];
}
