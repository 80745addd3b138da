//! The one source of randomness: ChaCha8 seeded from the caller's seed.
//!
//! Only fixed-width integer ranges and plain float arithmetic are used on top of the stream (no
//! `usize` ranges, no `ln`/`cos`), so the same seed gives the same member on every platform.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(super) struct Dice(ChaCha8Rng);

impl Dice {
    pub(super) fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform integer in `lo..=hi` (returns `lo` when the range is empty).
    pub(super) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..=hi)
        }
    }

    /// Uniform index in `0..len` (0 when `len` is 0 or 1).
    pub(super) fn index(&mut self, len: usize) -> usize {
        if len <= 1 {
            0
        } else {
            self.0.random_range(0..len as u64) as usize
        }
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Index drawn with the given integer weights (all-zero weights give index 0).
    pub(super) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: i64 = weights.iter().map(|&w| i64::from(w)).sum();
        let mut r = self.int(0, total - 1);
        for (i, &w) in weights.iter().enumerate() {
            if r < i64::from(w) {
                return i;
            }
            r -= i64::from(w);
        }
        0
    }

    pub(super) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Approximately standard normal (Irwin-Hall of four uniforms, rescaled to unit variance).
    pub(super) fn gauss(&mut self) -> f64 {
        let sum = self.unit() + self.unit() + self.unit() + self.unit();
        (sum - 2.0) * 1.732_050_807_568_877_2
    }
}
