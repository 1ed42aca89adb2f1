//! F4's unit tests: the principals' map and habits, and the bounds on what it keeps.

mod unit {
    use super::super::*;
    use aws_telemetry::Identity;
    use chrono::TimeZone;

    /// The hash the map used before it was seeded (FxHash's multiply-rotate over 8-byte words,
    /// then the 0xff `Hash for str` appends), which a caller could collide at will.
    fn unseeded_hash(bytes: &[u8]) -> u64 {
        let mix = |state: u64, word: u64| {
            (state.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
        };
        let state = bytes.chunks(8).fold(0, |state, chunk| {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            mix(state, u64::from_le_bytes(word))
        });
        mix(state, 0xff)
    }

    /// 16-byte ASCII names whose unseeded hashes are all equal: the second word cancels the
    /// first's mixing (`w2 = rotl(w1·K, 5) ^ C`), kept when it is ASCII (one in 256).
    fn colliding_names(count: usize) -> Vec<String> {
        let mut names = Vec::with_capacity(count);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        while names.len() < count {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let first = (state & 0x3f3f_3f3f_3f3f_3f3f) | 0x4040_4040_4040_4040; // ASCII
            let second = (first.wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)).rotate_left(5)
                ^ 0x6162_6364_6566_6768;
            let bytes = [first.to_le_bytes(), second.to_le_bytes()].concat();
            if bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
                names.push(String::from_utf8(bytes).unwrap());
            }
        }
        names
    }

    #[test]
    fn names_chosen_to_collide_do_not_collide_in_the_map() {
        use std::hash::BuildHasher;
        // Found by the hostile-input probe: 20,000 principals named to collide under the
        // unseeded hash took 31.9 s where ordinary ones took 0.21 s.
        let names = colliding_names(1000);
        let unseeded: std::collections::BTreeSet<u64> =
            names.iter().map(|n| unseeded_hash(n.as_bytes())).collect();
        assert_eq!(
            unseeded.len(),
            1,
            "the names collide under the unseeded hash"
        );
        let map = principal::Keyed::<()>::default();
        let seeded: std::collections::BTreeSet<u64> = names
            .iter()
            .map(|n| map.hasher().hash_one(n.as_str()))
            .collect();
        assert!(
            seeded.len() > 990,
            "{} distinct hashes of 1000",
            seeded.len()
        );
        // Seeded per map, not fixed: a fixed seed anyone can read is collided as easily.
        let other = principal::Keyed::<()>::default();
        assert!(
            names.iter().any(|n| {
                other.hasher().hash_one(n.as_str()) != map.hasher().hash_one(n.as_str())
            })
        );
    }

    #[test]
    fn eviction_at_the_cap_drops_the_first_names_among_equally_idle_ones() {
        // The map's order is seeded, so ties are broken by name: two detectors fed the same
        // events keep the same principals.
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let config = CompromiseConfig {
            max_principals: 100,
            ..CompromiseConfig::default()
        };
        let kept = || {
            let mut f4 = CredentialCompromise::new(config).unwrap();
            for i in (0..=100).rev() {
                let event = AuditEvent::new(
                    t0,
                    "s3.amazonaws.com",
                    "GetObject",
                    "eu-west-1",
                    "10.0.0.1",
                    Identity::new("IAMUser").with_user_name(format!("u{i:03}")),
                );
                f4.push(event).unwrap();
            }
            let mut names: Vec<String> = f4.principals.keys().map(|k| k.to_string()).collect();
            names.sort();
            names
        };
        let first = kept();
        // The 101st principal (u000) found the cap reached: the first tenth by name of the
        // equally idle hundred (u001..u010) went.
        assert_eq!(first.len(), 91);
        assert_eq!(first.first().map(String::as_str), Some("u000"));
        assert_eq!(first.get(1).map(String::as_str), Some("u011"));
        for _ in 0..5 {
            assert_eq!(kept(), first);
        }
    }

    fn at(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + TimeDelta::hours(hour)
    }

    fn role(session: &str) -> Identity {
        Identity::new("AssumedRole")
            .with_arn(format!("arn:aws:sts::1:assumed-role/deploy/{session}"))
    }

    #[test]
    fn role_sessions_share_a_history_and_global_services_are_not_regions() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let mut findings = Vec::new();
        for hour in 0..24 * 8 {
            let who = role(&format!("run-{hour}"));
            let event = AuditEvent::new(
                at(hour),
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.0.1",
                who,
            );
            findings.extend(f4.push(event).unwrap());
        }
        assert_eq!(f4.principals(), 1);
        // A first IAM call, logged in us-east-1, by a learned role: not a new region.
        let iam = AuditEvent::new(
            at(24 * 8),
            "iam.amazonaws.com",
            "GetRole",
            "us-east-1",
            "10.0.0.1",
            role("x"),
        );
        findings.extend(f4.push(iam).unwrap());
        assert!(findings.is_empty(), "{findings:?}");
        // A new session calling EC2 in a new region: the role's history applies.
        let ec2 = AuditEvent::new(
            at(24 * 8 + 1),
            "ec2.amazonaws.com",
            "RunInstances",
            "sa-east-1",
            "203.0.113.1",
            role("y"),
        );
        let found = f4.push(ec2).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "arn:aws:sts::1:assumed-role/deploy/y");
    }

    #[test]
    fn federated_sign_in_without_mfa_is_not_flagged_but_an_iam_user_is() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let login = |who: Identity| {
            AuditEvent::new(
                at(1),
                "signin.amazonaws.com",
                "ConsoleLogin",
                "us-east-1",
                "192.0.2.9",
                who,
            )
            .with_mfa(false)
        };
        assert!(
            f4.push(login(role("alice@example.com")))
                .unwrap()
                .is_empty()
        );
        let user = Identity::new("IAMUser").with_user_name("bob");
        assert_eq!(f4.push(login(user)).unwrap().len(), 1);
    }
}

mod bounds {
    use super::super::*;
    use aws_telemetry::Identity;
    use chrono::TimeZone;

    fn user(name: &str) -> Identity {
        Identity::new("IAMUser").with_arn(format!("arn:aws:iam::1:user/{name}"))
    }

    /// Issue 17: new-region findings listed every region seen so far (60,000 events gave
    /// 14.5 GB of finding text), and every principal was kept forever (about 650 B each).
    #[test]
    fn evidence_and_principals_are_bounded() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut f4 = CredentialCompromise::new(CompromiseConfig {
            learning: TimeDelta::hours(1),
            ..CompromiseConfig::default()
        })
        .unwrap();
        let who = user("mallory");
        let mut text = 0;
        let mut findings = 0;
        for i in 0..60_000i64 {
            let event = AuditEvent::new(
                t0 + TimeDelta::seconds(2 * 3600 + i),
                "ec2.amazonaws.com",
                "DescribeInstances",
                format!("xx-region-{i}"),
                "203.0.113.1",
                who.clone(),
            );
            for f in f4.push(event).unwrap() {
                text += f.evidence.detail.len();
                findings += 1;
            }
        }
        // Every new region after the hour of learning is still a finding, each a short
        // sentence.
        assert_eq!(findings, 60_000 - 3600);
        assert!(text / findings < 200, "{} bytes a finding", text / findings);
        assert!(
            f4.principals
                .values()
                .all(|p| p.regions.len() <= MAX_REGIONS)
        );

        // Idle principals are forgotten after the eviction age; the cap holds at all times.
        let mut f4 = CredentialCompromise::new(CompromiseConfig {
            max_principals: 1000,
            ..CompromiseConfig::default()
        })
        .unwrap();
        for i in 0..5000i64 {
            let event = AuditEvent::new(
                t0 + TimeDelta::seconds(i),
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.0.1",
                user(&format!("u{i}")),
            );
            f4.push(event).unwrap();
            assert!(f4.principals() <= 1000);
        }
        let later = AuditEvent::new(
            t0 + TimeDelta::days(31),
            "s3.amazonaws.com",
            "GetObject",
            "eu-west-1",
            "10.0.0.1",
            user("late"),
        );
        f4.push(later).unwrap();
        assert_eq!(f4.principals(), 1);
    }

    #[test]
    fn a_failed_sign_in_without_mfa_is_not_a_sign_in_without_mfa() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 3, 0, 0).unwrap();
        let login = AuditEvent::new(
            t0,
            "signin.amazonaws.com",
            "ConsoleLogin",
            "us-east-1",
            "203.0.113.5",
            user("bob"),
        )
        .with_mfa(false);
        let failed = login
            .clone()
            .with_sign_in(aws_telemetry::SignInOutcome::Failure);
        assert!(f4.push(failed).unwrap().is_empty());
        let success = login.with_sign_in(aws_telemetry::SignInOutcome::Success);
        assert_eq!(f4.push(success).unwrap().len(), 1);
    }

    /// A console sign-in without MFA by `name` at `at`: a page at any time.
    fn sign_in_without_mfa(at: DateTime<Utc>, name: &str) -> AuditEvent {
        AuditEvent::new(
            at,
            "signin.amazonaws.com",
            "ConsoleLogin",
            "us-east-1",
            "203.0.113.6",
            user(name),
        )
        .with_mfa(false)
        .with_sign_in(aws_telemetry::SignInOutcome::Success)
    }

    fn get_object(at: DateTime<Utc>, name: &str) -> AuditEvent {
        AuditEvent::new(
            at,
            "s3.amazonaws.com",
            "GetObject",
            "us-east-1",
            "10.0.0.1",
            user(name),
        )
    }

    /// Probe A (2026-12-07): a principal back after the idle eviction had its first event of
    /// the hour swept away with it: the event, a sign-in without MFA, was dropped (`Ok([])`).
    /// It is judged now, the principal learned afresh from it.
    #[test]
    fn a_principal_back_after_the_idle_eviction_is_judged_and_learned_afresh() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        assert_eq!(f4.push(get_object(t0, "alice")).unwrap(), []);
        let back = t0 + TimeDelta::days(31);
        let findings = f4.push(sign_in_without_mfa(back, "alice")).unwrap();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].evidence.detail.contains("without MFA"),
            "{findings:?}"
        );
        assert_eq!(f4.principals(), 1);
        // Learned afresh: first seen on its return, not 31 days before.
        let alice = &f4.principals["arn:aws:iam::1:user/alice"];
        assert_eq!(alice.first_seen, back.timestamp());
    }

    /// The eighth blind game day (N1): a departed engineer's key used from a region she never
    /// used, 39 days after its last use, raised nothing — forgotten after 30 idle days, she
    /// came back as a new principal, unjudged for a week. What a forgotten principal did
    /// (its regions, its credential minting) is kept: her return from a new region pages at
    /// once, from a known one it does not, and her volume is learned again (a burst on her
    /// return is not judged against habits the detector no longer has).
    #[test]
    fn a_dormant_principal_back_from_a_new_region_is_reported_at_once() {
        let t0 = Utc.with_ymd_and_hms(2026, 7, 6, 0, 0, 0).unwrap();
        // Alice learned for ten days, then gone while bob keeps the detector's clock going:
        // she is swept away after 30 days.
        let alice_gone = || {
            let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
            for h in 0..24 * 10 {
                let at = t0 + TimeDelta::hours(h);
                assert_eq!(f4.push(get_object(at, "alice")).unwrap(), []);
            }
            for d in 0..39 {
                f4.push(get_object(t0 + TimeDelta::days(10 + d), "bob"))
                    .unwrap();
            }
            assert!(!f4.principals.contains_key("arn:aws:iam::1:user/alice"));
            f4
        };
        let in_region = |at, name: &str, region: &str| {
            AuditEvent::new(
                at,
                "ec2.amazonaws.com",
                "DescribeInstances",
                region,
                "203.0.113.9",
                user(name),
            )
        };
        let back = t0 + TimeDelta::days(10 + 39);
        let mut f4 = alice_gone();
        let findings = f4.push(in_region(back, "alice", "ap-southeast-1")).unwrap();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].evidence.detail.contains("ap-southeast-1")
                && findings[0].evidence.detail.contains("us-east-1"),
            "{findings:?}"
        );
        // A burst on her return is learned, not judged: her habits are gone.
        for i in 0..5_000 {
            let at = back + TimeDelta::seconds(1 + i / 2);
            assert_eq!(f4.push(get_object(at, "alice")).unwrap(), []);
        }

        // Back from a region she used: nothing.
        assert_eq!(
            alice_gone()
                .push(in_region(back, "alice", "us-east-1"))
                .unwrap(),
            []
        );
    }

    /// Review 16b: a principal dropped at the cap while still learning was judged at once
    /// on its return (a new region and its first `CreateAccessKey` paged a day in), and a
    /// returning principal's own record could be trimmed by the room made for it. A forgotten
    /// principal's regions and minting are judged from when it was first seen, as if never
    /// forgotten, and its record is taken before room is made.
    #[test]
    fn the_cap_changes_no_verdict_on_a_returning_principal() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let call = |at, name: &str, region: &str| {
            AuditEvent::new(
                at,
                "s3.amazonaws.com",
                "GetObject",
                region,
                "203.0.113.9",
                user(name),
            )
        };
        let mint = |at, name: &str| {
            AuditEvent::new(
                at,
                "iam.amazonaws.com",
                "CreateAccessKey",
                "us-east-1",
                "203.0.113.9",
                user(name),
            )
        };
        // Still learning when dropped at a cap of 2: back the next day, nothing to report.
        let newbie_back = |cap: usize| {
            let mut f4 =
                CredentialCompromise::new(CompromiseConfig::default().with_max_principals(cap))
                    .unwrap();
            for h in 0..24 * 10 {
                assert_eq!(
                    f4.push(call(t0 + TimeDelta::hours(h), "bob", "us-east-1"))
                        .unwrap(),
                    []
                );
            }
            let d10 = t0 + TimeDelta::days(10);
            for (m, name) in [(0, "newbie"), (30, "bob"), (40, "carol")] {
                let event = call(d10 + TimeDelta::minutes(m), name, "us-east-1");
                assert_eq!(f4.push(event).unwrap(), []);
            }
            let d11 = t0 + TimeDelta::days(11);
            let mut back = f4.push(call(d11, "newbie", "eu-west-1")).unwrap();
            back.extend(
                f4.push(mint(d11 + TimeDelta::minutes(1), "newbie"))
                    .unwrap(),
            );
            back
        };
        assert_eq!(newbie_back(100), []);
        assert_eq!(newbie_back(2), []);
        // Learned, forgotten for idleness, both maps at a cap of 3: back from a new region,
        // paged; and minting credentials it never minted, paged too.
        let day = |d: f64| t0 + TimeDelta::seconds((d * 86_400.0) as i64);
        let mut events: Vec<AuditEvent> = (0..240)
            .map(|h| call(t0 + TimeDelta::hours(h), "alice", "us-east-1"))
            .chain((0..49).map(|d| call(day(f64::from(d)), "bob", "us-east-1")))
            .chain([
                call(day(9.99), "zed", "us-east-1"),
                call(day(9.995), "erin", "us-east-1"),
                call(day(45.0), "carol", "us-east-1"),
                call(day(45.1), "dave", "us-east-1"),
            ])
            .collect();
        events.sort_by_key(|e| e.time);
        let mut f4 =
            CredentialCompromise::new(CompromiseConfig::default().with_max_principals(3)).unwrap();
        for event in events {
            assert_eq!(f4.push(event).unwrap(), []);
        }
        let back = f4.push(call(day(49.0), "alice", "ap-southeast-1")).unwrap();
        assert_eq!(back.len(), 1, "{back:#?}");
        let minted = f4
            .push(mint(day(49.0) + TimeDelta::minutes(1), "alice"))
            .unwrap();
        assert_eq!(minted.len(), 1, "{minted:#?}");
        assert!(
            minted[0].evidence.detail.contains("CreateAccessKey"),
            "{minted:?}"
        );
    }

    /// Forgotten principals are kept at most `max_principals` deep, the least recently seen
    /// dropped first: what the detector holds stays bounded however many come and go.
    #[test]
    fn dormant_principals_are_bounded() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut f4 =
            CredentialCompromise::new(CompromiseConfig::default().with_max_principals(10)).unwrap();
        for i in 0..100 {
            f4.push(get_object(t0 + TimeDelta::minutes(i), &format!("p{i:03}")))
                .unwrap();
        }
        assert_eq!(f4.principals(), 10);
        assert!(f4.dormant.len() <= 10, "{}", f4.dormant.len());
        // The newest forgotten are the ones kept.
        assert!(f4.dormant.contains_key("arn:aws:iam::1:user/p089"));
        assert!(!f4.dormant.contains_key("arn:aws:iam::1:user/p000"));
    }

    /// Probe A: at the cap, a known principal's first event of an hour ran the cap eviction,
    /// which forgot the longest idle tenth, the principal itself among them, and dropped its
    /// sign-in without MFA. The cap is made room at only when a principal is added.
    #[test]
    fn at_the_cap_an_event_of_a_known_principal_forgets_no_one() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut f4 =
            CredentialCompromise::new(CompromiseConfig::default().with_max_principals(10)).unwrap();
        for i in 0..10 {
            f4.push(get_object(t0 + TimeDelta::minutes(i), &format!("a{i}")))
                .unwrap();
        }
        assert_eq!(f4.principals(), 10);
        let next_hour = t0 + TimeDelta::minutes(65);
        let findings = f4.push(sign_in_without_mfa(next_hour, "a0")).unwrap();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(f4.principals(), 10, "no principal was being added");
        // A new principal at the cap makes room (the longest idle go: a1, not a0 just seen),
        // and is itself kept and judged.
        let findings = f4
            .push(sign_in_without_mfa(
                next_hour + TimeDelta::minutes(1),
                "new",
            ))
            .unwrap();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(f4.principals(), 10);
        assert!(f4.principals.contains_key("arn:aws:iam::1:user/a0"));
        assert!(!f4.principals.contains_key("arn:aws:iam::1:user/a1"));
    }

    /// Findings for `who`: nine days of ten calls an hour, then 500 in an hour, with
    /// `known` as the known deployers.
    fn burst_after_nine_days(who: &Identity, known: &[&str]) -> Vec<Finding> {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default())
            .unwrap()
            .with_known_deployers(known);
        let call = |at| {
            AuditEvent::new(
                at,
                "s3.amazonaws.com",
                "GetObject",
                "us-east-1",
                "10.0.0.1",
                who.clone(),
            )
        };
        let mut found = Vec::new();
        for h in 0..24 * 9 {
            for s in 0..10 {
                let at = t0 + TimeDelta::hours(h) + TimeDelta::seconds(s);
                found.extend(f4.push(call(at)).unwrap());
            }
        }
        let burst = t0 + TimeDelta::days(9) + TimeDelta::hours(10);
        for s in 0..500 {
            found.extend(f4.push(call(burst + TimeDelta::seconds(s))).unwrap());
        }
        found
    }

    /// Probe A (2026-12-07): a deployer given as a role name covered an IAM user of that name
    /// recorded without an ARN (keyed by its bare name), though a role name never covers a
    /// user; the same held for a federated user. Roles recorded without an ARN are still
    /// covered by their name.
    #[test]
    fn a_role_name_never_covers_a_user_recorded_without_an_arn() {
        let user = |name: &str| {
            Identity::new("IAMUser")
                .with_user_name(name)
                .with_account_id("111122223333")
        };
        assert_eq!(burst_after_nine_days(&user("deploy"), &[]).len(), 1);
        assert_eq!(burst_after_nine_days(&user("deploy"), &["deploy"]).len(), 1);
        let role = Identity::new("AssumedRole").with_user_name("deploy");
        assert_eq!(burst_after_nine_days(&role, &[]).len(), 1);
        assert_eq!(burst_after_nine_days(&role, &["deploy"]), []);
        // Nor a federated user (GetFederationToken's Name is the caller's to choose).
        let federated = Identity::new("FederatedUser")
            .with_user_name("deploy")
            .with_account_id("111122223333");
        assert_eq!(burst_after_nine_days(&federated, &["deploy"]).len(), 1);
        let federated_arn = "arn:aws:sts::111122223333:federated-user/deploy";
        assert_eq!(
            burst_after_nine_days(&federated.with_arn(federated_arn), &[federated_arn]),
            []
        );
        // Nor any other kind keyed by a name: a SAML user without a principal id.
        let saml = Identity::new("SAMLUser").with_user_name("deploy");
        assert_eq!(burst_after_nine_days(&saml, &["deploy"]).len(), 1);
        // A user with an ARN is covered by it.
        let named = user("deploy").with_arn("arn:aws:iam::111122223333:user/deploy");
        assert_eq!(
            burst_after_nine_days(&named, &["arn:aws:iam::111122223333:user/deploy"]),
            []
        );
    }

    #[test]
    fn a_known_deployer_bursts_freely_and_others_do_not() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let deploy = |session: &str| {
            Identity::new("AssumedRole")
                .with_arn(format!("arn:aws:sts::1:assumed-role/deploy/{session}"))
        };
        let run = |f4: CredentialCompromise| {
            let mut f4 = f4;
            let mut found = Vec::new();
            for h in 0..24 * 10 {
                // Ten calls an hour for ten days, then a deploy of 2,000 calls in an hour.
                let calls = if h == 24 * 9 + 3 { 2000 } else { 10 };
                for c in 0..calls {
                    let at = t0 + TimeDelta::hours(h) + TimeDelta::seconds(c);
                    let event = AuditEvent::new(
                        at,
                        "cloudformation.amazonaws.com",
                        "DescribeStacks",
                        "eu-west-1",
                        "198.51.100.2",
                        deploy("run"),
                    );
                    found.extend(f4.push(event).unwrap());
                }
            }
            found
        };
        let plain = run(CredentialCompromise::new(CompromiseConfig::default()).unwrap());
        assert_eq!(plain.len(), 1, "{plain:?}");
        assert!(
            plain[0].evidence.detail.contains("calls this hour"),
            "{plain:?}"
        );
        let allowed = run(CredentialCompromise::new(CompromiseConfig::default())
            .unwrap()
            .with_known_deployers(["deploy"]));
        assert!(allowed.is_empty(), "{allowed:?}");
    }
}

/// The seventh blind game day read "3892 calls this hour, more than the 3892 usual": the bar,
/// 3,891.6, rounded to the nearest. It is rounded down now, so the sentence stays true.
#[test]
fn volume_evidence_never_says_a_count_is_more_than_itself() {
    let evidence = super::volume(3892, 3891.6, "calls", "usual");
    assert_eq!(
        evidence.detail,
        "3892 calls this hour, more than the 3891 usual allows"
    );
}

mod deployers {
    use super::super::deployers::Deployers;

    /// The matching of one entry that `Deployers` replaced (checked entry by entry, O(entries) an
    /// event), kept as the reference its lookups must agree with: whether `entry` covers `key`: the same name, or, for the key of a role's
    /// sessions (`arn:PARTITION:sts::ACCOUNT:assumed-role/NAME`), a bare role name `NAME` or the
    /// role's ARN (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`: session ARNs drop the path). An
    /// identity that is not a role's session (`role_session` false) is covered only by an entry
    /// naming it with an ARN.
    fn deployer_matches(entry: &str, key: &str, role_session: bool) -> bool {
        if key == entry {
            // A user recorded without an ARN is keyed by its bare name, which as an entry is a
            // role name: anyone who may create users could name one after a deploy role.
            return role_session || entry.contains(':');
        }
        let Some((session_prefix, role)) = key.split_once(":assumed-role/") else {
            return false;
        };
        if !entry.contains(':') {
            return entry == role;
        }
        let Some((role_prefix, path_and_name)) = entry.split_once(":role/") else {
            return false;
        };
        // `arn:aws:sts::111122223333` against `arn:aws:iam::111122223333`: the same partition and
        // account.
        path_and_name.rsplit('/').next() == Some(role)
            && partition_and_account(session_prefix) == partition_and_account(role_prefix)
    }

    /// The partition and the account of an ARN's prefix (`arn:aws:iam::111122223333`).
    fn partition_and_account(prefix: &str) -> (Option<&str>, Option<&str>) {
        (prefix.split(':').nth(1), prefix.rsplit(':').next())
    }

    /// The hashed lookup of known deployers agrees with the entry-by-entry matching it replaced,
    /// for every pair of these entries and keys (both kinds of identity).
    #[test]
    fn hashed_deployers_agree_with_matching_entry_by_entry() {
        let names = [
            "deploy",
            "deploy-prod",
            "AROAEXAMPLE",
            "arn:aws:iam::111122223333:role/deploy",
            "arn:aws:iam::111122223333:role/ci/deploy",
            "arn:aws-cn:iam::111122223333:role/deploy",
            "arn:aws:iam::999988887777:role/deploy",
            "arn:aws:iam::111122223333:user/deploy",
            "arn:aws:sts::111122223333:assumed-role/deploy",
            "arn:aws:sts::111122223333:assumed-role/a:b",
            "arn:aws:iam::111122223333:role/a:b",
            "x:role/deploy",
            "x:assumed-role/deploy",
            "arn:aws:iam::111122223333:role/",
            "",
            ":",
        ];
        // Keys beside the entries: the sessions of the roles above in other partitions and
        // accounts, so that each role entry is also seen covering something.
        let sessions = [
            "arn:aws-cn:sts::111122223333:assumed-role/deploy",
            "arn:aws:sts::999988887777:assumed-role/deploy",
            "arn:aws:sts::111122223333:assumed-role/deploy-prod",
            "arn:aws:sts::111122223333:assumed-role/AROAEXAMPLE",
        ];
        let keys: Vec<&str> = names.iter().chain(&sessions).copied().collect();
        let mut covered = 0;
        for entry in names {
            let mut deployers = Deployers::default();
            deployers.insert(entry);
            for &key in &keys {
                for role_session in [false, true] {
                    assert_eq!(
                        deployers.covers(key, role_session),
                        deployer_matches(entry, key, role_session),
                        "entry {entry:?}, key {key:?}, role session {role_session}"
                    );
                    covered += usize::from(deployers.covers(key, role_session));
                }
            }
        }
        // Each session above is covered by its role's name and by its role's ARN.
        assert!(covered > 2 * sessions.len(), "{covered}");
        // All of them at once, in either order: covered when one of them covers it.
        let mut all = Deployers::default();
        let mut reversed = Deployers::default();
        for entry in names {
            all.insert(entry);
        }
        for entry in names.iter().rev() {
            reversed.insert(entry);
        }
        for &key in &keys {
            for role_session in [false, true] {
                let expected = names.iter().any(|e| deployer_matches(e, key, role_session));
                assert_eq!(
                    all.covers(key, role_session),
                    expected,
                    "{key:?} {role_session}"
                );
                assert_eq!(
                    reversed.covers(key, role_session),
                    expected,
                    "{key:?} {role_session}"
                );
            }
        }
    }
}

/// `principal_key` finds a session's role by one backward pass over the ARN's bytes; it must
/// give what the text search it replaced gave (`rsplit_once('/')`, then `contains`), on every
/// input, not only on ARNs as AWS writes them.
mod principal_key_equivalence {
    use super::super::principal::principal_key;
    use aws_telemetry::Identity;
    use proptest::prelude::*;

    /// The key as it was worked out before the backward pass.
    fn reference(identity: &Identity) -> &str {
        let principal = identity.principal();
        if identity.kind == "AssumedRole"
            && let Some((role, _session)) = principal.rsplit_once('/')
            && role.contains(":assumed-role/")
        {
            return role;
        }
        if identity.principal_id.as_deref() == Some(principal)
            && principal.starts_with("AROA")
            && let Some((role, _session)) = principal.split_once(':')
        {
            return role;
        }
        principal
    }

    /// Every kind the key depends on, with `text` as the ARN and as the principal id alone.
    fn check(text: &str) {
        for kind in ["AssumedRole", "IAMUser", "AssumedRol", ""] {
            let with_arn = Identity::new(kind).with_arn(text);
            assert_eq!(
                principal_key(&with_arn),
                reference(&with_arn),
                "{kind} {text:?}"
            );
            let by_id = Identity::new(kind).with_principal_id(text);
            assert_eq!(principal_key(&by_id), reference(&by_id), "{kind} {text:?}");
        }
    }

    /// Pieces of session ARNs and near misses of the marker, which the fast check looks for
    /// just before the role's name.
    const PIECES: [&str; 10] = [
        ":assumed-role/",
        "assumed-role/",
        ":assumed-role",
        ":assumed-role//",
        "/",
        ":",
        "r",
        "é",
        "arn:aws:sts::1",
        "AROA",
    ];

    #[test]
    fn every_sequence_of_up_to_five_pieces() {
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| PIECES.iter().map(move |p| format!("{t}{p}")))
                .collect();
            for text in &longer {
                check(text);
            }
            texts = longer;
        }
        check("");
    }

    #[test]
    fn arns_as_aws_writes_them() {
        for text in [
            "arn:aws:sts::123456789012:assumed-role/app/i-0abc",
            "arn:aws:sts::123456789012:assumed-role/app/",
            "arn:aws-cn:sts::123456789012:assumed-role/ci/deploy/run-42",
            "arn:aws:sts::123456789012:assumed-role/app",
            "arn:aws:iam::123456789012:user/ci",
            "arn:aws:iam::123456789012:role/path/app",
            "arn:aws:sts::123456789012:federated-user/bob",
            "AROAEXAMPLE:session",
        ] {
            check(text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_text(text in ".{0,80}") {
            check(&text);
        }

        #[test]
        fn texts_made_of_arn_pieces(
            text in "((:assumed-role/)|(assumed-role)|/|:|[a-z0-9]|é|(AROA)){0,24}"
        ) {
            check(&text);
        }
    }
}
