//! Native verification throughput: verifications per second for every algorithm with the full
//! policy checked (issuer, audience, subject, typ, max age, required claim, custom claim, scope),
//! plus decode-only, verifier construction and a repeated token through the cache.
//!
//! A plain `std::time` harness (no framework): per case a warm-up, then `ROUNDS` timed rounds of
//! about `ROUND_MS` each, reporting the median round. The tokens are pre-signed by
//! `benches/fixtures/make.mjs` (npm `jose`) with TEST-ONLY keys, so this bench needs no signing
//! crate. Each case cycles through 16 distinct tokens.
//!
//! ```text
//! cargo bench --bench verify                    # table on stdout
//! cargo bench --bench verify -- --json          # also writes <target>/bench-native.json
//! cargo bench --bench verify -- --quick ES256   # fewer, shorter rounds; filter by name
//! ```
//! `benches/js/bench.mjs` prints the JSON next to the WebAssembly figures.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use jwtward::{decode, Algorithm, CachingVerifier, Jwks, Policy, Verifier};
use serde_json::Value;

struct Settings {
    rounds: usize,
    round: Duration,
    warmup: Duration,
    json: bool,
    filters: Vec<String>,
}

impl Settings {
    fn from_args() -> Settings {
        let mut settings = Settings {
            rounds: 7,
            round: Duration::from_millis(150),
            warmup: Duration::from_millis(150),
            json: false,
            filters: Vec::new(),
        };
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                // `cargo bench` passes `--bench` to every bench binary; nothing to do.
                "--bench" => {}
                "--json" => settings.json = true,
                "--quick" => {
                    settings.rounds = 3;
                    settings.round = Duration::from_millis(40);
                    settings.warmup = Duration::from_millis(20);
                }
                other if other.starts_with("--") => {
                    eprintln!("verify bench: ignoring unknown option {other}");
                }
                filter => settings.filters.push(filter.to_string()),
            }
        }
        settings
    }

    fn wants(&self, name: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| name.contains(f.as_str()))
    }
}

/// Times `op` (one call = one operation) and returns the median operations per second.
fn measure(settings: &Settings, mut op: impl FnMut(usize)) -> (f64, Vec<f64>) {
    // Warm-up, which also estimates the cost of one call to size the rounds.
    let start = Instant::now();
    let mut calls = 0usize;
    while start.elapsed() < settings.warmup || calls < 3 {
        op(calls);
        calls += 1;
    }
    let per_call = start.elapsed().as_secs_f64() / calls as f64;
    let batch = ((settings.round.as_secs_f64() / per_call) as usize).max(1);

    let mut rates = Vec::with_capacity(settings.rounds);
    let mut i = calls;
    for _ in 0..settings.rounds {
        let t = Instant::now();
        for _ in 0..batch {
            op(i);
            i = i.wrapping_add(1);
        }
        rates.push(batch as f64 / t.elapsed().as_secs_f64());
    }
    let mut sorted = rates.clone();
    sorted.sort_by(f64::total_cmp);
    (sorted[sorted.len() / 2], rates)
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures")
}

fn read_json(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (run node benches/fixtures/make.mjs)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The policy the fixtures were signed for: every kind of check the engine has, all passing.
fn policy(spec: &Value) -> Policy {
    let mut policy = Policy::new()
        .algorithms(Algorithm::ALL.into_iter().filter(|a| a.is_supported()))
        .issuer(spec["issuer"].as_str().expect("policy.issuer"))
        .audience(spec["audience"].as_str().expect("policy.audience"))
        .subject(spec["subject"].as_str().expect("policy.subject"))
        .typ(spec["typ"].as_str().expect("policy.typ"))
        .required_scopes(strings(&spec["requiredScopes"]))
        .required_claims(strings(&spec["requiredClaims"]))
        .max_token_age(spec["maxTokenAge"].as_u64().expect("policy.maxTokenAge"));
    if let Some(claims) = spec["claims"].as_object() {
        for (name, value) in claims {
            policy = policy.claim(name.as_str(), value.clone());
        }
    }
    policy
}

struct Row {
    name: String,
    ops_per_sec: f64,
    rounds: Vec<f64>,
}

fn main() {
    let settings = Settings::from_args();
    let jwks_json = std::fs::read_to_string(fixtures_dir().join("jwks.json"))
        .expect("benches/fixtures/jwks.json");
    let fixtures = read_json("tokens.json");
    let now = fixtures["now"].as_i64().expect("tokens.json: now");
    let policy_spec = &fixtures["policy"];

    let jwks = Jwks::from_json(&jwks_json).expect("fixture JWKS parses");
    let verifier = Verifier::new(jwks, policy(policy_spec)).expect("fixture verifier builds");

    let mut rows: Vec<Row> = Vec::new();
    let mut run = |name: String, op: &mut dyn FnMut(usize)| {
        if !settings.wants(&name) {
            return;
        }
        let (ops_per_sec, rounds) = measure(&settings, op);
        println!("{name:<22} {ops_per_sec:>14.0} ops/s");
        rows.push(Row {
            name,
            ops_per_sec,
            rounds,
        });
    };

    let load = load_average();
    if let Some(load) = load {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!("load average {load:.2} on {cpus} CPUs");
        if load > 0.75 * cpus as f64 {
            println!("WARNING: the machine is busy: figures will be low and noisy");
        }
    }
    println!("{:<22} {:>20}", "case", "median of rounds");
    let mut all_tokens: Vec<String> = Vec::new();
    for alg in Algorithm::ALL.into_iter().filter(|a| a.is_supported()) {
        let tokens = strings(&fixtures["tokens"][alg.name()]);
        assert!(!tokens.is_empty(), "tokens.json has no {alg} tokens");
        // A bench that measures failures would be worthless: every token must verify.
        for token in &tokens {
            if let Err(e) = verifier.verify(token, now) {
                panic!("fixture {alg} token rejected: {} ({e})", e.code());
            }
        }
        run(format!("verify {alg}"), &mut |i| {
            black_box(
                verifier
                    .verify(black_box(&tokens[i % tokens.len()]), now)
                    .is_ok(),
            );
        });
        all_tokens.extend(tokens);
    }

    // Decode-only over every algorithm's tokens (RSA tokens are longer: the mix is realistic).
    run("decode (all algs)".to_string(), &mut |i| {
        black_box(decode(black_box(&all_tokens[i % all_tokens.len()])).is_ok());
    });
    // Construction: JWK Set parsing and key import (RSA, EC point checks), once per verifier.
    run("Verifier::new (14 keys)".to_string(), &mut |_| {
        let jwks = Jwks::from_json(&jwks_json).expect("fixture JWKS parses");
        black_box(Verifier::new(jwks, policy(policy_spec)).is_ok());
    });

    // A repeated token through the verified-token cache: hash + lookup + time re-check.
    for alg in [Algorithm::HS256, Algorithm::RS256, Algorithm::ES256] {
        if !alg.is_supported() {
            continue;
        }
        let jwks = Jwks::from_json(&jwks_json).expect("fixture JWKS parses");
        let verifier = Verifier::new(jwks, policy(policy_spec)).expect("fixture verifier builds");
        let mut cached = CachingVerifier::new(verifier, 1000);
        let token = strings(&fixtures["tokens"][alg.name()]).swap_remove(0);
        run(format!("cache hit {alg}"), &mut |_| {
            black_box(cached.verify(black_box(&token), now).is_ok());
        });
        let stats = cached.stats();
        assert!(
            stats.misses <= 1,
            "the repeated {alg} token missed the cache {} times",
            stats.misses
        );
    }

    if settings.json {
        write_json(&rows, load);
    }
}

/// The 1-minute load average (Linux), to flag runs on a busy machine.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn write_json(rows: &[Row], load: Option<f64>) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let results: serde_json::Map<String, Value> = rows
        .iter()
        .map(|row| {
            (
                row.name.clone(),
                serde_json::json!({ "opsPerSec": row.ops_per_sec.round(), "rounds": row.rounds.iter().map(|r| r.round()).collect::<Vec<_>>() }),
            )
        })
        .collect();
    let doc = serde_json::json!({
        "bench": "jwtward native verify",
        "target": std::env::consts::ARCH,
        "loadAverage": load,
        "unixTime": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "results": results,
    });
    let path = target.join("bench-native.json");
    let _ = std::fs::create_dir_all(&target);
    match std::fs::write(
        &path,
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n",
    ) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
}
