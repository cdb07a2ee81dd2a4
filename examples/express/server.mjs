// An orders API behind jwtward/express. The policy (../policy.json, the Worker's format) says which
// route needs which scope or tenant; the handlers only read req.auth, the verified identity.
// How to run it and call it: README.md.
import { readFileSync } from 'node:fs';
import express from 'express';
import { guard } from 'jwtward/express';
import { jsonLines } from 'jwtward/guard';

const policy = JSON.parse(readFileSync(new URL('../policy.json', import.meta.url), 'utf8'));
const orders = [
  { id: 1, tenant: 'acme', item: 'widget' },
  { id: 2, tenant: 'globex', item: 'gadget' },
];

const app = express();
// One JSON audit line per decision (route, decision, code, sub, client, tenant, kid; never the token),
// the lines of one turn of the event loop written together.
app.use(guard(policy, { log: jsonLines((text) => process.stdout.write(text)) }));
app.get('/health', (req, res) => res.json({ status: 'ok' }));
app.get('/api/orders', (req, res) => {
  res.json({ for: req.auth.sub, orders: orders.filter((order) => order.tenant === req.auth.tenant) });
});
app.post('/api/orders', express.json(), (req, res) => {
  res.status(201).json({ created: { ...req.body, tenant: req.auth.tenant }, by: req.auth.clientId });
});
app.get('/tenants/:tenant/orders', (req, res) => {
  // The guard already checked that the token's tenant_id is this :tenant.
  res.json({ tenant: req.params.tenant, orders: orders.filter((order) => order.tenant === req.params.tenant) });
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`orders API (Express) on http://127.0.0.1:${port}`));
