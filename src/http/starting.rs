//! While the server starts (migrations, start-up checks), its port already answers: every
//! request gets `503` with `{"status":"starting"}`, so a load balancer's health check sees a
//! server that is not ready yet, rather than a closed port, and sends nothing its way.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};

/// The body of every answer while starting.
const STARTING: &str = r#"{"status":"starting","database":"migrating"}"#;

/// Answers every connection on `listener` with 503 until `ready` resolves, and returns what it
/// gave (connections accepted meanwhile are answered and closed).
pub async fn answer_until<T>(listener: &TcpListener, ready: impl Future<Output = T>) -> T {
    tokio::pin!(ready);
    loop {
        tokio::select! {
            out = &mut ready => return out,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(not_yet(stream));
                }
            }
        }
    }
}

/// One connection during start-up: each request answered 503, then closed.
async fn not_yet(stream: TcpStream) {
    let service = hyper::service::service_fn(|_request| async {
        let mut response = hyper::Response::new(axum::body::Body::from(STARTING));
        *response.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
        let headers = response.headers_mut();
        headers.insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
        headers.insert(hyper::header::RETRY_AFTER, hyper::header::HeaderValue::from_static("5"));
        headers.insert(hyper::header::CONNECTION, hyper::header::HeaderValue::from_static("close"));
        Ok::<_, Infallible>(response)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(5))
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(Duration::from_secs(10), connection).await;
}
