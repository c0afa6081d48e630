//! Calendar dates for the weekly clock.
//!
//! A run advances in whole weeks from its start date; week `t` begins on `start + 7·t` days.
//! Dates are proleptic Gregorian, written `YYYY-MM-DD` (or `YYYY-MM`, meaning the 1st).
//! The conversion uses Howard Hinnant's `days_from_civil` algorithm: integer arithmetic only.

use std::fmt;

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` or `YYYY-MM`; `None` if malformed or not a real day.
    pub fn parse(s: &str) -> Option<Date> {
        let parts: Vec<&str> = s.trim().split('-').collect();
        if !(2..=3).contains(&parts.len()) || parts[0].len() != 4 || parts[1].len() != 2 {
            return None;
        }
        let year: i32 = parts[0].parse().ok()?;
        let month: u32 = parts[1].parse().ok()?;
        let day: u32 = match parts.get(2) {
            Some(d) if d.len() == 2 => d.parse().ok()?,
            Some(_) => return None,
            None => 1,
        };
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// This date plus `n` days.
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }

    /// The day at fractional year `y` (inverse of [`Date::year_fraction`], to the day).
    pub fn from_year_fraction(y: f64) -> Date {
        let year = y.floor() as i32;
        let start = Date {
            year,
            month: 1,
            day: 1,
        }
        .to_days();
        let end = Date {
            year: year + 1,
            month: 1,
            day: 1,
        }
        .to_days();
        Date::from_days(start + ((y - f64::from(year)) * (end - start) as f64).round() as i64)
    }

    /// Fractional year, e.g. 1921.5 for early July 1921 (for plotting and windows).
    pub fn year_fraction(self) -> f64 {
        let start = Date {
            year: self.year,
            month: 1,
            day: 1,
        }
        .to_days();
        let end = Date {
            year: self.year + 1,
            month: 1,
            day: 1,
        }
        .to_days();
        f64::from(self.year) + (self.to_days() - start) as f64 / (end - start) as f64
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The weekly clock of a run: week `t` starts on `start + 7t` days; the run has `weeks` steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub start: Date,
    pub weeks: usize,
}

impl Clock {
    /// A clock covering `start..=end` (the last week is the one containing `end`).
    pub fn new(start: Date, end: Date) -> Clock {
        let days = end.to_days() - start.to_days();
        Clock {
            start,
            weeks: (days / 7 + 1).max(1) as usize,
        }
    }

    /// The first day of week `t`.
    pub fn date(&self, t: usize) -> Date {
        self.start.add_days(7 * t as i64)
    }

    /// The week containing `d`, or `None` if `d` is outside the run.
    pub fn week_of(&self, d: Date) -> Option<usize> {
        let off = d.to_days() - self.start.to_days();
        if off < 0 {
            return None;
        }
        let w = (off / 7) as usize;
        (w < self.weeks).then_some(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_days() {
        let d = Date::parse("1921-03-08").unwrap();
        assert_eq!(d.to_string(), "1921-03-08");
        assert_eq!(Date::from_days(d.to_days()), d);
        assert_eq!(Date::parse("1970-01-01").unwrap().to_days(), 0);
        assert_eq!(
            Date::parse("1920-02").unwrap(),
            Date {
                year: 1920,
                month: 2,
                day: 1
            }
        );
        for bad in [
            "1921-13-01",
            "1921-02-30",
            "21-01-01",
            "1921/01/01",
            "1921-1-1",
            "",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(Date::parse("1920-02-29").is_some());
        for s in ["1921-02-20", "1920-12-31", "1925-01-01"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(Date::from_year_fraction(d.year_fraction()), d);
        }
        assert!(Date::parse("1921-02-29").is_none());
    }

    #[test]
    fn clock_weeks() {
        let c = Clock::new(
            Date::parse("1920-01-05").unwrap(),
            Date::parse("1920-01-25").unwrap(),
        );
        assert_eq!(c.weeks, 3);
        assert_eq!(c.date(1).to_string(), "1920-01-12");
        assert_eq!(c.week_of(Date::parse("1920-01-18").unwrap()), Some(1));
        assert_eq!(c.week_of(Date::parse("1920-01-04").unwrap()), None);
        assert_eq!(c.week_of(Date::parse("1920-02-04").unwrap()), None);
    }
}
