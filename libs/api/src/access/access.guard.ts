import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request, type Response } from 'express';
import { ProblemException } from '../http/problem';
import { AuditRecorder, auditWhenAnswered } from './audit-recorder';
import { ACCESS_POLICY, ADAPTER_KEY_HEADER, type AccessPolicy } from './access-policy';
import { type AdapterPrincipal, type AuthenticatedRequest } from './principal';
import {
  InvalidTokenError,
  IssuerUnavailableError,
  type StaffTokenVerifier,
} from './staff-token-verifier';

export const STAFF_TOKEN_VERIFIER = Symbol('STAFF_TOKEN_VERIFIER');
export const ADAPTER_KEY_AUTHENTICATOR = Symbol('ADAPTER_KEY_AUTHENTICATOR');
/** Optional: checks the metrics scraper's bearer token (`ScrapeToken`, from the observability module). */
export const SCRAPE_TOKEN = Symbol('SCRAPE_TOKEN');

/** Whether a presented bearer token is the scraper's. */
export interface ScrapeTokenCheck {
  matches(presented: string): boolean;
}

/** Finds the adapter a presented key belongs to; `undefined` for unknown, wrong or revoked keys. */
export interface AdapterKeyAuthenticator {
  authenticate(presented: string): Promise<AdapterPrincipal | undefined>;
}

/** Each route's policy by handler and controller: decorators are applied once, at start. */
const policies = new WeakMap<object, WeakMap<object, AccessPolicy | null>>();

/** The route's `@Access` policy (the handler's, else its controller's), looked up once. */
function policyOf(reflector: Reflector, context: ExecutionContext): AccessPolicy | undefined {
  const handler = context.getHandler();
  const controller = context.getClass();
  let byController = policies.get(handler);
  if (!byController) policies.set(handler, (byController = new WeakMap()));
  let policy = byController.get(controller);
  if (policy === undefined) {
    policy =
      reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [handler, controller]) ??
      null;
    byController.set(controller, policy);
  }
  return policy ?? undefined;
}

/**
 * Who is calling, under default deny: a route is reachable only as its `@Access` policy
 * says, and a route with none is refused (a test walks the route table so that none ships
 * without one). 401 for missing or invalid credentials; the role is `RoleGuard`'s.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(STAFF_TOKEN_VERIFIER) private readonly staff?: StaffTokenVerifier,
    @Optional()
    @Inject(ADAPTER_KEY_AUTHENTICATOR)
    private readonly adapters?: AdapterKeyAuthenticator,
    @Optional() @Inject(SCRAPE_TOKEN) private readonly scrapeToken?: ScrapeTokenCheck | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Kafka handlers: trust comes from the topic
    const policy = policyOf(this.reflector, context);
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    if (!policy) throw new ProblemException(403, 'this route has no access policy');
    if (policy.kind === 'open') return true;
    if (policy.kind === 'adapter') {
      request.principal = await this.adapter(request);
      return true;
    }
    if (policy.kind === 'scraper') return this.scraper(request, response);
    request.principal = await this.staffMember(request, response);
    // The role is checked by RoleGuard, after the rate limit: refusals count against it too.
    return true;
  }

  /** The scraper is no principal (not rate-limited, not audited): its token opens `/metrics` only. */
  private scraper(request: Request, response: Response): true {
    const [scheme, token, extra] = (request.header('authorization') ?? '').split(' ');
    const presented = scheme?.toLowerCase() === 'bearer' && token && extra === undefined;
    if (presented && this.scrapeToken?.matches(token)) return true;
    response.setHeader('WWW-Authenticate', 'Bearer realm="rapport-metrics"');
    throw new ProblemException(
      401,
      this.scrapeToken
        ? 'send the scrape token: Authorization: Bearer <RAPPORT_METRICS_TOKEN>'
        : 'scraping is off: no RAPPORT_METRICS_TOKEN or RAPPORT_METRICS_TOKEN_FILE is set',
    );
  }

  private async adapter(request: Request): Promise<AdapterPrincipal> {
    const presented = request.header(ADAPTER_KEY_HEADER);
    if (!presented) {
      throw new ProblemException(401, `send the adapter key in the ${ADAPTER_KEY_HEADER} header`);
    }
    const principal = this.adapters ? await this.adapters.authenticate(presented) : undefined;
    if (!principal) throw new ProblemException(401, 'the adapter key is not valid');
    return principal;
  }

  private async staffMember(request: Request, response: Response) {
    const [scheme, token, extra] = (request.header('authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || extra !== undefined) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="rapport"');
      throw new ProblemException(401, 'send a bearer token: Authorization: Bearer <JWT>');
    }
    if (!this.staff) {
      throw new ProblemException(503, 'staff sign-in is not configured (RAPPORT_OIDC_ISSUER)');
    }
    try {
      return await this.staff.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        response.setHeader('WWW-Authenticate', 'Bearer realm="rapport", error="invalid_token"');
        throw new ProblemException(401, error.message);
      }
      if (error instanceof IssuerUnavailableError) throw new ProblemException(503, error.message);
      throw error;
    }
  }
}

/**
 * Runs after authentication and the rate limit: a staff member without the route's role
 * gets 403, and the attempt is audited (refusals are rate-limited like any request, so they
 * cannot flood the trail).
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Optional() private readonly audit?: AuditRecorder,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const policy = policyOf(this.reflector, context);
    if (policy?.kind !== 'staff') return true;
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const principal = request.principal;
    if (principal?.kind === 'staff' && principal.roles.has(policy.role)) {
      // Past every guard: audited with the answer it gets (the last guard registers it).
      if (this.audit)
        auditWhenAnswered(this.audit, request, context.switchToHttp().getResponse<Response>());
      return true;
    }
    this.audit?.record(request, 403);
    throw new ProblemException(403, `this needs the ${policy.role} role`);
  }
}
