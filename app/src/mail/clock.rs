//! The time the outbox goes by. The real time, or, for tests of the sending window and the
//! daily cap, the real time shifted to another moment (it still flows), so that no test
//! depends on when it runs.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use chrono::{DateTime, Duration, Utc};

/// Shared by the web server and the worker of a process: a shift set by a test holds for both.
#[derive(Clone, Default, Debug)]
pub struct Clock {
    /// Milliseconds added to the system time.
    shift_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed))
    }

    /// From now on the clock reads `at`, and goes on from there.
    pub fn set(&self, at: DateTime<Utc>) {
        let shift = (at - Utc::now()).num_milliseconds();
        self.shift_ms.store(shift, Ordering::Relaxed);
    }
}
