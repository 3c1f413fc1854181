import { type DynamicModule, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy';

/** One HTTP route as the application declares it, with its access policy (if any). */
export interface RouteEntry {
  readonly method: string;
  /** Express-style template: `/v1/customers/:id/timeline`. */
  readonly path: string;
  readonly controller: string;
  readonly handler: string;
  readonly policy?: AccessPolicy;
}

/**
 * Every route of a module tree, read from the same decorators Nest routes by, so that a
 * new route is in the table the moment it exists (the access matrix tests walk it).
 */
export function routeTable(root: unknown): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const controller of controllersOf(root)) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const handler of Object.getOwnPropertyNames(proto)) {
      const fn = proto[handler];
      if (handler === 'constructor' || typeof fn !== 'function') continue;
      const sub: unknown = Reflect.getMetadata(PATH_METADATA, fn);
      const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      if (sub === undefined || method === undefined) continue;
      const path = `/${[base, String(sub)]
        .map((part) => part.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`;
      const policy = (Reflect.getMetadata(ACCESS_POLICY, fn) ??
        Reflect.getMetadata(ACCESS_POLICY, controller)) as AccessPolicy | undefined;
      routes.push({
        method: RequestMethod[method],
        path,
        controller: controller.name,
        handler,
        ...(policy ? { policy } : {}),
      });
    }
  }
  return routes;
}

/** Every controller a module tree declares, through its imports (dynamic modules included). */
export function controllersOf(root: unknown, seen = new Set<unknown>()): Type[] {
  if (!root || seen.has(root)) return [];
  seen.add(root);
  const dynamic = typeof root === 'object' && 'module' in root ? (root as DynamicModule) : null;
  const cls = dynamic ? dynamic.module : root;
  const meta = (key: string) => (Reflect.getMetadata(key, cls as object) ?? []) as unknown[];
  const controllers = [...meta('controllers'), ...(dynamic?.controllers ?? [])] as Type[];
  const imports = [...meta('imports'), ...(dynamic?.imports ?? [])];
  return [...new Set([...controllers, ...imports.flatMap((m) => controllersOf(m, seen))])];
}
