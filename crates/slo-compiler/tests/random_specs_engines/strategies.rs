//! The strategies of `random_specs_engines.rs`: random but valid specs, as a user may write
//! them, and the options of a batch compiled together.

use std::num::NonZeroU32;

use chrono::{NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sli_core::{
    AlertPolicy, CalendarPeriod, CalendarWindow, Interval, MaintenanceWindows, MissingData,
    Objective, RecurringWindow, Routing, Sli, Slo, Span, Sustained, Window, Zone,
};

/// One random spec, engine-neutral: what both compilers are given.
#[derive(Debug, Clone)]
pub(super) struct Drawn {
    pub(super) service: String,
    pub(super) slo: Slo,
    /// A latency bound: the good events are a histogram's bucket at it.
    pub(super) latency: Option<f64>,
    pub(super) policy: AlertPolicy,
    pub(super) routing: Routing,
    pub(super) maintenance: MaintenanceWindows,
    pub(super) gate: bool,
    pub(super) good: bool,
}

/// Pieces of names a user may legally write.
pub(super) fn name() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "checkout",
        "api",
        "café",
        "日本語",
        "🚀",
        "o'brien",
        "say \"hi\"",
        "a:b",
        "x::y",
        "back\\slash",
        "{{.window}}",
        "$1",
        "%s",
        "50%",
        "a b",
        "-",
        "_",
        "é",
        "ß",
        "Ω",
        "{",
        "}",
        "[",
        "]",
        "#",
        "&",
        "*",
        "!",
        "|",
        ">",
        "?",
        "@",
        "`",
        ",",
        "=",
        "~",
        "0",
        "1e3",
        "yes",
        "null",
    ]);
    prop_oneof![
        8 => prop::collection::vec(piece, 1..5).prop_map(|p| p.concat()),
        1 => (1usize..130).prop_map(|n| "n".repeat(n)),
        1 => (1usize..60).prop_map(|n| "é".repeat(n)),
    ]
}

pub(super) fn objective() -> impl Strategy<Value = Objective> {
    prop_oneof![
        prop::sample::select(vec![
            0.98,
            0.99,
            0.995,
            0.999,
            0.9995,
            0.9999,
            0.99999,
            0.99999999,
            0.987654321,
            0.999999999999,
            0.9999999999999999,
        ]),
        (0.98f64..0.99999999),
    ]
    .prop_map(|t| Objective::new(t).unwrap())
}

pub(super) fn zone() -> impl Strategy<Value = Zone> {
    prop::sample::select(vec![
        "UTC",
        "America/New_York",
        "Europe/Paris",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Kiritimati",
        "America/St_Johns",
        "Etc/GMT+12",
    ])
    .prop_map(|z| z.parse().unwrap())
}

pub(super) fn window() -> impl Strategy<Value = Window> {
    let calendar = (
        prop::sample::select(vec![
            CalendarPeriod::Day,
            CalendarPeriod::Week,
            CalendarPeriod::Month,
            CalendarPeriod::Quarter,
        ]),
        1u32..3,
        zone(),
        prop::option::of((0i64..3_000, 0u32..24)),
    )
        .prop_map(|(period, count, zone, anchor)| {
            let mut w =
                CalendarWindow::new(period, zone).with_count(NonZeroU32::new(count).unwrap());
            w.anchor = anchor.map(|(days, hour)| {
                (NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + TimeDelta::days(days))
                    .and_hms_opt(hour, 0, 0)
                    .unwrap()
            });
            // A window of a month or more spans at most 90 days.
            if matches!(period, CalendarPeriod::Month | CalendarPeriod::Quarter) {
                w = w.with_count(NonZeroU32::MIN);
            }
            Window::Calendar(w)
        });
    prop_oneof![
        1 => (1i64..=72).prop_map(|h| Window::rolling(Span::from_hours(h).unwrap())),
        5 => (72i64..=2_160).prop_map(|h| Window::rolling(Span::from_hours(h).unwrap())),
        1 => prop::sample::select(vec![1i64, 7, 28, 30, 90])
            .prop_map(|d| Window::rolling(Span::from_days(d).unwrap())),
        2 => calendar,
    ]
}

pub(super) fn maintenance() -> impl Strategy<Value = MaintenanceWindows> {
    let t0 = Utc.with_ymd_and_hms(2026, 12, 5, 22, 0, 0).unwrap();
    let one_off = (0i64..100_000, 1i64..20_000).prop_map(move |(start, length)| {
        let start = t0 + TimeDelta::seconds(start * 7);
        Interval::new(start, start + TimeDelta::seconds(length)).unwrap()
    });
    let recurring = (
        prop::sample::subsequence(
            vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            0..4,
        ),
        0u32..24,
        0u32..60,
        1i64..600,
        zone(),
    )
        .prop_filter_map("an occurrence must end", |(days, h, m, minutes, zone)| {
            let start = NaiveTime::from_hms_opt(h, m, 0).unwrap();
            let duration = Span::from_minutes(minutes).unwrap();
            if days.is_empty() {
                RecurringWindow::daily(start, duration, zone).ok()
            } else {
                RecurringWindow::weekly(days, start, duration, zone).ok()
            }
        });
    (
        prop::collection::vec(one_off, 0..3),
        prop::collection::vec(recurring, 0..3),
    )
        .prop_map(|(once, recurring)| {
            recurring.into_iter().fold(
                MaintenanceWindows::new(once),
                MaintenanceWindows::with_recurring,
            )
        })
}

pub(super) fn drawn() -> impl Strategy<Value = Drawn> {
    (
        (
            prop_oneof![name(), "[a-zA-Z0-9_-]{1,40}"],
            name(),
            objective(),
            window(),
        ),
        (
            prop::option::of(0.001f64..5_000.0),
            prop::sample::select(vec![MissingData::Good, MissingData::Bad, MissingData::Skip]),
            prop::option::of(1.0f64..1e6),
        ),
        (
            prop_oneof![
                2 => Just(None),
                2 => (1u32..15).prop_map(|m| Some((m, 0))),
                1 => (1u32..15, 0u32..10).prop_map(Some),
            ],
            prop::option::of(prop_oneof![name(), "[a-z0-9][a-zA-Z0-9._-]{0,63}"]),
            any::<bool>(),
            maintenance(),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (service, slo_name, objective, window),
                (latency, missing, min),
                (sustain, owner, runbook, maintenance, gate, good),
            )| {
                let mut slo = Slo::new(slo_name, objective, window, Sli::EventRatio)
                    .with_missing_data(missing);
                if let Some(min) = min {
                    slo = slo.with_min_events(min.floor());
                }
                let mut policy = AlertPolicy::default();
                if let Some((m, extra)) = sustain {
                    policy.tiers[0].sustain = Some(Sustained::new(m, m + extra).unwrap());
                }
                let mut routing = Routing::new();
                if let Some(owner) = owner.and_then(|o| o.parse().ok()) {
                    routing = routing.with_owner(owner);
                }
                if runbook {
                    routing = routing
                        .with_runbook("https://runbooks.example.com/a?b=c&d='e'".parse().unwrap());
                }
                Drawn {
                    service,
                    slo,
                    latency,
                    policy,
                    routing,
                    maintenance,
                    gate,
                    good,
                }
            },
        )
}

/// The options of one batch of specs compiled together.
#[derive(Debug, Clone)]
pub(super) struct Batch {
    pub(super) specs: Vec<Drawn>,
    pub(super) max_rules_per_group: usize,
    pub(super) max_file_bytes: usize,
    pub(super) budget_interval: Span,
    pub(super) absent_for: Span,
    pub(super) receivers: (String, String, String, String),
    pub(super) repeats: (String, String),
    pub(super) published: bool,
    pub(super) teams: bool,
}

pub(super) fn batch() -> impl Strategy<Value = Batch> {
    let receiver = || prop_oneof![name(), "[a-z][a-z0-9-]{0,20}"];
    let repeat = || {
        prop::sample::select(vec![
            "1m", "5m", "90s", "1h30m", "1d", "1w", "2w", "1y", "4h", "500ms", "1h0m0s",
        ])
        .prop_map(String::from)
    };
    (
        prop::collection::vec(drawn(), 1..5),
        (1usize..40, prop_oneof![Just(1usize << 30), 1usize..20_000]),
        (1i64..200_000, 1i64..200_000),
        (receiver(), receiver(), receiver(), receiver()),
        (repeat(), repeat()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(specs, (rules, bytes), (interval, absent), receivers, repeats, published, teams)| {
                Batch {
                    specs,
                    max_rules_per_group: rules,
                    max_file_bytes: bytes,
                    budget_interval: Span::from_seconds(interval).unwrap(),
                    absent_for: Span::from_seconds(absent).unwrap(),
                    receivers,
                    repeats,
                    published,
                    teams,
                }
            },
        )
}

pub(super) fn draw(count: usize, seed: u8) -> Vec<Batch> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    );
    let strategy = batch();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}
