//! FHIR pages from servers that misbehave on purpose, served raw over TCP on 127.0.0.1: a
//! redirect to another origin, invalid UTF-8, JSON nested past any sane depth, a body that
//! never ends, a server that trickles bytes, a gzip bomb. Each must end in a clear error,
//! with no panic, no unbounded memory, and no token sent anywhere but the plan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use folio_secrets::Sensitive;
use folio_smart::{FhirClient, FhirError, RetryPolicy, Url};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What a raw server does with each connection.
#[derive(Clone)]
enum Behaviour {
    /// Writes these bytes and closes.
    Reply(Vec<u8>),
    /// Writes the head, then `chunk` every `every` forever (chunked encoding).
    Endless { chunk: Vec<u8>, every: Duration },
}

/// Serves `behaviour` on 127.0.0.1; returns the origin and a count of requests seen.
async fn raw_server(behaviour: Behaviour) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            let behaviour = behaviour.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                match behaviour {
                    Behaviour::Reply(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                    }
                    Behaviour::Endless { chunk, every } => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/fhir+json\r\ntransfer-encoding: chunked\r\n\r\n";
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        loop {
                            let frame = [
                                format!("{:x}\r\n", chunk.len()).into_bytes(),
                                chunk.clone(),
                                b"\r\n".to_vec(),
                            ]
                            .concat();
                            if socket.write_all(&frame).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(every).await;
                        }
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (origin, seen)
}

fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    [head.into_bytes(), body.to_vec()].concat()
}

/// The client Folio itself uses (redirects, compression and certificates as in the app), with
/// a shorter limit per request so silent servers are given up on in test time.
fn client(origin: &str, timeout: Duration) -> FhirClient {
    let http = folio_smart::http::client_with_timeout(timeout).unwrap();
    FhirClient::new(http, Url::parse(&format!("{origin}/fhir")).unwrap())
        .with_retry(RetryPolicy {
            attempts: 2,
            base_delay: Duration::from_millis(10),
            max_retry_after: Duration::from_millis(10),
        })
        .with_max_page_bytes(1024 * 1024)
}

fn token() -> Sensitive<String> {
    Sensitive::new("secret-token".to_owned())
}

async fn page_of(
    behaviour: Behaviour,
    timeout: Duration,
) -> (Result<folio_smart::Page, FhirError>, Arc<AtomicUsize>) {
    let (origin, seen) = raw_server(behaviour).await;
    let c = client(&origin, timeout);
    let url = c.url("Observation", &[("patient", "p")]).unwrap();
    (c.page(&url, &token()).await, seen)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_and_gets_no_token() {
    let (elsewhere, elsewhere_seen) =
        raw_server(Behaviour::Reply(response("200 OK", &[], b"{}"))).await;
    let location = format!("{elsewhere}/steal");
    let (result, _) = page_of(
        Behaviour::Reply(response("302 Found", &[("location", &location)], b"")),
        Duration::from_secs(5),
    )
    .await;
    assert!(result.is_err(), "a redirect is not a page: {result:?}");
    // A client that follows redirects makes the second request before `page` returns, so
    // nothing needs waiting for here.
    assert_eq!(
        elsewhere_seen.load(Ordering::SeqCst),
        0,
        "nothing, and so no token, went to the other origin"
    );
}

#[tokio::test]
async fn invalid_utf8_and_absurd_nesting_are_malformed_not_a_crash() {
    let mut bad = br#"{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"p","name":[{"text":""#.to_vec();
    bad.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    bad.extend_from_slice(br#""}]}}]}"#);
    let (result, _) = page_of(
        Behaviour::Reply(response("200 OK", &[], &bad)),
        Duration::from_secs(5),
    )
    .await;
    assert!(matches!(result, Err(FhirError::Malformed(_))), "{result:?}");

    let deep = [
        b"{\"resourceType\":\"Bundle\",\"entry\":".to_vec(),
        vec![b'['; 200_000],
        vec![b']'; 200_000],
        b"}".to_vec(),
    ]
    .concat();
    let (result, _) = page_of(
        Behaviour::Reply(response("200 OK", &[], &deep)),
        Duration::from_secs(5),
    )
    .await;
    assert!(matches!(result, Err(FhirError::Malformed(_))), "{result:?}");
}

#[tokio::test]
async fn a_body_that_never_ends_stops_at_the_page_limit() {
    // TooLarge, not the client's 20 s timeout (which is an error of another kind), stopped it:
    // no clock needs reading for that.
    let (result, _) = page_of(
        Behaviour::Endless {
            chunk: vec![b' '; 64 * 1024],
            every: Duration::from_millis(1),
        },
        Duration::from_secs(20),
    )
    .await;
    assert!(matches!(result, Err(FhirError::TooLarge(_))), "{result:?}");
}

#[tokio::test]
async fn a_server_that_trickles_bytes_is_given_up_on() {
    let (result, seen) = page_of(
        Behaviour::Endless {
            chunk: b" ".to_vec(),
            every: Duration::from_millis(200),
        },
        Duration::from_millis(800),
    )
    .await;
    assert!(matches!(result, Err(FhirError::Network(_))), "{result:?}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "tried once more, then gave up"
    );
}

#[tokio::test]
async fn a_gzip_bomb_is_never_inflated() {
    // A valid, empty Bundle padded with 10 MB of spaces compresses to about 10 KB. Inflated, it
    // would be a page over the limit (TooLarge); Folio asks for no compression and never
    // inflates, so it reads 10 KB of gzip that is not JSON (Malformed).
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(br#"{"resourceType":"Bundle","type":"searchset","entry":[]}"#)
        .unwrap();
    gz.write_all(&vec![b' '; 10 * 1024 * 1024]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 100 * 1024);
    let (result, _) = page_of(
        Behaviour::Reply(response(
            "200 OK",
            &[
                ("content-encoding", "gzip"),
                ("content-type", "application/fhir+json"),
            ],
            &bomb,
        )),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        matches!(result, Err(FhirError::Malformed(_))),
        "read as the bytes it is, not as 10 MB: {result:?}"
    );
}

/// An endless answer, fast: 64 KiB every millisecond, for as long as the client reads.
fn firehose() -> Behaviour {
    Behaviour::Endless {
        chunk: vec![b' '; 64 * 1024],
        every: Duration::from_millis(1),
    }
}

#[tokio::test]
async fn an_endless_discovery_document_stops_at_its_limit_not_at_the_timeout() {
    let (origin, seen) = raw_server(firehose()).await;
    let http = folio_smart::http::client_with_timeout(Duration::from_secs(8)).unwrap();
    let base = Url::parse(&format!("{origin}/fhir")).unwrap();
    let result = folio_smart::discover(&http, &base).await;
    // Read whole, the body would grow until the client's timeout (Unreachable, "timed out");
    // read with its limit, both documents are refused at 4 MiB: not a SMART server.
    assert!(
        matches!(result, Err(folio_smart::SmartError::NotSmart)),
        "{result:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 2, "well-known, then metadata");
}

#[tokio::test]
async fn an_endless_token_response_stops_at_its_limit_not_at_the_timeout() {
    let (origin, _) = raw_server(firehose()).await;
    let http = folio_smart::http::client_with_timeout(Duration::from_secs(8)).unwrap();
    let config = folio_smart::SmartConfiguration {
        fhir_base: Url::parse(&format!("{origin}/fhir")).unwrap(),
        issuer: None,
        authorization_endpoint: Url::parse(&format!("{origin}/auth")).unwrap(),
        token_endpoint: Url::parse(&format!("{origin}/token")).unwrap(),
        revocation_endpoint: None,
        management_endpoint: None,
        registration_endpoint: None,
        capabilities: vec![],
        scopes_supported: vec![],
        token_endpoint_auth_signing_alg_values_supported: Vec::new(),
        iss_parameter_supported: false,
        source: folio_smart::DiscoverySource::WellKnown,
    };
    let redirect = "http://127.0.0.1:1/cb/x";
    let pending = folio_smart::PendingAuthorization::new(
        config,
        "folio",
        redirect,
        vec!["patient/*.read".into()],
    );
    let code = pending
        .accept(
            redirect,
            &[
                ("code".into(), "c".into()),
                ("state".into(), pending.state().to_owned()),
            ],
        )
        .unwrap();
    let result =
        folio_smart::exchange_code(&http, &pending, &folio_smart::ClientAuth::None, code).await;
    match result {
        Err(folio_smart::SmartError::InvalidResponse(text)) => {
            assert!(text.contains("over"), "{text}")
        }
        other => panic!("the token response must be cut at its limit: {other:?}"),
    }
}

#[tokio::test]
async fn a_relative_next_link_is_followed_under_the_base_not_beside_it() {
    // The plan's base has no trailing slash, as Folio stores bases; page 1 links to page 2
    // relatively. Page 2 must be asked at /fhir/Observation, not at /Observation.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let paths = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = paths.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let n = socket.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let target = head.split(' ').nth(1).unwrap_or("").to_owned();
            seen.lock().unwrap().push(target.clone());
            let body = if target.starts_with("/fhir/Observation?page=2") {
                r#"{"resourceType":"Bundle","type":"searchset","entry":[]}"#.to_owned()
            } else if target.starts_with("/fhir/Observation?") {
                r#"{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"Observation?page=2"}],"entry":[]}"#.to_owned()
            } else {
                String::new()
            };
            let status = if body.is_empty() {
                "404 Not Found"
            } else {
                "200 OK"
            };
            let _ = socket
                .write_all(&response(status, &[], body.as_bytes()))
                .await;
        }
    });
    let c = client(&origin, Duration::from_secs(5));
    let first = c.url("Observation", &[("patient", "p")]).unwrap();
    let page = c.page(&first, &token()).await.unwrap();
    let next = page.next.expect("a next link");
    assert_eq!(next.path(), "/fhir/Observation");
    let second = c.page(&next, &token()).await;
    assert!(second.is_ok(), "{second:?}");
    assert_eq!(paths.lock().unwrap().len(), 2);
}
