// A tiny static file server for the inspector tests (and for a quick look by hand):
// serves www/ on 127.0.0.1 with the right MIME types (application/wasm matters for streaming
// compilation), plus optional extra routes a test registers (a JWK Set to fetch).
//
// By hand: node www/serve.mjs   then open the printed http://127.0.0.1:<port>/

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = resolve(fileURLToPath(new URL('.', import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Starts the server on 127.0.0.1 and a random port. `routes` maps a path to
 * `{ status?, headers?, body }` for test-only endpoints. Returns `{ url, close, hits }` where
 * `hits` lists every path requested, in order.
 */
export async function startStaticServer({ root = WWW, routes = {} } = {}) {
  const hits = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    hits.push(path);
    const route = routes[path];
    if (route) {
      res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...(route.headers ?? {}) });
      res.end(route.body);
      return;
    }
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    hits,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startStaticServer();
  console.log(`serving ${WWW} at ${url}`);
}
