//! The loopback redirect listener (RFC 8252 §7.3): opened per sign-in on 127.0.0.1 (or ::1)
//! with an ephemeral port and a per-plan path, closed after one answer or a timeout.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::SmartError;

/// A listener waiting for one sign-in answer.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    redirect_uri: String,
}

/// What arrived: the redirect URI it reached (no query) and the query parameters.
#[derive(Debug, Clone)]
pub struct Callback {
    /// `http://127.0.0.1:PORT/path`.
    pub arrived_at: String,
    /// The query parameters.
    pub params: Vec<(String, String)>,
}

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:520px;margin:60px auto;color:#17212b}h1{font-size:22px}";

fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{PAGE_STYLE}</style></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>"
    )
}

impl LoopbackListener {
    /// Binds 127.0.0.1 on a free port (or ::1 when IPv4 loopback is unavailable) for `path`
    /// (e.g. `/cb/demo`). Loopback only: nothing else on the network can reach it.
    pub async fn bind(path: &str) -> Result<Self, SmartError> {
        let listener = match TcpListener::bind(("127.0.0.1", 0)).await {
            Ok(l) => l,
            Err(v4) => TcpListener::bind(("::1", 0))
                .await
                .map_err(|v6| SmartError::Listener(format!("{v4}; {v6}")))?,
        };
        let addr = listener
            .local_addr()
            .map_err(|e| SmartError::Listener(e.to_string()))?;
        let host = if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        Ok(Self {
            redirect_uri: format!("http://{host}:{}{path}", addr.port()),
            listener,
        })
    }

    /// Listens on `127.0.0.1:{port}` exactly, for a plan whose portal registered one fixed
    /// redirect URI (`http://127.0.0.1:{port}{path}`).
    pub async fn bind_port(path: &str, port: u16) -> Result<Self, SmartError> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| SmartError::Listener(format!("port {port}: {e}")))?;
        Ok(Self {
            redirect_uri: format!("http://127.0.0.1:{port}{path}"),
            listener,
        })
    }

    /// The redirect URI to send in the authorization request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the answer at this listener's path, answering the browser with a page made
    /// from `check`'s verdict. Requests for other paths get a 404 and are ignored, and so is an
    /// answer whose `state` is not this sign-in's (`check` says [`SmartError::StateMismatch`]):
    /// any program or web page can reach 127.0.0.1, so a forged answer gets an error page and
    /// the sign-in goes on waiting for the plan's. Gives up after `timeout`. The listener closes
    /// when this returns.
    pub async fn wait<T>(
        self,
        timeout: Duration,
        check: impl Fn(&Callback) -> Result<T, SmartError>,
    ) -> Result<T, SmartError> {
        let path = self
            .redirect_uri
            .splitn(4, '/')
            .nth(3)
            .map(|p| format!("/{p}"))
            .unwrap_or_default();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await;
            let (mut stream, _) = match accepted {
                Err(_) => return Err(SmartError::CallbackTimeout),
                Ok(Err(e)) => return Err(SmartError::Listener(e.to_string())),
                Ok(Ok(s)) => s,
            };
            let Some(target) = read_request_target(&mut stream).await else {
                continue;
            };
            let (req_path, query) = target.split_once('?').unwrap_or((&target, ""));
            if req_path != path {
                respond(
                    &mut stream,
                    "404 Not Found",
                    &page("Not found", "Nothing here."),
                )
                .await;
                continue;
            }
            let callback = Callback {
                arrived_at: self.redirect_uri.clone(),
                params: form_urlencoded_pairs(query),
            };
            let verdict = check(&callback);
            if let Err(SmartError::StateMismatch) = verdict {
                tracing::warn!("ignored a sign-in answer with a state this sign-in did not send");
                respond(
                    &mut stream,
                    "400 Bad Request",
                    &page(
                        "This answer is not Folio's",
                        "It does not belong to the sign-in Folio is waiting for, so Folio ignored it and is still waiting for your plan.",
                    ),
                )
                .await;
                continue;
            }
            let body = match &verdict {
                Ok(_) => page(
                    "Folio is connected to your plan",
                    "You can close this tab and go back to Folio.",
                ),
                Err(e) => page("Folio could not finish connecting", &escape(&e.to_string())),
            };
            respond(&mut stream, "200 OK", &body).await;
            return verdict;
        }
    }
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Reads the request line's target of a GET; `None` for anything else or garbage.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    let read = async {
        while len < buf.len() {
            let n = stream.read(&mut buf[len..]).await.ok()?;
            if n == 0 {
                break;
            }
            len += n;
            if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    let head = std::str::from_utf8(&buf[..len]).ok()?;
    let mut parts = head.lines().next()?.split(' ');
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn receives_one_answer_on_its_path_only() {
        let listener = LoopbackListener::bind("/cb/demo").await.unwrap();
        let uri = listener.redirect_uri().to_owned();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/cb/demo"));
        let base = uri.trim_end_matches("/cb/demo").to_owned();
        let waiter =
            tokio::spawn(listener.wait(Duration::from_secs(5), |cb| Ok(cb.params.clone())));
        let other = reqwest::get(format!("{base}/cb/other?code=x"))
            .await
            .unwrap();
        assert_eq!(
            other.status(),
            404,
            "another plan's path is not this sign-in's"
        );
        let res = reqwest::get(format!("{uri}?code=abc&state=s%201"))
            .await
            .unwrap();
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        assert!(res.text().await.unwrap().contains("connected"));
        let params = waiter.await.unwrap().unwrap();
        assert_eq!(
            params,
            vec![
                ("code".into(), "abc".into()),
                ("state".into(), "s 1".into())
            ]
        );
        assert!(reqwest::get(&uri).await.is_err(), "closed after one answer");
    }

    #[tokio::test]
    async fn gives_up_after_the_timeout() {
        let listener = LoopbackListener::bind("/cb/x").await.unwrap();
        let r: Result<(), _> = listener.wait(Duration::from_millis(100), |_| Ok(())).await;
        assert!(matches!(r, Err(SmartError::CallbackTimeout)));
    }

    #[tokio::test]
    async fn a_failed_check_is_shown_to_the_member() {
        let listener = LoopbackListener::bind("/cb/x").await.unwrap();
        let uri = listener.redirect_uri().to_owned();
        let waiter = tokio::spawn(listener.wait(Duration::from_secs(5), |_| {
            Err::<(), _>(SmartError::IssuerMismatch)
        }));
        let text = reqwest::get(format!("{uri}?state=right&iss=elsewhere"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains("could not finish") && text.contains("issuer mismatch"));
        assert!(matches!(
            waiter.await.unwrap(),
            Err(SmartError::IssuerMismatch)
        ));
    }

    #[tokio::test]
    async fn a_forged_answer_is_refused_and_the_sign_in_keeps_waiting() {
        let listener = LoopbackListener::bind("/cb/x").await.unwrap();
        let uri = listener.redirect_uri().to_owned();
        let check = |cb: &Callback| {
            let state = cb.params.iter().find(|(k, _)| k == "state").map(|(_, v)| v);
            match state {
                Some(s) if s == "the-real-state" => Ok(cb.params.clone()),
                _ => Err(SmartError::StateMismatch),
            }
        };
        let waiter = tokio::spawn(listener.wait(Duration::from_secs(10), check));
        for forged in ["?code=evil&state=guess", "?error=access_denied", ""] {
            let res = reqwest::get(format!("{uri}{forged}")).await.unwrap();
            assert_eq!(res.status(), 400, "{forged}");
            assert!(res.text().await.unwrap().contains("still waiting"));
            assert!(
                !waiter.is_finished(),
                "a forged answer ({forged}) ended the sign-in"
            );
        }
        let res = reqwest::get(format!("{uri}?code=good&state=the-real-state"))
            .await
            .unwrap();
        assert!(res.text().await.unwrap().contains("connected"));
        let params = waiter.await.unwrap().unwrap();
        assert!(params.contains(&("code".into(), "good".into())));
    }
}
