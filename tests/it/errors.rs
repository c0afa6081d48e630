//! Every class of bad input: exit code 2, one line naming file, key, line and what is allowed,
//! and nothing written.

use crate::support::*;

/// Runs `pact run` on `text` (written as `bad.toml`, beside any `extra` files) and checks the
/// exit code, that the message is one line containing every `needle`, and that no output exists.
fn check(text: &str, extra: &[(&str, &str)], args: &[&str], needles: &[&str]) {
    let d = Dir::new();
    for (n, t) in extra {
        d.write(n, t);
    }
    let s = d.write("bad.toml", text);
    let out = d.path("out");
    let mut a = vec!["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()];
    a.extend(args);
    let o = pact(&a);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` not in: {err}");
    }
    assert!(!out.exists(), "output written despite the error");
}

#[test]
fn missing_file() {
    let d = Dir::new();
    let o = pact(&[
        "run",
        d.path("nope.toml").to_str().unwrap(),
        "--out",
        d.path("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.toml") && stderr(&o).contains("cannot read"));
    assert!(!d.path("out").exists());
}

#[test]
fn syntax_error() {
    check("[run]\nseed = = 3\n", &[], &[], &["bad.toml:2", "run.seed"]);
}

#[test]
fn unknown_key() {
    check(
        "[policy]\nrepresion = 2.0\n",
        &[],
        &[],
        &[
            "bad.toml:2",
            "policy.represion",
            "unknown field",
            "repression",
        ],
    );
}

#[test]
fn unknown_table() {
    check(
        "[polcy]\nrepression = 2.0\n",
        &[],
        &[],
        &["bad.toml:1", "polcy", "unknown field"],
    );
}

#[test]
fn wrong_type() {
    check(
        "[run]\nscale = \"big\"\n",
        &[],
        &[],
        &["bad.toml:2", "run.scale", "invalid type"],
    );
}

#[test]
fn bad_enum_value() {
    check(
        "[policy]\nregime = \"capitalism\"\n",
        &[],
        &[],
        &["bad.toml:2", "policy.regime", "war_communism", "nep"],
    );
}

#[test]
fn out_of_range() {
    check(
        "[policy]\nration_equality = 1.5\n",
        &[],
        &[],
        &["bad.toml:2", "policy.ration_equality", "allowed 0 to 1"],
    );
}

#[test]
fn malformed_date() {
    check(
        "[run]\nstart = \"1920-13-01\"\n",
        &[],
        &[],
        &["bad.toml:2", "run.start", "YYYY-MM-DD"],
    );
}

#[test]
fn end_before_start() {
    check(
        "[run]\nstart = \"1921-01-01\"\nend = \"1920-01-01\"\n",
        &[],
        &[],
        &["bad.toml:3", "run.end", "not after"],
    );
}

#[test]
fn events_out_of_order() {
    let text = "[[event]]\nid = \"b\"\ndate = \"1921-03-01\"\n\n[[event]]\nid = \"a\"\ndate = \"1921-01-01\"\n";
    check(
        text,
        &[],
        &[],
        &["bad.toml:7", "event.a.date", "out of order"],
    );
}

#[test]
fn event_outside_the_run() {
    let text = "[run]\nend = \"1921-12-31\"\n\n[[event]]\nid = \"late\"\ndate = \"1924-01-28\"\nenrolment = 0.1\n";
    check(
        text,
        &[],
        &[],
        &["bad.toml:6", "event.late.date", "outside the run"],
    );
}

#[test]
fn event_policy_out_of_range() {
    let text = "[[event]]\nid = \"x\"\ndate = \"1921-01-01\"\npolicy = { repression = -1.0 }\n";
    check(
        text,
        &[],
        &[],
        &["bad.toml:4", "event.x.policy.repression", "allowed 0 to 20"],
    );
}

#[test]
fn event_policy_unknown_key() {
    let text = "[[event]]\nid = \"x\"\ndate = \"1921-01-01\"\npolicy = { nep = true }\n";
    check(
        text,
        &[],
        &[],
        &["bad.toml:4", "event.x.policy", "unknown field `nep`"],
    );
}

#[test]
fn extends_cycle() {
    check(
        "extends = \"other.toml\"\n",
        &[("other.toml", "extends = \"bad.toml\"\n")],
        &[],
        &["extends", "cycle"],
    );
}

#[test]
fn extends_missing_parent() {
    check(
        "extends = \"absent.toml\"\n",
        &[],
        &[],
        &["bad.toml:1", "extends", "absent.toml", "not found"],
    );
}

#[test]
fn error_in_parent_names_the_parent() {
    check(
        "extends = \"parent.toml\"\n",
        &[("parent.toml", "[policy]\nprivilege = 0.5\n")],
        &[],
        &["parent.toml:2", "policy.privilege", "allowed 1 to 100"],
    );
}

#[test]
fn replicates_zero_in_file_and_flag() {
    check(
        "[run]\nreplicates = 0\n",
        &[],
        &[],
        &["bad.toml:2", "run.replicates", "allowed 1 to 100000"],
    );
    check(
        "",
        &[],
        &["--replicates", "0"],
        &["--replicates", "allowed 1 to 100000"],
    );
}

#[test]
fn scale_out_of_range_in_file_and_flag() {
    check(
        "[run]\nscale = 10\n",
        &[],
        &[],
        &["bad.toml:2", "run.scale", "allowed 1000 to 5000000"],
    );
    check(
        "",
        &[],
        &["--scale", "9000000"],
        &["--scale", "allowed 1000 to 5000000"],
    );
}

#[test]
fn shares_must_sum_to_one() {
    check(
        "[workplaces]\nlarge_share = 0.9\n",
        &[],
        &[],
        &["bad.toml:2", "workplaces.large_share", "sum to 1"],
    );
}

#[test]
fn threads_zero() {
    check(
        "",
        &[],
        &["--threads", "0"],
        &["--threads", "allowed 1 to 1024"],
    );
}

#[test]
fn unknown_mechanism_names_the_nearest() {
    check(
        "[run]\nscale = 1000\n[mechanisms]\noff = [\"outrag\"]\n",
        &[],
        &[],
        &[
            "bad.toml:4",
            "mechanisms.off",
            "`outrag`",
            "nearest: `outrage`",
        ],
    );
}

#[test]
fn regression_renamed_mechanism_named_a_stranger() {
    // `cell_persuasion` (before 0.4.0) was refused with "nearest: `inclusion`": it is part of
    // `factory_cells` now, and the error says so.
    check(
        "[run]\nscale = 1000\n[mechanisms]\noff = [\"cell_persuasion\"]\n",
        &[],
        &[],
        &[
            "bad.toml:4",
            "mechanisms.off",
            "`cell_persuasion`",
            "part of `factory_cells`",
        ],
    );
}

#[test]
fn reserves_rate_of_zero_is_out_of_range() {
    // A rate of 0 would freeze every household's consumption at the first week's.
    check(
        "[run]\nscale = 1000\n[mechanisms]\nreserves_rate = 0.0\n",
        &[],
        &[],
        &[
            "bad.toml:4",
            "mechanisms.reserves_rate",
            "allowed 0.01 to 1",
        ],
    );
}
