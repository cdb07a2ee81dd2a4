// The Worker side of bench.mjs's workerd section: the contenders of contenders.mjs with jwtward
// through its `workerd` export condition (the .wasm imported as a module) and jose. bench.mjs
// bundles this file with esbuild, runs it in Miniflare and drives it:
//   POST /setup   -> contenders.mjs setup()
//   POST /run     -> contenders.mjs run()

import * as jwtward from 'jwtward';
import * as jose from 'jose';
import { createBench } from './contenders.mjs';

const bench = createBench(jwtward, jose);

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/setup') return Response.json(await bench.setup(await request.json()));
      if (url.pathname === '/run') return Response.json(await bench.run(await request.json()));
      return new Response('not found', { status: 404 });
    } catch (error) {
      return Response.json({ error: `${error.code ?? ''} ${error.message}` }, { status: 500 });
    }
  },
};
