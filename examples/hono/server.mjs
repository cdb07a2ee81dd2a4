// An orders API behind jwtward/hono, on Node (@hono/node-server; the same app runs on Workers, Deno,
// Bun). The policy (../policy.json, the Worker's format) says which route needs which scope or tenant;
// the handlers only read c.get('auth'), the verified identity. How to run it and call it: README.md.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { guard } from 'jwtward/hono';
import { jsonLines } from 'jwtward/guard';

const policy = JSON.parse(readFileSync(new URL('../policy.json', import.meta.url), 'utf8'));
const orders = [
  { id: 1, tenant: 'acme', item: 'widget' },
  { id: 2, tenant: 'globex', item: 'gadget' },
];

const app = new Hono()
  // One JSON audit line per decision (route, decision, code, sub, client, tenant, kid; never the token),
  // the lines of one turn of the event loop written together.
  .use(guard(policy, { log: jsonLines((text) => process.stdout.write(text)) }))
  .get('/health', (c) => c.json({ status: 'ok' }))
  .get('/api/orders', (c) => {
    const auth = c.get('auth');
    return c.json({ for: auth.sub, orders: orders.filter((order) => order.tenant === auth.tenant) });
  })
  .post('/api/orders', async (c) => {
    const auth = c.get('auth');
    return c.json({ created: { ...(await c.req.json()), tenant: auth.tenant }, by: auth.clientId }, 201);
  })
  // The guard already checked that the token's tenant_id is this :tenant.
  .get('/tenants/:tenant/orders', (c) => c.json({ tenant: c.req.param('tenant'), orders: orders.filter((order) => order.tenant === c.req.param('tenant')) }));

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log(`orders API (Hono) on http://127.0.0.1:${port}`));
