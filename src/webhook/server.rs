//! A small HTTP/1.1 server by hand on a tokio listener: one request per connection, bounded
//! in size and time, answered and closed. What SNS sends needs no more, and a server this
//! small can be shown not to fall over on garbage.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use super::State;

pub const MAX_HEADERS: usize = 16 * 1024;
pub const MAX_BODY: usize = 300 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections handled at once; more wait to be accepted.
const CONNECTIONS: usize = 64;
/// The path prefix `alarms test` polls for a nonce's delivery.
pub const DELIVERIES_PATH: &str = "/.multiregion/deliveries/";

/// Accepts connections until the task is dropped.
pub async fn serve(listener: TcpListener, state: Arc<State>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(CONNECTIONS));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let (mut stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("webhook: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let state = state.clone();
        tokio::spawn(async move {
            let (status, body) = answer(&state, &mut stream).await;
            // A delivery not seen yet is an answer to `alarms test`'s polling, not a refusal.
            if status >= 400 && !(status == 404 && body.starts_with("no test notification")) {
                eprintln!("webhook: refused a request from {peer}: {status} {body}");
            }
            respond(&mut stream, status, &body).await;
            drop(permit);
        });
    }
}

/// A request read (within [`READ_TIMEOUT`]) and answered: status and body.
pub async fn answer<S: AsyncRead + Unpin>(state: &State, stream: &mut S) -> (u16, String) {
    let request = match tokio::time::timeout(READ_TIMEOUT, read_request(stream)).await {
        Err(_) => return (408, "the request took over 10 s to arrive".into()),
        Ok(Err(refusal)) => return refusal,
        Ok(Ok(request)) => request,
    };
    match request.method.as_str() {
        "POST" => match super::handle_delivery(state, &request.body).await {
            Ok(()) => (200, "ok".into()),
            Err(refusal) => refusal,
        },
        "GET" if request.path.starts_with(DELIVERIES_PATH) => {
            let nonce = &request.path[DELIVERIES_PATH.len()..];
            match state.deliveries.get(nonce) {
                Some(d) => (200, serde_json::to_string(&d).unwrap_or_default()),
                None => (
                    404,
                    format!("no test notification with nonce `{nonce}` seen"),
                ),
            }
        }
        _ => (405, "only POST (SNS deliveries) is accepted".into()),
    }
}

pub struct Request {
    pub method: String,
    /// Without the query.
    pub path: String,
    pub body: Vec<u8>,
}

/// The request head (at most [`MAX_HEADERS`]) and, for POST, its body of Content-Length bytes
/// (at most [`MAX_BODY`]).
pub async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Request, (u16, String)> {
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEADERS {
            return Err((431, "the request's headers are over 16 KiB".into()));
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| (400, e.to_string()))?;
        if n == 0 {
            return Err((400, "the connection closed before the headers ended".into()));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if head_end > MAX_HEADERS {
        return Err((431, "the request's headers are over 16 KiB".into()));
    }
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| (400, "the request's head is not UTF-8".to_string()))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let [method, target, version] = request_line.split(' ').collect::<Vec<_>>()[..] else {
        return Err((400, "malformed request line".into()));
    };
    if !version.starts_with("HTTP/1.") {
        return Err((400, "not an HTTP/1.x request".into()));
    }
    let mut length: Option<usize> = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or((400, "malformed header line".to_string()))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let n: usize = value
                .parse()
                .map_err(|_| (400, "Content-Length is not a number".to_string()))?;
            if length.is_some_and(|l| l != n) {
                return Err((400, "conflicting Content-Length headers".into()));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err((
                411,
                "a Content-Length is required (no chunked bodies)".into(),
            ));
        }
    }
    let path = target.split('?').next().unwrap_or_default().to_string();
    let method = method.to_string();
    if method != "POST" {
        return Ok(Request {
            method,
            path,
            body: Vec::new(),
        });
    }
    let length = length.ok_or((411, "a POST needs a Content-Length".to_string()))?;
    if length > MAX_BODY {
        return Err((413, format!("the body of {length} bytes is over 300 KiB")));
    }
    let mut body = buf.split_off(head_end);
    while body.len() < length {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| (400, e.to_string()))?;
        if n == 0 {
            return Err((400, "the connection closed before the body ended".into()));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Request { method, path, body })
}

/// The answer, then close. Unread input is drained for a moment first, so the client reads
/// the answer rather than a reset.
async fn respond<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, status: u16, body: &str) {
    let content_type = if body.starts_with('{') {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let head = format!(
        "HTTP/1.1 {status} {}\r\nServer: multiregion/{}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        reason(status),
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let mut sink = [0u8; 8192];
        let mut drained = 0usize;
        while drained < 1 << 20 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    })
    .await;
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        _ => "Error",
    }
}
