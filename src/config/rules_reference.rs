//! The rules language reference as the app shows it: every input, operator and function with
//! its signature, definition and warm-up, read from the engine (`rules::reference`,
//! `REFERENCE_OPERATORS`, `functions::FUNCTIONS`), so the panel is never a copy that drifts.

use genesis_engine::strategy::rules::functions::{Pane, FUNCTIONS};
use genesis_engine::strategy::rules::{program, reference, REFERENCE_OPERATORS};

/// One function of the reference.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionRow {
    pub signature: String,
    pub returns: &'static str,
    pub definition: &'static str,
    pub warm_up: &'static str,
    /// Where `plots` draws what it makes.
    pub pane: &'static str,
}

/// The reference's three parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// `(names, meaning)`: the engine's lines of inputs (`open high low close volume`, ...).
    pub inputs: Vec<(String, String)>,
    /// `(operators, meaning)`, loosest first.
    pub operators: Vec<(&'static str, &'static str)>,
    pub functions: Vec<FunctionRow>,
    /// The engine's closing note (undefined values make comparisons false).
    pub note: String,
}

/// The reference, from the engine.
pub fn rules_reference() -> Reference {
    let text = reference();
    // The inputs section of the engine's text: one line per group, names then meaning, the
    // two apart by a run of spaces.
    let inputs = text
        .lines()
        .skip_while(|line| !line.starts_with("INPUTS"))
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let line = line.trim();
            let gap = line.find("  ")?;
            Some((line[..gap].to_string(), line[gap..].trim().to_string()))
        })
        .collect();
    let note = text
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default()
        .to_string();
    Reference {
        inputs,
        operators: REFERENCE_OPERATORS.to_vec(),
        functions: FUNCTIONS
            .iter()
            .map(|info| FunctionRow {
                signature: info.signature(),
                returns: program::returns_text(info.returns),
                definition: info.definition,
                warm_up: info.warm_up,
                pane: match info.pane {
                    Pane::Price => "price",
                    Pane::Below => "below",
                },
            })
            .collect(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_operator_and_function_of_the_engine_is_listed() {
        let reference = rules_reference();
        for input in program::INPUTS {
            assert!(
                reference
                    .inputs
                    .iter()
                    .any(|(names, _)| names.split_whitespace().any(|n| n == input)),
                "{input} is not among {:?}",
                reference.inputs
            );
        }
        assert!(reference
            .inputs
            .iter()
            .all(|(_, meaning)| !meaning.is_empty()));
        assert_eq!(reference.operators, REFERENCE_OPERATORS);
        assert_eq!(reference.functions.len(), FUNCTIONS.len());
        let sma = &reference.functions[0];
        assert_eq!(sma.signature, "sma(series, length)");
        assert_eq!(
            (sma.returns, sma.warm_up, sma.pane),
            ("number", "length − 1", "price")
        );
        let rsi = reference
            .functions
            .iter()
            .find(|f| f.signature.starts_with("rsi("))
            .unwrap();
        assert_eq!(rsi.pane, "below");
        assert!(reference.note.contains("Undefined"), "{}", reference.note);
    }
}
