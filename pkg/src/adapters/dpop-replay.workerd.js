// The Durable Object that remembers accepted DPoP proofs for the Worker (`jwtward/worker` in workerd),
// so that a proof replayed to another isolate or another location is refused too. Export it from the
// Worker's main module and bind it as DPOP_REPLAY:
//
//   export { DpopReplayStore } from 'jwtward/worker';
//
//   [[durable_objects.bindings]]            # wrangler.toml
//   name = "DPOP_REPLAY"
//   class_name = "DpopReplayStore"
//   [[migrations]]
//   tag = "dpop-replay-v1"
//   new_sqlite_classes = ["DpopReplayStore"]
//
// The Worker uses one object per client key (worker.js, durableReplayStore): `record` answers whether
// a proof (its "<jkt>.<jti>") is new, and keeps it until its `iat` window has closed. A Durable Object
// handles one event at a time while it waits on its storage (input gates), so the read and the write
// of one call are never interleaved with another's: two requests with one proof get one `true`.
import { DurableObject } from 'cloudflare:workers';

class DpopReplayStore extends DurableObject {
  /**
   * @param {string} key "<jkt>.<jti>"
   * @param {number} expiresAt Unix seconds: until when the proof is remembered
   * @param {number} now Unix seconds, the Worker's clock
   * @returns {Promise<boolean>} true for a proof not seen before (now recorded), false for a replay
   */
  async record(key, expiresAt, now) {
    const { storage } = this.ctx;
    const known = await storage.get(key);
    if (known !== undefined && known > now) return false;
    await storage.put(key, expiresAt);
    // Expired entries go at the next alarm: the earliest expiry of what is stored.
    const alarm = await storage.getAlarm();
    if (alarm === null || alarm > (expiresAt + 1) * 1000) await storage.setAlarm((expiresAt + 1) * 1000);
    return true;
  }

  /** Deletes the entries whose window has closed; the next alarm is for the earliest left. */
  async alarm() {
    const { storage } = this.ctx;
    const now = Date.now() / 1000;
    const expired = [];
    let next = Infinity;
    for (const [key, expiresAt] of await storage.list()) {
      if (expiresAt <= now) expired.push(key);
      else next = Math.min(next, expiresAt);
    }
    for (let i = 0; i < expired.length; i += 128) await storage.delete(expired.slice(i, i + 128));
    if (next !== Infinity) await storage.setAlarm((next + 1) * 1000);
  }
}

export { DpopReplayStore };
