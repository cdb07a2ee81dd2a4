// TEST ONLY (its own folder: wrangler names the bundle after the entry, and runBundle runs index.js):
// this repository's Worker with the Durable Object class of the DPOP_REPLAY binding
// exported beside it, as a user's Worker exports it (worker/README.md, "Sender-constrained tokens").
export { default } from '../../src/index.mjs';
export { DpopReplayStore } from 'jwtward/worker';
