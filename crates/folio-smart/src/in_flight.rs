//! A bounded number of requests in flight to one plan, adapting to what the plan tolerates:
//! halved when the plan answers 429 or 503 (down to one), grown back by one after as many
//! successes in a row as the current limit (additive increase, multiplicative decrease), never
//! above its ceiling.

use std::sync::Mutex;

use tokio::sync::Notify;

/// Shared by every request of one sync (cheap to clone behind an `Arc`).
#[derive(Debug)]
pub struct RequestLimit {
    state: Mutex<State>,
    freed: Notify,
    ceiling: usize,
}

#[derive(Debug)]
struct State {
    limit: usize,
    in_flight: usize,
    successes: usize,
}

/// One request's place; given back when dropped.
#[derive(Debug)]
pub struct RequestPermit<'a>(&'a RequestLimit);

impl Drop for RequestPermit<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.state.lock() {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
        self.0.freed.notify_waiters();
    }
}

impl RequestLimit {
    /// Starts at `initial` requests in flight, never more than `ceiling` (both at least one).
    pub fn new(initial: usize, ceiling: usize) -> Self {
        let ceiling = ceiling.max(1);
        Self {
            state: Mutex::new(State {
                limit: initial.clamp(1, ceiling),
                in_flight: 0,
                successes: 0,
            }),
            freed: Notify::new(),
            ceiling,
        }
    }

    /// The requests allowed in flight now.
    pub fn limit(&self) -> usize {
        self.state.lock().map_or(1, |s| s.limit)
    }

    /// Waits for a place under the current limit.
    pub async fn acquire(&self) -> RequestPermit<'_> {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Registered before looking, so a place freed in between is not missed.
            freed.as_mut().enable();
            if self.try_take() {
                return RequestPermit(self);
            }
            freed.await;
        }
    }

    fn try_take(&self) -> bool {
        match self.state.lock() {
            Ok(mut s) if s.in_flight < s.limit => {
                s.in_flight += 1;
                true
            }
            Ok(_) => false,
            // A poisoned lock (a panic elsewhere) does not stop the sync: let it through.
            Err(_) => true,
        }
    }

    /// The plan said to slow down (429, 503): half as many in flight from now on.
    pub fn slow_down(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.limit = (s.limit / 2).max(1);
            s.successes = 0;
        }
    }

    /// A request succeeded: after as many in a row as the limit, one more is allowed.
    pub fn succeeded(&self) {
        let grew = match self.state.lock() {
            Ok(mut s) => {
                s.successes += 1;
                if s.successes >= s.limit && s.limit < self.ceiling {
                    s.limit += 1;
                    s.successes = 0;
                    true
                } else {
                    false
                }
            }
            Err(_) => false,
        };
        if grew {
            self.freed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls once: `Some` when the future is ready at once.
    fn now_or_never<F: std::future::Future>(f: F) -> Option<F::Output> {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        }
    }

    #[test]
    fn never_more_in_flight_than_the_limit_and_a_place_given_back_is_taken() {
        let l = RequestLimit::new(2, 8);
        let a = now_or_never(l.acquire()).unwrap();
        let _b = now_or_never(l.acquire()).unwrap();
        assert!(now_or_never(l.acquire()).is_none(), "a third waits");
        drop(a);
        assert!(now_or_never(l.acquire()).is_some());
    }

    #[test]
    fn halves_on_slow_down_and_grows_back_one_at_a_time() {
        let l = RequestLimit::new(8, 8);
        l.slow_down();
        assert_eq!(l.limit(), 4);
        l.slow_down();
        l.slow_down();
        l.slow_down();
        assert_eq!(l.limit(), 1, "never below one");
        l.succeeded();
        assert_eq!(l.limit(), 2);
        l.succeeded();
        assert_eq!(l.limit(), 2, "two successes in a row are needed at two");
        l.succeeded();
        assert_eq!(l.limit(), 3);
        for _ in 0..100 {
            l.succeeded();
        }
        assert_eq!(l.limit(), 8, "never above the ceiling");
    }

    #[tokio::test]
    async fn a_waiting_request_starts_when_the_limit_grows() {
        let l = std::sync::Arc::new(RequestLimit::new(1, 2));
        let held = l.acquire().await;
        let waiting = {
            let l = l.clone();
            tokio::spawn(async move {
                let _p = l.acquire().await;
            })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        l.succeeded();
        // Bounded so that a lost wake-up fails the test instead of hanging it.
        tokio::time::timeout(std::time::Duration::from_secs(30), waiting)
            .await
            .expect("the waiting request started")
            .unwrap();
        drop(held);
    }
}
