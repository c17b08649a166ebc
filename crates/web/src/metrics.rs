//! Request counters and a latency histogram, exposed at `/metrics`.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

static BY_CLASS: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];
static HIST: [AtomicU64; 10] = [const { AtomicU64::new(0) }; 10];
static COUNT: AtomicU64 = AtomicU64::new(0);
static SUM_MICROS: AtomicU64 = AtomicU64::new(0);

pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let res = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let class = usize::from(res.status().as_u16() / 100).clamp(1, 5) - 1;
    BY_CLASS[class].fetch_add(1, Ordering::Relaxed);
    COUNT.fetch_add(1, Ordering::Relaxed);
    SUM_MICROS.fetch_add(
        u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    for (i, b) in BUCKETS.iter().enumerate() {
        if secs <= *b {
            HIST[i].fetch_add(1, Ordering::Relaxed);
        }
    }
    res
}

pub fn render(jobs: &[(String, i64)], db_up: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# HELP elkarlan_http_requests_total HTTP responses by status class.\n# TYPE elkarlan_http_requests_total counter"
    );
    for (i, c) in BY_CLASS.iter().enumerate() {
        let _ = writeln!(
            s,
            "elkarlan_http_requests_total{{class=\"{}xx\"}} {}",
            i + 1,
            c.load(Ordering::Relaxed)
        );
    }
    let _ = writeln!(
        s,
        "# HELP elkarlan_http_request_duration_seconds Time to answer.\n# TYPE elkarlan_http_request_duration_seconds histogram"
    );
    for (i, b) in BUCKETS.iter().enumerate() {
        let _ = writeln!(
            s,
            "elkarlan_http_request_duration_seconds_bucket{{le=\"{b}\"}} {}",
            HIST[i].load(Ordering::Relaxed)
        );
    }
    let count = COUNT.load(Ordering::Relaxed);
    let _ = writeln!(
        s,
        "elkarlan_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
    );
    let _ = writeln!(
        s,
        "elkarlan_http_request_duration_seconds_sum {}",
        SUM_MICROS.load(Ordering::Relaxed) as f64 / 1e6
    );
    let _ = writeln!(s, "elkarlan_http_request_duration_seconds_count {count}");
    let _ = writeln!(
        s,
        "# HELP elkarlan_audit_read_batches_total Group commits of read-audit rows.\n# TYPE elkarlan_audit_read_batches_total counter"
    );
    let _ = writeln!(
        s,
        "elkarlan_audit_read_batches_total {}",
        crate::services::operations::read_audit_written().0
    );
    let _ = writeln!(
        s,
        "# TYPE elkarlan_audit_read_rows_total counter\nelkarlan_audit_read_rows_total {}",
        crate::services::operations::read_audit_written().1
    );
    let _ = writeln!(
        s,
        "# HELP elkarlan_jobs Jobs by status.\n# TYPE elkarlan_jobs gauge"
    );
    for (status, n) in jobs {
        let _ = writeln!(s, "elkarlan_jobs{{status=\"{status}\"}} {n}");
    }
    let _ = writeln!(
        s,
        "# TYPE elkarlan_database_up gauge\nelkarlan_database_up {}",
        u8::from(db_up)
    );
    s
}
