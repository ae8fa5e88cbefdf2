//! The one network use agent-audit has, and only when asked (`export --otlp-endpoint URL`): a plain
//! HTTP/1.1 `POST` of OTLP JSON to a collector, written over `std::net::TcpStream` so no HTTP or TLS
//! stack is built into the binary. `https://` is refused with a clear error (put the collector, or a
//! local one forwarding with TLS, on `http://localhost`); redirects are reported, never followed.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::error::{Error, Result};

/// Where to post: host, port and path of an `http://` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or address (IPv6 in brackets as given).
    pub host: String,
    /// Port (default 4318, OTLP/HTTP's).
    pub port: u16,
    /// Request path: the address's path, or `/v1/traces` when it has none.
    pub path: String,
    /// The address as given (for messages).
    pub given: String,
}

impl Endpoint {
    /// Parses `url`. An address without a path (`http://collector:4318`) posts to `/v1/traces`, as
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` does; an address with one is used as it is.
    pub fn parse(url: &str) -> Result<Endpoint> {
        let err = |message: &str| Error::Endpoint {
            endpoint: url.to_owned(),
            message: message.to_owned(),
        };
        if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(err("the address holds spaces or control characters"));
        }
        let rest = if let Some(r) = url.strip_prefix("http://") {
            r
        } else if url.starts_with("https://") {
            return Err(err(
                "https is not supported: agent-audit carries no TLS client; post to a collector on \
                 http:// (for example one on localhost that forwards with TLS)",
            ));
        } else {
            return Err(err("expected an http:// address"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(err("credentials in the address are not supported"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let close = v6
                .find(']')
                .ok_or_else(|| err("unclosed `[` in the host"))?;
            let host = &authority[..close + 2];
            match &v6[close + 1..] {
                "" => (host.to_owned(), 4318),
                p => (
                    host.to_owned(),
                    p.strip_prefix(':')
                        .and_then(|p| p.parse().ok())
                        .ok_or_else(|| err("invalid port"))?,
                ),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| err("invalid port"))?),
                None => (authority.to_owned(), 4318),
            }
        };
        if host.is_empty() {
            return Err(err("no host"));
        }
        let path = if path.is_empty() || path == "/" {
            "/v1/traces".to_owned()
        } else {
            path.to_owned()
        };
        Ok(Endpoint {
            host,
            port,
            path,
            given: url.to_owned(),
        })
    }

    /// Posts `body` (OTLP JSON); a 2xx status is success, anything else an error with the status line.
    /// On success, the spans the collector says it rejected (OTLP's `partialSuccess`), with its message.
    pub fn post_json(&self, body: &[u8]) -> Result<Rejected> {
        let net = |source: std::io::Error| Error::Network {
            endpoint: self.given.clone(),
            source,
        };
        let addr = (
            self.host.trim_start_matches('[').trim_end_matches(']'),
            self.port,
        )
            .to_socket_addrs()
            .map_err(net)?
            .next()
            .ok_or_else(|| Error::Endpoint {
                endpoint: self.given.clone(),
                message: "the host name resolves to no address".into(),
            })?;
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).map_err(net)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(net)?;
        stream
            .set_write_timeout(Some(Duration::from_secs(30)))
            .map_err(net)?;
        let host_header = if self.port == 80 {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: agent-audit/{}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.path,
            env!("CARGO_PKG_VERSION"),
            body.len()
        );
        stream.write_all(head.as_bytes()).map_err(net)?;
        stream.write_all(body).map_err(net)?;
        stream.flush().map_err(net)?;
        let mut response = Vec::new();
        // The status line and headers are enough; cap what is kept of a long body.
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    response.extend_from_slice(&buf[..n]);
                    if response.len() > 64 * 1024 {
                        break;
                    }
                }
                Err(e) if response.is_empty() => return Err(net(e)),
                Err(_) => break,
            }
        }
        check_response(&self.given, &response)
    }
}

/// What a collector accepted only in part (`partialSuccess` of `ExportTraceServiceResponse`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejected {
    /// Spans rejected.
    pub spans: u64,
    /// The collector's reason, control characters removed.
    pub message: String,
}

/// Success for a 2xx status (with what a partial success rejected); otherwise an error naming the
/// status (and the `Location` of a redirect, which is not followed).
fn check_response(endpoint: &str, response: &[u8]) -> Result<Rejected> {
    let text = String::from_utf8_lossy(response);
    let err = |message: String| Error::Endpoint {
        endpoint: endpoint.to_owned(),
        message,
    };
    let status_line = text.lines().next().unwrap_or("");
    let code: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| {
            err(format!(
                "not an HTTP response: `{}`",
                printable(status_line)
            ))
        })?;
    match code {
        200..=299 => {
            let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
            let partial = serde_json::from_str::<serde_json::Value>(body.trim())
                .ok()
                .map(|v| v["partialSuccess"].clone())
                .unwrap_or_default();
            // int64 is a string in the OTLP JSON encoding; accept a number too.
            let spans = match &partial["rejectedSpans"] {
                serde_json::Value::String(n) => n.parse().unwrap_or(0),
                v => v.as_u64().unwrap_or(0),
            };
            Ok(Rejected {
                spans,
                message: printable(partial["errorMessage"].as_str().unwrap_or("")),
            })
        }
        300..=399 => {
            let location = text
                .lines()
                .take_while(|l| !l.is_empty())
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("location")
                        .then(|| v.trim().to_owned())
                })
                .unwrap_or_default();
            Err(err(format!(
                "the collector answered `{}` (redirect to `{}`): redirects are not followed; give the \
                 final address",
                printable(status_line),
                printable(&location)
            )))
        }
        _ => {
            let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
            Err(err(format!(
                "the collector answered `{}`: {}",
                printable(status_line),
                printable(&body.chars().take(300).collect::<String>())
            )))
        }
    }
}

/// `s` without control characters (a collector's answer is printed on the terminal).
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let e = Endpoint::parse("http://localhost:4318").expect("parse");
        assert_eq!(
            (e.host.as_str(), e.port, e.path.as_str()),
            ("localhost", 4318, "/v1/traces")
        );
        let e = Endpoint::parse("http://otel/custom/traces").expect("parse");
        assert_eq!(
            (e.host.as_str(), e.port, e.path.as_str()),
            ("otel", 4318, "/custom/traces")
        );
        let e = Endpoint::parse("http://[::1]:9999/").expect("parse");
        assert_eq!((e.host.as_str(), e.port), ("[::1]", 9999));
        for bad in [
            "https://collector:4318",
            "collector:4318",
            "http://",
            "http://a b",
            "http://x:y",
            "http://u:p@host",
            "http://h\r\nX-Evil: 1",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        let msg = Endpoint::parse("https://c").expect_err("https").to_string();
        assert!(msg.contains("https"), "{msg}");
    }

    #[test]
    fn responses() {
        assert_eq!(
            check_response("e", b"HTTP/1.1 200 OK\r\n\r\n{}").expect("ok"),
            Rejected::default()
        );
        let partial = check_response(
            "e",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n\
              {\"partialSuccess\":{\"rejectedSpans\":\"3\",\"errorMessage\":\"too old\\u001b\"}}",
        )
        .expect("ok");
        assert_eq!((partial.spans, partial.message.as_str()), (3, "too old"));
        let r = check_response(
            "e",
            b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere/\r\n\r\n",
        );
        let msg = r.expect_err("redirect").to_string();
        assert!(
            msg.contains("not followed") && msg.contains("elsewhere"),
            "{msg}"
        );
        assert!(check_response("e", b"HTTP/1.1 400 Bad Request\r\n\r\nbad\x1b[31m").is_err());
        assert!(check_response("e", b"garbage").is_err());
    }
}
