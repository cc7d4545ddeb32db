//! `genesis rules`: check a rules config, print the language reference.

use genesis_engine::strategy::rules::{self, check_config_text};
use genesis_engine::strategy::{StrategyConfig, StrategyParams};
use serde_json::json;

use super::data::read_file;
use crate::cli::RulesCheckArgs;
use crate::error::CliError;

/// Prints the compiled program of a valid rules config, or every error (exit 2).
pub fn check(args: &RulesCheckArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    let bytes = read_file(&args.file)?;
    let text = String::from_utf8(bytes)
        .map_err(|err| CliError::input(format!("{file}: not UTF-8 text: {err}")))?;
    let errors = check_config_text(&text, &file);
    if !errors.is_empty() {
        if args.is_json {
            let doc = json!({
                "ok": false,
                "errors": errors.iter().map(|err| json!({
                    "message": err.to_string(),
                    "detail": err,
                })).collect::<Vec<_>>(),
            });
            println!("{doc}");
        } else {
            for err in &errors {
                eprintln!("{err}");
            }
        }
        let plural = if errors.len() == 1 { "" } else { "s" };
        return Err(CliError::Reported {
            exit_code: crate::error::EXIT_BAD_INPUT,
            message: format!("{file}: {} error{plural}", errors.len()),
        });
    }
    // The checks above passed, so the config parses; a failure here is a bug.
    let config = StrategyConfig::from_yaml_str(&text, &file)
        .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
    let StrategyParams::Rules(params) = config.params() else {
        return Err(CliError::input(format!("{file}: not a rules config")));
    };
    let compiled = &params.compiled;
    let program = &compiled.program;
    let rules: Vec<(String, String)> = compiled
        .rule_slots()
        .into_iter()
        .map(|(name, slot)| (name.to_owned(), format!("%{slot}")))
        .chain(
            compiled
                .plots
                .iter()
                .map(|(name, slot)| (format!("plots.{name}"), format!("%{slot}"))),
        )
        .collect();
    if args.is_json {
        let doc = json!({
            "ok": true,
            "fingerprint": config.fingerprint(),
            "program": (0..program.ops().len())
                .map(|slot| json!({"slot": slot, "op": program.text(slot), "warm_up": program.warm_up(slot)}))
                .collect::<Vec<_>>(),
            "rules": rules.iter().map(|(name, slot)| json!({"rule": name, "slot": slot})).collect::<Vec<_>>(),
        });
        println!("{doc}");
    } else {
        println!(
            "{file}: valid rules config ({} operations)",
            program.ops().len()
        );
        print!("{}", program.listing());
        for (name, slot) in &rules {
            println!("{name} = {slot}");
        }
    }
    Ok(())
}

/// Prints the language reference.
pub fn functions() -> Result<(), CliError> {
    print!("{}", rules::reference());
    Ok(())
}
