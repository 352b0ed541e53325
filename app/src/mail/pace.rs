//! When a mailbox may send: Exchange's limits, and the rep's own pace on top (a daily cap,
//! a sending window in the rep's time zone, sends spread over what is left of the window).
//! Pure functions of the time they are given: the worker reads it from its clock, tests from
//! theirs.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Exchange Online's limits for one mailbox, as the worker keeps them.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeLimits {
    /// Messages a minute (Exchange: 30); 0 sends as fast as Graph answers.
    pub per_minute: u32,
    /// Requests at once (the Outlook API: 4).
    pub in_flight: u32,
    /// Recipients in any 24 hours (Exchange: 10,000).
    pub recipients_per_day: u32,
}

impl Default for ExchangeLimits {
    fn default() -> Self {
        ExchangeLimits {
            per_minute: 30,
            in_flight: 4,
            recipients_per_day: 10_000,
        }
    }
}

impl ExchangeLimits {
    /// Time between two requests: a little over 60 s / limit, so that however the network
    /// delays them Exchange never counts one too many in a minute.
    pub fn spacing(&self) -> Duration {
        if self.per_minute == 0 {
            return Duration::zero();
        }
        Duration::microseconds(60_000_000 * 102 / 100 / i64::from(self.per_minute))
    }
}

/// The rep's settings ("Mon compte").
#[derive(Debug, Clone, PartialEq)]
pub struct RepPace {
    pub daily_cap: u32,
    /// Minutes after local midnight: from `window.0` included to `window.1` excluded.
    pub window: (u16, u16),
    pub weekdays_only: bool,
    pub time_zone: Tz,
}

impl Default for RepPace {
    fn default() -> Self {
        RepPace {
            daily_cap: 100,
            window: (8 * 60, 19 * 60),
            weekdays_only: true,
            time_zone: chrono_tz::Europe::Paris,
        }
    }
}

/// What the rep's pace says of the next prospecting mail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    /// It may go now, counted on the rep's local `day`; the next one after `spacing`
    /// (what is left of the window shared by what is left of the day's cap).
    Now { day: NaiveDate, spacing: Duration },
    /// Not before this (the window opens, or the next day's cap).
    Later(DateTime<Utc>),
}

impl RepPace {
    fn open_day(&self, day: NaiveDate) -> bool {
        !self.weekdays_only || !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The instant of `minutes` after local midnight of `day` (a time skipped by a clock
    /// change is taken at the change).
    fn at(&self, day: NaiveDate, minutes: u16) -> DateTime<Utc> {
        let local = if minutes >= 24 * 60 {
            day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN)
        } else {
            day.and_time(
                NaiveTime::from_num_seconds_from_midnight_opt(u32::from(minutes) * 60, 0)
                    .unwrap_or(NaiveTime::MIN),
            )
        };
        let mut probe = local;
        // A gap lasts an hour at most; walk out of it.
        for _ in 0..8 {
            if let Some(t) = self.time_zone.from_local_datetime(&probe).earliest() {
                return t.with_timezone(&Utc);
            }
            probe += Duration::minutes(15);
        }
        Utc.from_utc_datetime(&local)
    }

    /// When the window opens on the first open day from `day` on.
    fn next_opening(&self, mut day: NaiveDate) -> DateTime<Utc> {
        for _ in 0..8 {
            if self.open_day(day) {
                return self.at(day, self.window.0);
            }
            day = day.succ_opt().unwrap_or(day);
        }
        self.at(day, self.window.0)
    }

    /// The rep's local day at `now`.
    pub fn day(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.time_zone).date_naive()
    }

    /// The slot of the next prospecting mail at `now`, `sent` of them having gone on the
    /// local day `counted` (another day's count is none today).
    pub fn slot(&self, now: DateTime<Utc>, counted: Option<NaiveDate>, sent: u32) -> Slot {
        let today = self.day(now);
        let sent = if counted == Some(today) { sent } else { 0 };
        let tomorrow = today.succ_opt().unwrap_or(today);
        if !self.open_day(today) {
            return Slot::Later(self.next_opening(tomorrow));
        }
        let (opens, closes) = (self.at(today, self.window.0), self.at(today, self.window.1));
        if now < opens {
            return Slot::Later(opens);
        }
        if now >= closes || sent >= self.daily_cap {
            return Slot::Later(self.next_opening(tomorrow));
        }
        let left = i64::from(self.daily_cap - sent);
        Slot::Now {
            day: today,
            spacing: (closes - now) / i32::try_from(left).unwrap_or(i32::MAX),
        }
    }

    /// When `count` prospecting mails queued at `now` will all have gone, `sent` having gone
    /// on the local day `counted` and none going before `not_before` (the mailbox's pace),
    /// Exchange allowing one every `exchange` at most. Spacing is taken without its jitter,
    /// which averages out.
    pub fn finish(
        &self,
        now: DateTime<Utc>,
        not_before: DateTime<Utc>,
        mut counted: Option<NaiveDate>,
        mut sent: u32,
        count: u32,
        exchange: Duration,
    ) -> DateTime<Utc> {
        let mut t = now.max(not_before);
        let mut left = count;
        let mut last = t;
        while left > 0 {
            match self.slot(t, counted, sent) {
                Slot::Later(at) => t = at,
                Slot::Now { day, spacing } => {
                    if counted != Some(day) {
                        counted = Some(day);
                        sent = 0;
                    }
                    last = t;
                    sent += 1;
                    left -= 1;
                    t += spacing.max(exchange);
                }
            }
        }
        last
    }
}

/// "vers 14 h 36", "demain vers 9 h 05", "lundi 07/12 vers 8 h 00": when `at` is, in the
/// rep's time zone, as seen at `now`.
pub fn french_when(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let (at, now) = (at.with_timezone(&tz), now.with_timezone(&tz));
    let time = format!(
        "{} h {:02}",
        chrono::Timelike::hour(&at),
        chrono::Timelike::minute(&at)
    );
    let days = (at.date_naive() - now.date_naive()).num_days();
    match days {
        d if d <= 0 => format!("vers {time}"),
        1 => format!("demain vers {time}"),
        _ => {
            let weekday = match at.weekday() {
                Weekday::Mon => "lundi",
                Weekday::Tue => "mardi",
                Weekday::Wed => "mercredi",
                Weekday::Thu => "jeudi",
                Weekday::Fri => "vendredi",
                Weekday::Sat => "samedi",
                Weekday::Sun => "dimanche",
            };
            format!("{weekday} {:02}/{:02} vers {time}", at.day(), at.month())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn prospecting_waits_for_the_window_and_the_weekdays() {
        let pace = RepPace::default();
        // Tuesday 1 December 2026, 7:30 in Paris: the window opens at 8:00.
        assert_eq!(
            pace.slot(paris(2026, 12, 1, 7, 30), None, 0),
            Slot::Later(paris(2026, 12, 1, 8, 0))
        );
        // 19:00 is closed: tomorrow 8:00.
        assert_eq!(
            pace.slot(paris(2026, 12, 1, 19, 0), None, 0),
            Slot::Later(paris(2026, 12, 2, 8, 0))
        );
        // Friday evening and Saturday: Monday 8:00.
        assert_eq!(
            pace.slot(paris(2026, 12, 4, 20, 0), None, 0),
            Slot::Later(paris(2026, 12, 7, 8, 0))
        );
        assert_eq!(
            pace.slot(paris(2026, 12, 5, 10, 0), None, 0),
            Slot::Later(paris(2026, 12, 7, 8, 0))
        );
        let every_day = RepPace {
            weekdays_only: false,
            ..RepPace::default()
        };
        assert!(matches!(
            every_day.slot(paris(2026, 12, 5, 10, 0), None, 0),
            Slot::Now { .. }
        ));
    }

    #[test]
    fn the_daily_cap_holds_until_the_next_open_day() {
        let pace = RepPace {
            daily_cap: 3,
            ..RepPace::default()
        };
        let noon = paris(2026, 12, 1, 12, 0);
        let today = pace.day(noon);
        assert!(matches!(pace.slot(noon, Some(today), 2), Slot::Now { .. }));
        assert_eq!(
            pace.slot(noon, Some(today), 3),
            Slot::Later(paris(2026, 12, 2, 8, 0))
        );
        // Yesterday's count does not hold today.
        let yesterday = today.pred_opt().unwrap();
        assert!(matches!(
            pace.slot(noon, Some(yesterday), 3),
            Slot::Now { .. }
        ));
    }

    #[test]
    fn sends_are_spread_over_what_is_left_of_the_window() {
        let pace = RepPace::default();
        // 11 hours for 100 mails: one every 6 min 36 s.
        let Slot::Now { spacing, .. } = pace.slot(paris(2026, 12, 1, 8, 0), None, 0) else {
            panic!("the window is open");
        };
        assert_eq!(spacing, Duration::seconds(396));
        // 18:00 with 40 left: one every 90 s.
        let Slot::Now { spacing, .. } = pace.slot(
            paris(2026, 12, 1, 18, 0),
            Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            60,
        ) else {
            panic!("the window is open");
        };
        assert_eq!(spacing, Duration::seconds(90));
    }

    #[test]
    fn the_window_is_the_reps_local_time_across_clock_changes() {
        let pace = RepPace::default();
        // Summer: Paris is UTC+2, the window opens at 6:00 UTC.
        assert_eq!(
            pace.slot(paris(2026, 7, 1, 7, 0), None, 0),
            Slot::Later(Utc.with_ymd_and_hms(2026, 7, 1, 6, 0, 0).unwrap())
        );
        let new_york = RepPace {
            time_zone: chrono_tz::America::New_York,
            ..RepPace::default()
        };
        // 10:00 in Paris is 4:00 in New York: closed until 8:00 there (14:00 in Paris).
        assert_eq!(
            new_york.slot(paris(2026, 12, 1, 10, 0), None, 0),
            Slot::Later(paris(2026, 12, 1, 14, 0))
        );
        // A window starting inside the spring-forward gap opens when the clock jumps.
        let early = RepPace {
            window: (2 * 60 + 30, 19 * 60),
            weekdays_only: false,
            ..RepPace::default()
        };
        assert_eq!(
            early.slot(Utc.with_ymd_and_hms(2026, 3, 29, 0, 0, 0).unwrap(), None, 0),
            Slot::Later(Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap())
        );
    }

    #[test]
    fn the_finish_estimate_follows_the_pace() {
        let pace = RepPace::default();
        let exchange = ExchangeLimits::default().spacing();
        let start = paris(2026, 12, 1, 8, 0);
        // 100 mails, evenly over the day: the last one near the window's end.
        let end = pace.finish(start, start, None, 0, 100, exchange);
        assert!(
            end > paris(2026, 12, 1, 18, 45) && end < paris(2026, 12, 1, 19, 0),
            "{end}"
        );
        // 120: the cap holds 20 for Wednesday morning.
        let end = pace.finish(start, start, None, 0, 120, exchange);
        assert_eq!(pace.day(end), NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        // Where the rep's pace would go faster, Exchange's holds: a minute before the window
        // closes with the whole cap left, 20 mails take 19 of Exchange's spacings.
        let open = RepPace {
            daily_cap: 10_000,
            window: (0, 1440),
            weekdays_only: false,
            ..RepPace::default()
        };
        let late = paris(2026, 12, 1, 23, 59);
        let end = open.finish(late, late, None, 0, 20, exchange);
        assert_eq!(end - late, exchange * 19);
        assert_eq!(
            french_when(paris(2026, 12, 1, 14, 36), start, chrono_tz::Europe::Paris),
            "vers 14 h 36"
        );
        assert_eq!(
            french_when(paris(2026, 12, 2, 9, 5), start, chrono_tz::Europe::Paris),
            "demain vers 9 h 05"
        );
    }

    #[test]
    fn exchange_spacing_keeps_under_the_limit() {
        let limits = ExchangeLimits::default();
        assert_eq!(limits.spacing(), Duration::milliseconds(2040));
        let off = ExchangeLimits {
            per_minute: 0,
            ..limits
        };
        assert_eq!(off.spacing(), Duration::zero());
    }
}
