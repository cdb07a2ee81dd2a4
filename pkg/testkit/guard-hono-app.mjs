// Test app: one Hono application guarded by jwtward/hono whose every route echoes what it received
// (method, path and query, headers, `auth`). The same module runs on Node (@hono/node-server) and in
// workerd (bundled by wrangler through hono-worker.mjs), so the guard table compares the same app on
// both runtimes.
import { Hono } from 'hono';
import { guard } from 'jwtward/hono';

export function honoApp(policy, options) {
  return new Hono().use(guard(policy, options)).all('*', (c) => {
    const url = new URL(c.req.raw.url);
    return c.json({
      method: c.req.method,
      url: url.pathname + url.search,
      headers: Object.fromEntries(c.req.raw.headers),
      auth: c.get('auth'),
    });
  });
}
