//! The FHIR client's requests in flight, bounded by a shared `RequestLimit` that slows down
//! when the plan says so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use folio_secrets::Sensitive;
use folio_smart::{FhirClient, RequestLimit, RetryPolicy, Url};

const EMPTY_PAGE: &str = r#"{"resourceType":"Bundle","type":"searchset","entry":[]}"#;

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn client(origin: &str, limit: Arc<RequestLimit>) -> FhirClient {
    let http = folio_smart::http::client_with_timeout(Duration::from_secs(30)).unwrap();
    FhirClient::new(http, Url::parse(&format!("{origin}/fhir")).unwrap())
        .with_retry(RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
            max_retry_after: Duration::from_millis(1),
        })
        .with_request_limit(limit)
}

fn token() -> Sensitive<String> {
    Sensitive::new("secret-token".to_owned())
}

#[tokio::test]
async fn a_429_or_503_halves_the_requests_in_flight() {
    // The first request is answered 429, the second 503, then pages.
    let served = Arc::new(AtomicUsize::new(0));
    let router = Router::new()
        .route(
            "/fhir/Observation",
            get(|State(served): State<Arc<AtomicUsize>>| async move {
                match served.fetch_add(1, Ordering::SeqCst) {
                    0 => {
                        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")], "").into_response()
                    }
                    1 => (StatusCode::SERVICE_UNAVAILABLE, "").into_response(),
                    _ => ([("content-type", "application/fhir+json")], EMPTY_PAGE).into_response(),
                }
            }),
        )
        .with_state(served.clone());
    let origin = serve(router).await;
    let limit = Arc::new(RequestLimit::new(8, 16));
    let c = client(&origin, limit.clone());
    let url = c.url("Observation", &[("patient", "p")]).unwrap();
    c.page(&url, &token()).await.unwrap();
    assert_eq!(served.load(Ordering::SeqCst), 3, "retried twice");
    // 8 -> 4 (429) -> 2 (503); one success is not yet enough to grow at 2.
    assert_eq!(limit.limit(), 2);
    c.page(&url, &token()).await.unwrap();
    assert_eq!(limit.limit(), 3, "grown back by one after two successes");
}

/// A plan that holds every request until the test lets it answer, counting how many it holds
/// at once.
#[derive(Clone)]
struct Held {
    now: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    arrived: Arc<tokio::sync::Notify>,
    release: Arc<tokio::sync::Semaphore>,
}

#[tokio::test]
async fn never_more_requests_at_the_plan_than_the_limit() {
    let held = Held {
        now: Arc::default(),
        most: Arc::default(),
        arrived: Arc::default(),
        release: Arc::new(tokio::sync::Semaphore::new(0)),
    };
    let router = Router::new()
        .route(
            "/fhir/Observation",
            get(|State(h): State<Held>| async move {
                let now = h.now.fetch_add(1, Ordering::SeqCst) + 1;
                h.most.fetch_max(now, Ordering::SeqCst);
                h.arrived.notify_waiters();
                h.release.acquire().await.unwrap().forget();
                h.now.fetch_sub(1, Ordering::SeqCst);
                ([("content-type", "application/fhir+json")], EMPTY_PAGE)
            }),
        )
        .with_state(held.clone());
    let origin = serve(router).await;
    // A ceiling of 2: the limit never grows above it.
    let c = client(&origin, Arc::new(RequestLimit::new(2, 2)));
    let url = c.url("Observation", &[("patient", "p")]).unwrap();
    let pages: Vec<_> = (0..5)
        .map(|_| {
            let (c, url) = (c.clone(), url.clone());
            tokio::spawn(async move { c.page(&url, &token()).await })
        })
        .collect();
    // Two requests reach the plan and are held there.
    loop {
        let arrived = held.arrived.notified();
        if held.now.load(Ordering::SeqCst) >= 2 {
            break;
        }
        arrived.await;
    }
    // Let every request be answered, one place at a time as they come.
    held.release.add_permits(5);
    for p in pages {
        p.await.unwrap().unwrap();
    }
    assert_eq!(held.most.load(Ordering::SeqCst), 2);
}
