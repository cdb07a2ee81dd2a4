// `node --import ./worker/load/unguarded.mjs examples/express/server.mjs`: the same example app with the
// guard taken out, for worker/load/guards.mjs to measure what the guard costs. The example's code is
// untouched: this registers a module resolve hook that answers `jwtward/express` and `jwtward/hono`
// with a stand-in whose `guard()` lets every request through with a fixed `auth` of the guard's shape
// (the handlers read it), and `jwtward/guard`'s `jsonLines` with a hook that writes nothing.
import { register } from 'node:module';

const AUTH = {
  sub: 'demo-client', clientId: 'demo-client', tenant: 'acme', scopes: ['orders:read'], iss: 'https://issuer.jwtward.example',
  aud: 'api://jwtward-demo', exp: 4102444800, kid: 'jwtward-demo-es256-2026', alg: 'ES256', claims: {}, route: 'list orders',
};
const STAND_INS = {
  'jwtward/express': `export const guard = () => (req, res, next) => { req.auth = ${JSON.stringify(AUTH)}; next(); };`,
  'jwtward/hono': `export const guard = () => async (c, next) => { c.set('auth', ${JSON.stringify(AUTH)}); await next(); };`,
  'jwtward/guard': 'export const jsonLines = () => () => {};',
};
const hooks = `
const standIns = ${JSON.stringify(STAND_INS)};
export async function resolve(specifier, context, next) {
  if (Object.hasOwn(standIns, specifier)) return { url: 'data:text/javascript,' + encodeURIComponent(standIns[specifier]), shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
