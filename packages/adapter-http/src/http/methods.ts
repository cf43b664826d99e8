/** What is read of an application: its routes (a Hono app has them). */
type Routed = { readonly routes: readonly { readonly method: string; readonly path: string }[] };

type Pattern = { regex: RegExp; method: string };

const compiled = new WeakMap<object, { count: number; patterns: Pattern[] }>();

/** A Hono path (`/problems/:code`, `/docs/assets/*`) as a regular expression over request paths. */
function pathRegex(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      const param = /^:[A-Za-z0-9_]+(?:\{(.+)\})?$/.exec(segment);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // Exactly as the router matches (strict): `/report/` is not `/report`, so it is a 404, not a 405 naming the method used.
  return new RegExp(`^${source}$`);
}

/**
 * The methods a path answers to (for `405` and its `Allow` header): read from
 * the application's own routes, so a route added anywhere is counted. Middleware
 * (registered for every method) is not a route. GET brings HEAD, which Hono serves with it.
 */
export function allowedMethods(app: Routed, path: string): string[] {
  let entry = compiled.get(app);
  if (!entry || entry.count !== app.routes.length) {
    const patterns = app.routes.filter((route) => route.method !== 'ALL').map((route) => ({ regex: pathRegex(route.path), method: route.method.toUpperCase() }));
    entry = { count: app.routes.length, patterns };
    compiled.set(app, entry);
  }
  const methods = new Set(entry.patterns.filter((p) => p.regex.test(path)).map((p) => p.method));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
