//! Trials as CSV (RFC 4180 quoting), one row per trial in number order. Columns follow
//! Optuna's `trials_dataframe`: the trial's own fields, then `params_<path>` for each
//! parameter of the space, then `user_attrs_<key>` for every user attribute key in the study
//! (non-scalar attributes as JSON).

use std::collections::BTreeSet;

use crate::journal::StudyLog;

fn field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn row(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, f);
    }
    out.push('\n');
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The study's trials as CSV text.
pub fn to_csv(log: &StudyLog) -> String {
    let param_paths: Vec<&str> = log
        .header
        .space
        .params()
        .iter()
        .map(|p| p.path.as_str())
        .collect();
    let attr_keys: BTreeSet<&str> = log
        .trials
        .iter()
        .flat_map(|t| t.user_attrs.keys().map(String::as_str))
        .collect();
    let mut header: Vec<String> = [
        "number",
        "state",
        "value",
        "feasible",
        "constraint_violations",
        "duplicate_of",
        "pruned_at_step",
        "last_step",
        "last_intermediate",
        "fail_reason",
        "started_ms",
        "finished_ms",
        "duration_ms",
        "worker",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(param_paths.iter().map(|p| format!("params_{p}")));
    header.extend(attr_keys.iter().map(|k| format!("user_attrs_{k}")));
    let mut out = String::new();
    row(&mut out, &header);
    for trial in &log.trials {
        let last = trial.last_intermediate();
        let mut fields = vec![
            trial.number.to_string(),
            trial.state.to_string(),
            opt(trial.value),
            trial.is_feasible().to_string(),
            trial.constraint_violations.join("; "),
            opt(trial.duplicate_of),
            opt(trial.pruned_at_step),
            opt(last.map(|(s, _)| s)),
            opt(last.map(|(_, v)| v)),
            trial.fail_reason.clone().unwrap_or_default(),
            opt(trial.timing.map(|t| t.started_ms)),
            opt(trial.timing.map(|t| t.finished_ms)),
            opt(trial.timing.map(|t| t.duration_ms())),
            opt(trial.timing.map(|t| t.worker)),
        ];
        fields.extend(
            param_paths
                .iter()
                .map(|p| opt(trial.params.get(*p).map(|v| v.to_string()))),
        );
        fields.extend(attr_keys.iter().map(|k| match trial.user_attrs.get(*k) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }));
        row(&mut out, &fields);
    }
    out
}
