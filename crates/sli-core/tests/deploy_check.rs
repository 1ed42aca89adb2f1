//! M9 per deploy: windows placed around each deploy, canary and partial deploys kept apart from
//! full ones, overlapping deploys reported together, and every verdict equal to
//! `deployment_regression` on counts summed here by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sli_core::{
    Deploy, DeployCheck, DeployOutcome, Error, EventCounts, Inconclusive, Interval, M9Status,
    Mixing, Rollout, Series, ServiceCounts, Span, WindowKind, deployment_regression,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
}

fn minute(m: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(m)
}

/// Two days of per-minute fleet counts: `total` requests, `bad(m)` of them failed.
fn fleet(total: f64, bad: impl Fn(i64) -> f64) -> Series<EventCounts> {
    Series::from_counts((0..2880).map(|m| (minute(m), total - bad(m), total))).unwrap()
}

/// Counts summed by hand over whole minutes `[from, to)`.
fn by_hand(total: f64, bad: impl Fn(i64) -> f64, from: i64, to: i64) -> EventCounts {
    let bad: f64 = (from..to).map(&bad).sum();
    EventCounts::from_bad(bad, total * (to - from) as f64).unwrap()
}

fn interval(from: i64, to: i64) -> Interval {
    Interval::new(minute(from), minute(to)).unwrap()
}

fn complete(id: &str, start: i64, end: i64) -> Deploy {
    Deploy::new(id, "api", minute(start))
        .unwrap()
        .with_outcome(DeployOutcome::Complete { at: minute(end) })
        .unwrap()
}

const CLEAN: fn(i64) -> f64 = |_| 1.0;

#[test]
fn a_full_deploy_is_tested_on_the_hour_after_it_completed() {
    // 0.1 % errors, then 0.3 % from minute 310 on: the deploy ran 300..310.
    let bad = |m: i64| if m >= 310 { 3.0 } else { 1.0 };
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, bad));
    let reports = DeployCheck::default()
        .evaluate(&[complete("d-1", 300, 310)], "api", &counts)
        .unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!(r.ids(), ["d-1"]);
    assert_eq!(r.before, Some(interval(240, 300)));
    assert_eq!(r.before_counts, by_hand(1000.0, bad, 240, 300));
    let settled = r.settled.unwrap();
    assert_eq!(settled.window, interval(310, 370));
    assert_eq!(settled.counts, by_hand(1000.0, bad, 310, 370));
    // The verdict is deployment_regression's on the same counts.
    let oracle = deployment_regression(r.before_counts, settled.counts, 0.01).unwrap();
    assert_eq!(settled.verdict, Some(oracle));
    assert!(oracle.regressed);
    assert_eq!(r.status, M9Status::Regressed);
    // The rollout minutes belong to neither the baseline nor the settled window.
    assert_eq!(r.rollout.unwrap().window, interval(300, 310));
}

#[test]
fn a_clean_full_deploy_is_cleared() {
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, CLEAN));
    let r = &DeployCheck::default()
        .evaluate(&[complete("d-1", 300, 310)], "api", &counts)
        .unwrap()[0];
    assert_eq!(r.status, M9Status::NoRegression);
    assert!(!r.is_overlapping());
}

#[test]
fn a_partial_deploy_is_never_a_clean_full_one() {
    // Stopped at minute 310 with 30 % of the targets (300 requests a minute) updated; those
    // fail 0.2 %, the rest 0.1 %: the fleet reads 0.13 %, which the test cannot tell from the
    // baseline's 0.1 %.
    let new_bad = |m: i64| if m % 5 < 3 { 1.0 } else { 0.0 }; // 0.6 a minute of 300
    let old_bad = |m: i64| if m % 10 < 7 { 1.0 } else { 0.0 }; // 0.7 a minute of 700
    let bad = move |m: i64| {
        if m >= 310 {
            old_bad(m) + new_bad(m)
        } else {
            1.0
        }
    };
    let deploy = Deploy::new("d-1", "api", minute(300))
        .unwrap()
        .with_outcome(DeployOutcome::Partial {
            at: minute(310),
            share: Some(0.3),
        })
        .unwrap();
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, bad));
    let r = &DeployCheck::default()
        .evaluate(std::slice::from_ref(&deploy), "api", &counts)
        .unwrap()[0];
    let settled = r.settled.unwrap();
    assert!(!settled.verdict.unwrap().regressed);
    assert_eq!(
        settled.status,
        M9Status::Inconclusive(Inconclusive::Mixed {
            mixing: Mixing::Partial { share: Some(0.3) }
        })
    );
    assert_ne!(r.status, M9Status::NoRegression);

    // With the updated targets' own counts (300 requests a minute, 0.2 %), the regression
    // the fleet hid is found.
    let updated =
        Series::from_counts((300..2880).map(|m| (minute(m), 300.0 - new_bad(m), 300.0))).unwrap();
    let counts = counts.with_new_version("d-1", updated);
    let r = &DeployCheck::default()
        .evaluate(&[deploy], "api", &counts)
        .unwrap()[0];
    let own = r.new_version.unwrap();
    assert_eq!(own.window, interval(300, 370));
    assert_eq!(own.status, M9Status::Regressed);
    assert_eq!(r.status, M9Status::Regressed);
}

#[test]
fn a_regression_shows_through_dilution() {
    // A partial deploy whose fleet errors triple: diluted or not, that is a regression.
    let bad = |m: i64| if m >= 310 { 3.0 } else { 1.0 };
    let deploy = Deploy::new("d-1", "api", minute(300))
        .unwrap()
        .with_outcome(DeployOutcome::Partial {
            at: minute(310),
            share: None,
        })
        .unwrap();
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, bad));
    let r = &DeployCheck::default()
        .evaluate(&[deploy], "api", &counts)
        .unwrap()[0];
    assert_eq!(r.status, M9Status::Regressed);
}

#[test]
fn a_completed_canary_is_judged_after_promotion_not_on_its_share() {
    // A canary (10 %, minutes 300..310), promoted at 310. Its canary minutes are bad for the
    // fleet (errors x5 there), but those minutes are the rollout, not the settled fleet.
    let bad = |m: i64| if (300..310).contains(&m) { 5.0 } else { 1.0 };
    let deploy = Deploy::new("d-1", "api", minute(300))
        .unwrap()
        .with_rollout(Rollout::Canary { percent: 10.0 })
        .unwrap()
        .with_outcome(DeployOutcome::Complete { at: minute(310) })
        .unwrap();
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, bad));
    let r = &DeployCheck::default()
        .evaluate(&[deploy], "api", &counts)
        .unwrap()[0];
    assert_eq!(r.settled.unwrap().window, interval(310, 370));
    assert_eq!(r.settled.unwrap().status, M9Status::NoRegression);
    // The canary step itself regressed, even diluted: reported, not averaged away.
    assert_eq!(r.rollout.unwrap().status, M9Status::Regressed);
    assert_eq!(r.status, M9Status::Regressed);
}

#[test]
fn a_rolled_back_deploy_is_tested_on_its_exposure_only() {
    let deploy = Deploy::new("d-1", "api", minute(300))
        .unwrap()
        .with_outcome(DeployOutcome::RolledBack { at: minute(320) })
        .unwrap();
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, CLEAN));
    let r = &DeployCheck::default()
        .evaluate(&[deploy], "api", &counts)
        .unwrap()[0];
    assert_eq!(r.settled, None);
    assert_eq!(r.rollout.unwrap().window, interval(300, 320));
    assert_eq!(
        r.status,
        M9Status::Inconclusive(Inconclusive::Mixed {
            mixing: Mixing::Rollout
        })
    );
}

#[test]
fn overlapping_deploys_are_reported_together() {
    // d-2 starts while d-1 is still rolling out: one report naming both, baseline before
    // d-1, settled window after d-2.
    let deploys = [complete("d-2", 305, 330), complete("d-1", 300, 310)];
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, CLEAN));
    let reports = DeployCheck::default()
        .evaluate(&deploys, "api", &counts)
        .unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert!(r.is_overlapping());
    assert_eq!(r.ids(), ["d-1", "d-2"]);
    assert_eq!(r.before, Some(interval(240, 300)));
    assert_eq!(r.settled_at, Some(minute(330)));
    assert_eq!(r.settled.unwrap().window, interval(330, 390));
    assert_eq!(r.status, M9Status::NoRegression);
}

#[test]
fn windows_stop_at_the_neighbouring_deploys() {
    // d-1 completes at 310; d-2 starts at 340 and completes at 345; d-3 at 420.
    let deploys = [
        complete("d-1", 300, 310),
        complete("d-2", 340, 345),
        complete("d-3", 420, 425),
    ];
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, CLEAN));
    let reports = DeployCheck::default()
        .evaluate(&deploys, "api", &counts)
        .unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0].settled.unwrap().window, interval(310, 340));
    assert_eq!(reports[1].before, Some(interval(310, 340)));
    assert_eq!(reports[1].settled.unwrap().window, interval(345, 405));
    assert_eq!(reports[2].before, Some(interval(360, 420)));
    // 30 minutes of 1,000 requests is enough for the default minimum.
    assert!(
        reports.iter().all(|r| r.status == M9Status::NoRegression),
        "{reports:?}"
    );
}

#[test]
fn a_deploy_right_after_another_settled_has_no_baseline() {
    let deploys = [complete("d-1", 300, 310), complete("d-2", 311, 312)];
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, CLEAN));
    let check = DeployCheck::default().with_min_events(1);
    let reports = check.evaluate(&deploys, "api", &counts).unwrap();
    // d-2 started after d-1 settled: apart, but with one minute of baseline.
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1].before, Some(interval(310, 311)));
    // An instant deploy exactly when another settles cannot be told apart from it.
    let deploys = [complete("d-1", 300, 310), complete("d-2", 310, 310)];
    let reports = check.evaluate(&deploys, "api", &counts).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].ids(), ["d-1", "d-2"]);
}

#[test]
fn an_unknown_end_is_never_cleared_unless_assumed() {
    let deploy = Deploy::new("evt-1", "api", minute(300)).unwrap();
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, CLEAN));
    let r = &DeployCheck::default()
        .evaluate(std::slice::from_ref(&deploy), "api", &counts)
        .unwrap()[0];
    assert_eq!(r.settled_at, None);
    assert_eq!(r.rollout.unwrap().window, interval(300, 360));
    assert_eq!(
        r.status,
        M9Status::Inconclusive(Inconclusive::Mixed {
            mixing: Mixing::CompletionUnknown
        })
    );
    let assumed = DeployCheck::default().assuming_settled_within(Span::from_minutes(15).unwrap());
    let r = &assumed
        .evaluate(std::slice::from_ref(&deploy), "api", &counts)
        .unwrap()[0];
    assert!(r.settled_assumed);
    assert_eq!(r.settled.unwrap().window, interval(315, 375));
    assert_eq!(r.status, M9Status::NoRegression);
    // A regression needs no assumption.
    let bad = |m: i64| if m >= 300 { 4.0 } else { 1.0 };
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, bad));
    let r = &DeployCheck::default()
        .evaluate(&[deploy], "api", &counts)
        .unwrap()[0];
    assert_eq!(r.status, M9Status::Regressed);
}

#[test]
fn too_few_events_are_reported_not_tested() {
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1.0, |_| 0.0));
    let r = &DeployCheck::default()
        .evaluate(&[complete("d-1", 300, 310)], "api", &counts)
        .unwrap()[0];
    assert_eq!(
        r.status,
        M9Status::Inconclusive(Inconclusive::TooFewEvents {
            window: WindowKind::Before,
            events: 60.0,
            needed: 100
        })
    );
    assert_eq!(r.settled.unwrap().verdict, None);
}

#[test]
fn periods_straddling_a_boundary_count_on_neither_side() {
    // Five-minute periods; the deploy starts at minute 302 and completes at 313.
    let series = Series::from_counts((0..576).map(|k| (minute(5 * k), 4990.0, 5000.0))).unwrap();
    let counts = ServiceCounts::new(Span::from_minutes(5).unwrap(), series);
    let r = &DeployCheck::default()
        .evaluate(&[complete("d-1", 302, 313)], "api", &counts)
        .unwrap()[0];
    // Before [242, 302): the periods at 245 .. 295 (12 of them; 240 and 300 straddle).
    assert_eq!(r.before_counts.total(), 11.0 * 5000.0);
    // Settled [313, 373): periods at 315 .. 365 (11; 310 and 370 straddle).
    assert_eq!(r.settled.unwrap().counts.total(), 11.0 * 5000.0);
}

#[test]
fn other_services_are_ignored_and_ids_must_be_unique() {
    let counts = ServiceCounts::new(Span::MINUTE, fleet(1000.0, CLEAN));
    let other = Deploy::new("d-9", "web", minute(305)).unwrap();
    let reports = DeployCheck::default()
        .evaluate(&[complete("d-1", 300, 310), other], "api", &counts)
        .unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].ids(), ["d-1"]);
    let err = DeployCheck::default()
        .evaluate(
            &[complete("d-1", 300, 310), complete("d-1", 500, 510)],
            "api",
            &counts,
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidDeploy { field: "id", .. }),
        "{err}"
    );
    assert!(DeployCheck::default().with_alpha(1.0).is_err());
}

#[test]
fn fractional_counts_are_refused_by_the_test() {
    let series = Series::from_counts((0..600).map(|m| (minute(m), 999.25, 1000.0))).unwrap();
    let counts = ServiceCounts::new(Span::MINUTE, series);
    let err = DeployCheck::default()
        .evaluate(&[complete("d-1", 300, 310)], "api", &counts)
        .unwrap_err();
    assert!(matches!(err, Error::NonIntegerCount { .. }), "{err}");
}

/// Deploys at either end of chrono's range used to panic (`DateTime + TimeDelta` overflowed)
/// placing their windows; the windows now end where time does, and are tested as any other.
#[test]
fn deploys_at_the_ends_of_time_get_windows_not_panics() {
    let (first, last) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    let day = Span::DAY;
    for at in [first, last, last - TimeDelta::minutes(30)] {
        let deploys = [
            Deploy::new("plain", "api", at).unwrap(),
            Deploy::new("done", "api", at)
                .unwrap()
                .with_outcome(DeployOutcome::Complete { at })
                .unwrap(),
        ];
        let counts = ServiceCounts::new(
            Span::MINUTE,
            Series::from_counts([(at, 10.0, 10.0)]).unwrap(),
        );
        for deploy in deploys {
            for check in [
                DeployCheck::new(),
                DeployCheck::new().assuming_settled_within(Span::from_days(36_500).unwrap()),
                DeployCheck::new().with_windows(day, day),
            ] {
                let reports = check
                    .evaluate(std::slice::from_ref(&deploy), "api", &counts)
                    .unwrap();
                assert_eq!(reports.len(), 1, "{} at {at}", deploy.id());
            }
        }
    }
}

/// A deploy is flagged when any of its windows' tests rejects; each ran at alpha, so clean
/// canaries with their own counts (three windows) were flagged 3.2 % of the time at
/// `DEFAULT_ALPHA` = 0.01 in a probe over 3,000 simulated deploys, and 23 of these 600 (3.8 %;
/// fixed seed: Poisson errors at 0.1 % of 1,000 requests a minute). Tested at alpha over the
/// number of windows judged, at most 1.5 % (6 of 600).
#[test]
fn clean_deploys_are_flagged_at_most_about_alpha() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    // Knuth's Poisson draw: few steps at these means.
    let mut poisson = |mean: f64| {
        let limit = (-mean).exp();
        let (mut k, mut product) = (0.0, uniform());
        while product > limit {
            k += 1.0;
            product *= uniform();
        }
        k
    };
    let deploys = 600;
    let mut flagged = 0;
    for _ in 0..deploys {
        let fleet = Series::from_counts((0..400).map(|m| {
            let bad = poisson(1.0);
            (minute(m), 1000.0 - bad, 1000.0)
        }))
        .unwrap();
        let own = Series::from_counts((300..400).map(|m| {
            let bad = poisson(0.1);
            (minute(m), 100.0 - bad, 100.0)
        }))
        .unwrap();
        let deploy = Deploy::new("d-1", "api", minute(300))
            .unwrap()
            .with_rollout(Rollout::Canary { percent: 10.0 })
            .unwrap()
            .with_outcome(DeployOutcome::Complete { at: minute(330) })
            .unwrap();
        let counts = ServiceCounts::new(Span::MINUTE, fleet).with_new_version("d-1", own);
        let report = &DeployCheck::default()
            .evaluate(&[deploy], "api", &counts)
            .unwrap()[0];
        let windows = [report.rollout, report.settled, report.new_version].map(Option::unwrap);
        assert!(windows.iter().all(|w| w.alpha == 0.01 / 3.0), "{windows:?}");
        flagged += usize::from(report.status == M9Status::Regressed);
    }
    let rate = flagged as f64 / deploys as f64;
    assert!(
        rate <= 0.015,
        "{flagged} of {deploys} clean deploys flagged"
    );
}
