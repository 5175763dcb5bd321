//! Accepting connections within bounds: at most `ISP_MAX_CONNECTIONS` at once, shared as
//! [`super::places`] says (the next ones get a quick 503 and are closed, long before the
//! process runs out of file descriptors),
//! request headers within `ISP_HEADER_TIMEOUT_SECONDS`, and no connection silent in both
//! directions for longer than `ISP_IDLE_TIMEOUT_SECONDS` (websockets stay busy with pings).
//! On shutdown, new connections stop, idle ones close, and requests in flight finish (each is
//! bounded by its deadline).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use super::places::{Activity, Admitted, Place, Places};
use super::proxies::TrustedProxies;

/// The `Retry-After` of a `503 BUSY` answer, in seconds.
pub const RETRY_AFTER_SECONDS: &str = "1";

/// The bounds on connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    /// Most open connections from one client address (see [`super::places`] for how the
    /// share shrinks as places fill).
    pub max_per_address: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    /// How long shutdown waits for connections to finish (a request's deadline and a little).
    pub drain_timeout: Duration,
    /// Reverse proxies: not held to the per-address share.
    pub trusted_proxies: Arc<TrustedProxies>,
}

const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n\
Retry-After: 1\r\nContent-Length: 93\r\n\r\n\
{\"errors\":[{\"message\":\"the server is at its connection limit\",\"extensions\":{\"code\":\"BUSY\"}}]}";

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then tells every
/// connection to stop through `stop` (websockets close with 1001) and lets them finish what
/// they are doing, for at most `limits.drain_timeout`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: watch::Sender<bool>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    raise_open_file_limit();
    let places = Places::new(limits.max_connections, limits.max_per_address, Arc::clone(&limits.trusted_proxies));
    let stop_rx = stop.subscribe();
    tokio::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors or similar: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(admitted) = places.admit(addr.ip()) else {
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, addr, admitted, router.clone(), limits.clone(), stop_rx.clone()));
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds its place until it ends: all places back means all are done.
    if tokio::time::timeout(limits.drain_timeout, places.drained()).await.is_err() {
        tracing::warn!("some connections did not finish in time; closing them");
    }
    Ok(())
}

/// Serves one connection until it ends, the server stops, or it is told to give its place to
/// a newcomer (it then finishes what is in flight, if anything slipped in, and closes).
async fn connection(
    stream: TcpStream,
    addr: std::net::SocketAddr,
    admitted: Admitted,
    router: Router,
    limits: ConnectionLimits,
    mut stop_rx: watch::Receiver<bool>,
) {
    let Admitted { place, activity, leave, reserved } = admitted;
    let requests = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        let in_flight = requests.request();
        let refused = reserved && !may_use_reserve(&request);
        request.extensions_mut().insert(ConnectInfo(addr));
        let (router, requests) = (router.clone(), Arc::clone(&requests));
        async move {
            if refused {
                return Ok(busy_response());
            }
            let response = router.oneshot(request).await?;
            if response.status() == hyper::StatusCode::SWITCHING_PROTOCOLS {
                requests.upgraded();
            }
            // In flight until the body is sent whole: a download being written never gives
            // its place away.
            Ok::<_, std::convert::Infallible>(
                response.map(|body| axum::body::Body::new(Counted { body, _in_flight: in_flight })),
            )
        }
    });
    // The place goes with the connection, also into a websocket it is upgraded to.
    let io = TokioIo::new(IdleTimeout::new(stream, limits.idle_timeout, activity, place));
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stopping(&mut stop_rx) => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
        () = leave.notified() => {
            // Nothing was in flight: a moment to finish what may have slipped in, then closed
            // (its place is already another's, so it must not linger).
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(1), connection).await;
        }
    }
}

/// A response body that keeps its request counted in flight until it has been sent whole.
struct Counted {
    body: axum::body::Body,
    _in_flight: super::places::InFlight,
}

impl http_body::Body for Counted {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Whether a request may use one of the reserved places: a logged-in caller's (it carries
/// `Authorization`), or the health check.
fn may_use_reserve<B>(request: &hyper::Request<B>) -> bool {
    request.uri().path() == "/healthz" || request.headers().contains_key(hyper::header::AUTHORIZATION)
}

/// The answer on a reserved place to a request that may not use it.
fn busy_response() -> axum::response::Response {
    let body = serde_json::json!({"errors": [{
        "message": "the server is near its connection limit; only logged-in requests are served now",
        "extensions": {"code": crate::error::codes::BUSY},
    }]});
    let headers = [(hyper::header::RETRY_AFTER, RETRY_AFTER_SECONDS), (hyper::header::CONNECTION, "close")];
    (hyper::StatusCode::SERVICE_UNAVAILABLE, headers, axum::Json(body)).into_response()
}

/// Resolves once the server is told to stop.
pub async fn stopping(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Answers a connection over the limit with a 503 and closes it, spending at most a second.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(BUSY)).await;
    let _ = stream.shutdown().await;
}

/// Lets the process open as many files as its hard limit allows (the default soft limit,
/// often 1024, is below what `ISP_MAX_CONNECTIONS` may need).
fn raise_open_file_limit() {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// A connection that fails with `TimedOut` once nothing has moved in either direction for
/// `idle` (checked whenever the server waits to read or write). It tells the accept loop when
/// bytes move, and holds the connection's place.
struct IdleTimeout<T> {
    inner: T,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    activity: Arc<Activity>,
    _place: Place,
}

impl<T> IdleTimeout<T> {
    fn new(inner: T, idle: Duration, activity: Arc<Activity>, place: Place) -> Self {
        IdleTimeout { inner, idle, timer: Box::pin(tokio::time::sleep(idle)), activity, _place: place }
    }

    fn moved(&mut self) {
        self.timer.as_mut().reset(Instant::now() + self.idle);
        self.activity.moved();
    }

    /// Notes a write that moved bytes, or fails one that waits past the idle time.
    fn after_write(&mut self, cx: &mut Context<'_>, written: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match written {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.moved();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }

    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.timer.as_mut().poll(cx).is_ready()
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection idle for too long")
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleTimeout<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.moved();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if this.expired(cx) => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleTimeout<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write(cx, data);
        this.after_write(cx, written)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.after_write(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_busy_answer_is_well_formed() {
        let text = std::str::from_utf8(super::BUSY).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())), "{head}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(body).unwrap()["errors"][0]["extensions"]["code"],
            crate::error::codes::BUSY
        );
    }
}
