//! `/metrics`: Prometheus counters and histograms (prometheus-client's registry and
//! text encoder).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Verdict {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Lookup {
    outcome: &'static str,
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    latency: Family<Route, Histogram>,
    verdicts: Family<Verdict, Counter>,
    collateral: Family<Lookup, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("verdict");
        let requests = Family::<RouteStatus, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        // 0.25 ms to about 4 s.
        let latency = Family::<Route, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.000_25, 2.0, 15))) as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response, by route",
            latency.clone(),
        );
        let verdicts = Family::<Verdict, Counter>::default();
        registry.register(
            "attestations",
            "Attestation results by ear.status (or the problem kind when no token was issued)",
            verdicts.clone(),
        );
        let collateral = Family::<Lookup, Counter>::default();
        registry.register(
            "collateral_lookups",
            "Collateral needs by outcome: in memory, from the cache or vendors, shared by \
             another replica through Redis, or failed",
            collateral.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            verdicts,
            collateral,
        }
    }

    /// One request answered.
    pub fn request(&self, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RouteStatus {
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&Route {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// One attestation's outcome (`affirming`, …, or a problem kind).
    pub fn verdict(&self, status: &str) {
        self.verdicts
            .get_or_create(&Verdict {
                status: status.to_owned(),
            })
            .inc();
    }

    /// Evidence whose collateral was all in memory.
    pub fn collateral_in_memory(&self) {
        self.lookup("in_memory");
    }

    /// Keys fetched (from the disk cache or the vendors).
    pub fn collateral_fetched(&self, n: usize) {
        self.collateral
            .get_or_create(&Lookup { outcome: "fetched" })
            .inc_by(n as u64);
    }

    /// Keys that could not be had.
    pub fn collateral_failed(&self, n: usize) {
        self.collateral
            .get_or_create(&Lookup { outcome: "failed" })
            .inc_by(n as u64);
    }

    /// A key another replica had fetched, read from Redis.
    pub fn collateral_shared_hit(&self) {
        self.lookup("shared");
    }

    fn lookup(&self, outcome: &'static str) {
        self.collateral.get_or_create(&Lookup { outcome }).inc();
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
