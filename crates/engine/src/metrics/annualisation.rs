//! How per-bar statistics become yearly ones.
//!
//! Sharpe, Sortino and volatility are computed on per-bar returns and scaled by
//! `sqrt(periods_per_year)`. CAGR does not use it: it counts the window's calendar time (see
//! [`super::cagr`]). The convention and the numbers it gave are stated in every report so a
//! reader knows which year was meant.
//!
//! `auto` (the default) reads the year from the data, as backtesting.py does: daily bars
//! with weekend bars are a 365-day year (crypto), without them a 252-day stock year; weekly
//! bars 52 a year, monthly 12; intraday bars are the bars of a full trading day (the fullest
//! day in the data) times those trading days, so FX's five-day week of hourly bars is 252 × 24.

use serde::{Deserialize, Serialize};

/// Milliseconds in a calendar year of 365.25 days.
pub const YEAR_MS: f64 = 365.25 * 86_400_000.0;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// backtesting.py's rule: the data trades at weekends when more than 60 % of the weekend's
/// share of days (2/7) of its bars fall on a Saturday or Sunday.
const WEEKEND_SHARE_THRESHOLD: f64 = 2.0 / 7.0 * 0.6;

/// The annualisation convention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Annualisation {
    /// Inferred from the data's timeframe and calendar (see the module documentation).
    #[default]
    Auto,
    /// Calendar time: `365.25 days / timeframe` bars per year, whatever the data's sessions.
    Calendar,
    /// A fixed number of bars per year, for example `252` for daily stock bars.
    PeriodsPerYear(f64),
}

/// The trading calendar the data shows, found by [`Calendar::infer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Bars of a day or less with weekend bars: 365 trading days a year.
    AllWeek,
    /// Bars of a day or less without weekend bars: 252 trading days a year (stocks; FX's
    /// five-day week, as backtesting.py counts it).
    Weekdays,
    /// Weekly bars: 52 a year.
    Weekly,
    /// Monthly bars: 12 a year.
    Monthly,
    /// Yearly bars: 1 a year.
    Yearly,
    /// Any other spacing of more than a day: calendar time.
    Other,
}

impl Calendar {
    /// The calendar of bars opening at `ts_ms` (ascending) and spaced `timeframe_ms` apart.
    pub fn infer(ts_ms: &[i64], timeframe_ms: i64) -> Calendar {
        Calendar::from_scan(&DayScan::of(ts_ms), timeframe_ms)
    }

    fn from_scan(scan: &DayScan, timeframe_ms: i64) -> Calendar {
        // backtesting.py keys on the whole number of days between bars.
        match timeframe_ms / DAY_MS {
            7 => return Calendar::Weekly,
            28..=31 => return Calendar::Monthly,
            365 | 366 => return Calendar::Yearly,
            days if days > 1 => return Calendar::Other,
            _ => {}
        }
        let weekend_share = scan.n_weekend_bars as f64 / scan.n_bars.max(1) as f64;
        if weekend_share > WEEKEND_SHARE_THRESHOLD {
            Calendar::AllWeek
        } else {
            Calendar::Weekdays
        }
    }

    /// Trading periods a year of the returns backtesting.py compounds: days for bars of a
    /// day or less, else the bars themselves.
    pub fn periods_per_year(self, timeframe_ms: i64) -> f64 {
        match self {
            Calendar::AllWeek => 365.0,
            Calendar::Weekdays => 252.0,
            Calendar::Weekly => 52.0,
            Calendar::Monthly => 12.0,
            Calendar::Yearly => 1.0,
            Calendar::Other => YEAR_MS / timeframe_ms.max(1) as f64,
        }
    }

    /// Whether backtesting.py-style returns are taken per day (bars of a day or less) rather
    /// than per bar.
    pub fn is_daily(self) -> bool {
        matches!(self, Calendar::AllWeek | Calendar::Weekdays)
    }
}

/// Saturday or Sunday in UTC (1970-01-01 was a Thursday), for day `day` since the epoch.
fn is_weekend_day(day: i64) -> bool {
    (day + 3).rem_euclid(7) >= 5
}

/// What one pass over the open times finds: bars on weekend days, and the bars of the
/// fullest day. Per bar it only compares with the end of the current day (a division per
/// day, not per bar), since it runs once per backtest.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct DayScan {
    n_bars: usize,
    n_weekend_bars: usize,
    max_bars_per_day: usize,
}

impl DayScan {
    fn of(ts_ms: &[i64]) -> DayScan {
        let mut scan = DayScan {
            n_bars: ts_ms.len(),
            ..DayScan::default()
        };
        let mut day_end_ms = i64::MIN;
        let mut is_weekend = false;
        let mut day_bars = 0usize;
        for &ts in ts_ms {
            if ts >= day_end_ms {
                scan.end_day(day_bars, is_weekend);
                let day = ts.div_euclid(DAY_MS);
                day_end_ms = (day + 1) * DAY_MS;
                is_weekend = is_weekend_day(day);
                day_bars = 0;
            }
            day_bars += 1;
        }
        scan.end_day(day_bars, is_weekend);
        scan
    }

    fn end_day(&mut self, day_bars: usize, is_weekend: bool) {
        if is_weekend {
            self.n_weekend_bars += day_bars;
        }
        self.max_bars_per_day = self.max_bars_per_day.max(day_bars);
    }
}

impl Annualisation {
    /// What is wrong with the setting, if anything: `(dotted key under the setting, message)`.
    /// The caller's config names the section it sits in.
    pub fn problem(self) -> Option<(&'static str, String)> {
        match self {
            Annualisation::PeriodsPerYear(periods) if !(periods.is_finite() && periods > 0.0) => {
                Some((
                    "annualisation.periods_per_year",
                    format!("{periods} must be a number of bars per year above 0"),
                ))
            }
            _ => None,
        }
    }

    /// The convention applied to bars opening at `ts_ms` spaced `timeframe_ms` apart, with
    /// the numbers it gave, for a report. Reads every timestamp once; call it once per run.
    pub fn report(self, ts_ms: &[i64], timeframe_ms: i64) -> AnnualisationReport {
        let scan = DayScan::of(ts_ms);
        let calendar = Calendar::from_scan(&scan, timeframe_ms);
        // The fullest day's bars: the partial days at the ends of a file, early closes and
        // holidays are shorter, never longer.
        let bars_per_day = if timeframe_ms >= DAY_MS {
            1.0
        } else {
            scan.max_bars_per_day.max(1) as f64
        };
        let days_per_year = calendar.periods_per_year(timeframe_ms);
        let periods_per_year = match self {
            Annualisation::Auto if calendar.is_daily() => {
                // Daily bars are one a trading day; intraday bars count the day's bars.
                days_per_year * bars_per_day
            }
            Annualisation::Auto => days_per_year,
            Annualisation::Calendar => YEAR_MS / (timeframe_ms.max(1) as f64),
            Annualisation::PeriodsPerYear(periods) => periods,
        };
        AnnualisationReport {
            convention: self,
            timeframe_ms,
            periods_per_year,
            calendar,
            days_per_year,
            bars_per_day,
        }
    }
}

/// The annualisation a report used, printed beside its yearly figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualisationReport {
    pub convention: Annualisation,
    /// The data's bar spacing.
    pub timeframe_ms: i64,
    /// Bars per year under the convention: what per-bar Sharpe, Sortino and volatility are
    /// scaled by.
    pub periods_per_year: f64,
    /// The trading calendar found in the data (weekend bars or not, weekly, monthly).
    pub calendar: Calendar,
    /// Trading days a year of that calendar (or bars a year for weekly and longer bars):
    /// what backtesting.py-style daily returns compound over.
    pub days_per_year: f64,
    /// Bars per trading day found in the data (1 for daily and longer bars).
    pub bars_per_day: f64,
}
