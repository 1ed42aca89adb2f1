//! F4's unit tests: the principal's hasher and habits, and the bounds on what it keeps.

mod unit {
    use std::hash::BuildHasherDefault;

    use super::super::principal::KeyHasher;
    use super::super::*;
    use aws_telemetry::Identity;
    use chrono::TimeZone;

    /// The hasher as it was first written: each chunk of 8 bytes copied into a zeroed word.
    fn hash_by_copied_chunks(mut state: u64, bytes: &[u8]) -> u64 {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            state = (state.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        state
    }

    #[test]
    fn key_hasher_mixes_the_same_words_as_copied_chunks() {
        use std::hash::{BuildHasher, Hasher};
        // The map's iteration order (which principals an eviction at the cap drops first among
        // equally idle ones) follows the hash values: they must not change.
        let arn = "arn:aws:sts::123456789012:assumed-role/deploy-é/i-0abc";
        for end in 0..=arn.len() {
            let bytes = &arn.as_bytes()[..end];
            let mut hasher = KeyHasher::default();
            hasher.write(bytes);
            assert_eq!(
                hasher.finish(),
                hash_by_copied_chunks(0, bytes),
                "{end} bytes"
            );
        }
        // A `str` key: its bytes, then the 0xff that `Hash for str` appends.
        for key in ["", "ci", "arn:aws:iam::123456789012:user/alice", arn] {
            let expected = hash_by_copied_chunks(hash_by_copied_chunks(0, key.as_bytes()), &[0xff]);
            let hashed = BuildHasherDefault::<KeyHasher>::default().hash_one(key);
            assert_eq!(hashed, expected, "{key}");
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
