//! Composite alarm rules: `ALARM("x")`, `OK("x")`, `INSUFFICIENT_DATA("x")`, `AND`, `OR`,
//! `NOT`, parentheses.

use std::collections::HashMap;

use super::AlarmState;
use super::expr::{MathError, Parser};

/// A composite rule: `ALARM("x")`, `OK("x")`, `AND`, `OR`, `NOT`, parentheses.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Rule {
    State(AlarmState, String),
    Not(Box<Self>),
    And(Box<Self>, Box<Self>),
    Or(Box<Self>, Box<Self>),
}

pub(super) fn parse_rule(text: &str) -> Result<Rule, MathError> {
    fn or(p: &mut Parser<'_>) -> Result<Rule, MathError> {
        let mut left = and(p)?;
        while p.eat("OR") {
            left = Rule::Or(Box::new(left), Box::new(and(p)?));
        }
        Ok(left)
    }
    fn and(p: &mut Parser<'_>) -> Result<Rule, MathError> {
        let mut left = unary(p)?;
        while p.eat("AND") {
            left = Rule::And(Box::new(left), Box::new(unary(p)?));
        }
        Ok(left)
    }
    fn unary(p: &mut Parser<'_>) -> Result<Rule, MathError> {
        p.depth += 1;
        if p.depth > 64 {
            return Err(p.err("nested too deeply"));
        }
        let out = if p.eat("NOT") {
            Ok(Rule::Not(Box::new(unary(p)?)))
        } else if p.eat("(") {
            let r = or(p)?;
            if p.eat(")") {
                Ok(r)
            } else {
                Err(p.err("expected )"))
            }
        } else {
            let state = if p.eat("ALARM") {
                AlarmState::Alarm
            } else if p.eat("OK") {
                AlarmState::Ok
            } else if p.eat("INSUFFICIENT_DATA") {
                AlarmState::InsufficientData
            } else {
                return Err(p.err("expected ALARM, OK, INSUFFICIENT_DATA, NOT or ("));
            };
            if !p.eat("(\"") {
                return Err(p.err("expected (\""));
            }
            let start = p.at;
            while p.chars.get(p.at).is_some_and(|c| *c != '"') {
                p.at += 1;
            }
            let name: String = p.chars[start..p.at].iter().collect();
            if !p.eat("\")") {
                return Err(p.err("expected \")"));
            }
            Ok(Rule::State(state, name))
        };
        p.depth -= 1;
        out
    }
    let mut p = Parser {
        text,
        chars: text.chars().collect(),
        at: 0,
        depth: 0,
    };
    let r = or(&mut p)?;
    p.skip();
    if p.at != p.chars.len() {
        return Err(p.err("unexpected text after the rule"));
    }
    Ok(r)
}

pub(super) fn rule_holds(
    rule: &Rule,
    states: &HashMap<String, AlarmState>,
) -> Result<bool, MathError> {
    Ok(match rule {
        Rule::State(state, name) => {
            let current = states
                .get(name)
                .ok_or_else(|| MathError::UnknownId { id: name.clone() })?;
            current == state
        }
        Rule::Not(r) => !rule_holds(r, states)?,
        Rule::And(a, b) => rule_holds(a, states)? && rule_holds(b, states)?,
        Rule::Or(a, b) => rule_holds(a, states)? || rule_holds(b, states)?,
    })
}
