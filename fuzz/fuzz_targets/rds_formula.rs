//! `aws_telemetry::evaluate_max_connections` (an RDS parameter group's `max_connections`
//! formula, text read from `DescribeDBParameters`) on arbitrary text, for the memory of an
//! instance class named by the input or an extreme: a positive finite number of connections,
//! or a typed error at a byte position inside the formula; never a panic, a stack overflow or
//! a hang. `instance_class_memory` takes any class name.
#![no_main]

use aws_telemetry::{FormulaError, evaluate_max_connections, instance_class_memory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // "class\nformula": the class sets the memory; without a line break, the whole text is
    // the formula.
    let (class, formula) = text.split_once('\n').unwrap_or(("", text));
    let memory = match pick % 4 {
        0 => instance_class_memory(class).unwrap_or(16 << 30),
        1 => 0,
        2 => u64::MAX,
        _ => u64::from(pick),
    };
    match evaluate_max_connections(formula, memory) {
        Ok(value) => assert!(value.is_finite() && value > 0.0, "{formula:?} gave {value}"),
        Err(
            FormulaError::Unsupported { position, .. }
            | FormulaError::DivisionByZero { position, .. },
        ) => assert!(
            position <= formula.len(),
            "{formula:?}: position {position}"
        ),
        Err(FormulaError::NotPositive { value, .. }) => {
            assert!(
                !(value.is_finite() && value > 0.0),
                "{formula:?}: refused {value}"
            )
        }
        Err(_) => {}
    }
});
