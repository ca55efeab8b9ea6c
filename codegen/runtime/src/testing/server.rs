//! The HTTP/1 server under a mock: accepts connections on a loopback port and
//! hands each request to [`answer`]. All connections live in one task, so
//! dropping the mock stops the server and every open connection with it.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use super::answer::Answer;
use super::Shared;

/// Serves `shared` on `listener` until the returned task is aborted.
pub(super) fn spawn(listener: TcpListener, shared: Arc<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        connections.spawn(serve_connection(TokioIo::new(stream), shared.clone()));
                    }
                    // Out of file descriptors, say: wait rather than spin, the test may free some.
                    Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
                },
                // Reap finished connections so a long test does not hoard them.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    })
}

async fn serve_connection(io: TokioIo<tokio::net::TcpStream>, shared: Arc<Shared>) {
    let service = hyper::service::service_fn(move |request| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(answer(&shared, request).await) }
    });
    // A client that hangs up mid-request is no concern of the test's assertions.
    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
}

/// One request: read it whole, inspect and record it, answer it.
async fn answer(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let answer = match body.collect().await {
        Ok(body) => {
            let received = super::inspect::inspect(
                &shared.spec,
                parts.method.as_str(),
                parts.uri.path(),
                parts.uri.query(),
                &parts.headers,
                body.to_bytes(),
            )
            .await;
            shared.record(received)
        }
        Err(e) => Answer::error(shared.spec.provider.envelopes, 400, &format!("the body could not be read: {e}")),
    };
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() = // `respond_with` refuses statuses outside 100-999, so the fallback is never used.
        hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static(answer.content_type));
    response
}
