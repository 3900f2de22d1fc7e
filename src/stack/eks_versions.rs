//! The Kubernetes versions EKS runs and how long it supports each: 14 months of standard
//! support from release, then 12 of extended support (at a higher hourly price), after which
//! EKS upgrades the cluster itself. Dated, so checks and estimates can say how old it is and a
//! test says when it needs refreshing.

use crate::cost::prices::days_since_epoch;

/// When the table was compiled (`YYYY-MM-DD`).
pub const TABLE_DATE: &str = "2026-12-02";

/// A minor version: (minor, released, end of standard support, end of extended support), from
/// the EKS Kubernetes release calendar.
const CALENDAR: &[(u32, &str, &str, &str)] = &[
    (28, "2023-09-26", "2024-11-26", "2025-11-26"),
    (29, "2024-01-23", "2025-03-23", "2026-03-23"),
    (30, "2024-05-23", "2025-07-23", "2026-07-23"),
    (31, "2024-09-26", "2025-11-26", "2026-11-26"),
    (32, "2025-01-25", "2026-03-23", "2027-03-23"),
    (33, "2025-05-28", "2026-07-29", "2027-07-29"),
    (34, "2025-10-06", "2026-12-02", "2027-12-02"),
    (35, "2026-01-28", "2027-03-27", "2028-03-27"),
];

impl Support {
    /// Billed at the extended-support price: in extended support, or past it (EKS then
    /// upgrades the cluster to the oldest version in extended support).
    pub fn billed_extended(&self) -> bool {
        matches!(
            self,
            Support::Extended { .. } | Support::Ended { .. } | Support::TooOld
        )
    }
}

/// Where a version stands on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// In standard support until the date.
    Standard { until: &'static str },
    /// Past standard support, in extended support until the date.
    Extended {
        since: &'static str,
        until: &'static str,
    },
    /// Past extended support: EKS upgrades such clusters itself.
    Ended { since: &'static str },
    /// Older than the table: long out of support.
    TooOld,
    /// Newer than the table's newest: released after it was compiled.
    Newer,
}

/// The newest minor the table knows.
pub fn newest() -> u32 {
    CALENDAR.last().map_or(0, |v| v.0)
}

/// Where `minor` (`31` for 1.31) stands on day `today` (days since 1970-01-01).
pub fn support(minor: u32, today: i64) -> Support {
    let Some(&(_, _, standard, extended)) = CALENDAR.iter().find(|v| v.0 == minor) else {
        return if minor > newest() {
            Support::Newer
        } else {
            Support::TooOld
        };
    };
    let day = |date| days_since_epoch(date).unwrap_or(i64::MAX);
    if today < day(standard) {
        Support::Standard { until: standard }
    } else if today < day(extended) {
        Support::Extended {
            since: standard,
            until: extended,
        }
    } else {
        Support::Ended { since: extended }
    }
}

/// Today, in days since 1970-01-01.
pub fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64 / 86_400)
}

/// The oldest minor in standard support on day `today`, if the table knows one.
pub fn oldest_in_standard(today: i64) -> Option<u32> {
    CALENDAR
        .iter()
        .map(|v| v.0)
        .find(|m| matches!(support(*m, today), Support::Standard { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How old the table may get before a test asks for it to be refreshed: a new minor comes
    /// about every four months.
    const MAX_AGE_DAYS: i64 = 120;

    fn day(date: &str) -> i64 {
        days_since_epoch(date).unwrap()
    }

    #[test]
    fn a_version_moves_from_standard_to_extended_to_ended() {
        assert_eq!(
            support(31, day("2025-11-25")),
            Support::Standard {
                until: "2025-11-26"
            }
        );
        assert_eq!(
            support(31, day("2025-11-26")),
            Support::Extended {
                since: "2025-11-26",
                until: "2026-11-26"
            }
        );
        assert_eq!(
            support(31, day("2026-11-26")),
            Support::Ended {
                since: "2026-11-26"
            }
        );
        assert_eq!(support(20, day("2026-01-01")), Support::TooOld);
        assert_eq!(support(99, day("2026-01-01")), Support::Newer);
        assert_eq!(oldest_in_standard(day("2026-12-02")), Some(35));
    }

    #[test]
    fn each_version_has_14_months_of_standard_and_12_of_extended_support() {
        for (minor, released, standard, extended) in CALENDAR {
            let (r, s, e) = (day(released), day(standard), day(extended));
            assert!(
                (410..=440).contains(&(s - r)),
                "1.{minor}: {released} to {standard}"
            );
            assert!(
                (365..=366).contains(&(e - s)),
                "1.{minor}: {standard} to {extended}"
            );
        }
    }

    #[test]
    fn the_version_table_is_not_too_old() {
        let age = today() - day(TABLE_DATE);
        assert!(age >= 0, "the table is dated in the future: {TABLE_DATE}");
        assert!(
            age <= MAX_AGE_DAYS,
            "the EKS version table of {TABLE_DATE} is {age} days old (more than {MAX_AGE_DAYS}): \
             add the versions EKS released since to src/stack/eks_versions.rs and set TABLE_DATE"
        );
    }
}
