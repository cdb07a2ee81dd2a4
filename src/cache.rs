//! A verified-token cache: a repeated token skips the signature check. Keyed by the SHA-256 of
//! the whole token (so the cache holds no bearer tokens), bounded by LRU, and an entry never
//! outlives the token's `exp`. Time claims are re-checked against `now` on every hit, and
//! failures are never cached (a bad token costs a full verification every time, as it must).

use alloc::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::claims::check_times;
use crate::error::{Error, ErrorCode};
use crate::explain::Trace;
use crate::verify::{Verified, Verifier};

type TokenHash = [u8; 32];

/// Hit and miss counters of a [`CachingVerifier`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Verifications answered from the cache (time claims re-checked, signature skipped).
    pub hits: u64,
    /// Full verifications.
    pub misses: u64,
    /// Entries held now.
    pub entries: usize,
}

struct Entry {
    verified: Verified,
    last_used: u64,
}

/// A [`Verifier`] with a verified-token cache of at most `max_entries` tokens (0 turns it off).
pub struct CachingVerifier {
    verifier: Verifier,
    max_entries: usize,
    entries: BTreeMap<TokenHash, Entry>,
    /// `last_used` tick -> token hash: the LRU order.
    recency: BTreeMap<u64, TokenHash>,
    tick: u64,
    stats: CacheStats,
}

impl CachingVerifier {
    /// Wraps `verifier` with a cache of `max_entries` tokens (0: no caching).
    pub fn new(verifier: Verifier, max_entries: usize) -> Self {
        CachingVerifier {
            verifier,
            max_entries,
            entries: BTreeMap::new(),
            recency: BTreeMap::new(),
            tick: 0,
            stats: CacheStats::default(),
        }
    }

    /// The wrapped verifier (for `explain`, which never uses the cache).
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Counters and size.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.entries.len(),
            ..self.stats
        }
    }

    /// Same verdict as [`Verifier::verify`], from the cache when the token was verified before.
    pub fn verify(&mut self, token: &str, now: i64) -> Result<Verified, Error> {
        if self.max_entries == 0 {
            self.stats.misses += 1;
            return self.verifier.verify(token, now);
        }
        let policy = self.verifier.policy();
        if token.len() > policy.max_token_len {
            // The same error as the verifier, without hashing an oversized input.
            return self.verifier.verify(token, now);
        }
        let hash: TokenHash = Sha256::digest(token.as_bytes()).into();
        self.tick += 1;
        if let Some(entry) = self.entries.get_mut(&hash) {
            let verdict = check_times(entry.verified.claims(), policy, now, &mut Trace::off());
            match verdict {
                Ok(()) => {
                    self.recency.remove(&entry.last_used);
                    entry.last_used = self.tick;
                    self.recency.insert(self.tick, hash);
                    self.stats.hits += 1;
                    return Ok(entry.verified.clone());
                }
                Err(err) => {
                    // Expired entries go; a not-yet-valid one may become valid, so it stays.
                    if err.code() == ErrorCode::Expired {
                        let last_used = entry.last_used;
                        self.entries.remove(&hash);
                        self.recency.remove(&last_used);
                    }
                    self.stats.hits += 1;
                    return Err(err);
                }
            }
        }
        self.stats.misses += 1;
        let verified = self.verifier.verify(token, now)?;
        if self.entries.len() >= self.max_entries {
            if let Some((_, oldest)) = self.recency.pop_first() {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(
            hash,
            Entry {
                verified: verified.clone(),
                last_used: self.tick,
            },
        );
        self.recency.insert(self.tick, hash);
        Ok(verified)
    }
}
