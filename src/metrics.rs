//! Prometheus metrics: HTTP requests by route and status, their durations, and every SQL
//! statement the server runs (`isp_db_statements_total`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds of the request-duration histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The process's counters; shared by the HTTP layer and every database connection.
#[derive(Default)]
pub struct Metrics {
    /// Incremented by each pooled connection for every statement it starts.
    pub db_statements: Arc<AtomicU64>,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    durations: Mutex<BTreeMap<String, Histogram>>,
}

impl Metrics {
    /// Records one finished HTTP request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let key = (method.to_owned(), route.to_owned(), status);
        *self.requests.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_default() += 1;
        let seconds = elapsed.as_secs_f64();
        let mut durations = self.durations.lock().unwrap_or_else(|e| e.into_inner());
        let h = durations.entry(route.to_owned()).or_default();
        h.count += 1;
        h.sum += seconds;
        for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
    }

    /// SQL statements run so far.
    pub fn statements(&self) -> u64 {
        self.db_statements.load(Ordering::Relaxed)
    }

    /// Everything in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP isp_db_statements_total SQL statements executed by the server.\n");
        out.push_str("# TYPE isp_db_statements_total counter\n");
        let _ = writeln!(out, "isp_db_statements_total {}", self.statements());

        out.push_str("# HELP isp_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE isp_http_requests_total counter\n");
        for ((method, route, status), n) in self.requests.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(
                out,
                "isp_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }

        out.push_str("# HELP isp_http_request_duration_seconds Time to answer an HTTP request, by route.\n");
        out.push_str("# TYPE isp_http_request_duration_seconds histogram\n");
        for (route, h) in self.durations.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            for (bound, count) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "isp_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ =
                writeln!(out, "isp_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "isp_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "isp_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("POST", "/graphql", 200, Duration::from_millis(3));
        m.observe("POST", "/graphql", 200, Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains("isp_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"} 2"));
        assert!(text.contains("isp_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"} 1"));
        assert!(text.contains("isp_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.05\"} 2"));
        assert!(text.contains("isp_http_request_duration_seconds_count{route=\"/graphql\"} 2"));
        assert!(text.contains("isp_db_statements_total 0"));
    }
}
