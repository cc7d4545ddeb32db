//! `genesis data inspect` and `genesis data synth`.

use std::io::Write;
use std::path::Path;

use genesis_engine::data::synth::{generate, SynthParams};
use genesis_engine::data::timestamp::{format_iso_ms, parse_timestamp};
use genesis_engine::data::{
    format_timeframe, parse, parse_timeframe, write_csv, DataError, DatasetMeta, DateOrder, Format,
    ParseOptions, ParseReport, Parsed, TimeFormat, TimeUnit, MAX_LISTED_PROBLEMS,
};

use crate::cli::{DateOrderChoice, InspectArgs, ParseArgs, SynthArgs};
use crate::error::CliError;

/// Reads a whole file; a missing or unreadable file is bad input.
pub fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path)
        .map_err(|err| CliError::input(format!("{}: cannot read: {err}", path.display())))
}

/// The parser's options from the command line's `--lenient` and `--date-order`.
pub fn parse_options(args: &ParseArgs) -> ParseOptions {
    let mut options = if args.is_lenient {
        ParseOptions::lenient()
    } else {
        ParseOptions::default()
    };
    options.date_order = args.date_order.map(|choice| match choice {
        DateOrderChoice::Dmy => DateOrder::Dmy,
        DateOrderChoice::Mdy => DateOrder::Mdy,
    });
    options
}

pub fn inspect(args: &InspectArgs) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    let bytes = read_file(&args.file)?;
    let options = parse_options(&args.parse);
    let parsed = parse(&bytes, &options).map_err(|err| rejection(&file, &err))?;
    let meta = DatasetMeta::new(&file, &parsed.candles);
    if args.is_json {
        let doc = serde_json::json!({
            "ok": true,
            "file": file,
            "meta": meta,
            "report": parsed.report,
        });
        println!("{doc}");
    } else {
        print!("{}", describe(&file, &meta, &parsed));
    }
    Ok(())
}

/// A rejected file: the error's message lists the first problems with their lines.
fn rejection(file: &str, err: &DataError) -> CliError {
    let mut error = CliError::input_in(file, err);
    if let (DataError::Rejected { n_problems, .. }, CliError::Input { message, .. }) =
        (err, &mut error)
    {
        if *n_problems > MAX_LISTED_PROBLEMS {
            message.push_str(&format!(
                "\n  ... and {} more",
                n_problems - MAX_LISTED_PROBLEMS
            ));
        }
    }
    error
}

fn describe(file: &str, meta: &DatasetMeta, parsed: &Parsed) -> String {
    let report = &parsed.report;
    let mut out = String::new();
    let mut line = |key: &str, value: String| out.push_str(&format!("{key:<11} {value}\n"));
    line("file", file.to_string());
    line(
        "layout",
        format!("{} ({})", report.layout, container(report)),
    );
    line(
        "time",
        match report.date_order {
            Some(order) => format!("{}, {order}", time_format(report.time_format)),
            None => time_format(report.time_format),
        },
    );
    line(
        "bars",
        format!(
            "{} ({} rows read, {} dropped, {} blank lines)",
            report.n_bars,
            report.n_rows_read,
            report.dropped.len(),
            report.n_blank_lines
        ),
    );
    line("first", format_iso_ms(report.first_ts_ms));
    line("last", format_iso_ms(report.last_ts_ms));
    line(
        "timeframe",
        format!(
            "{} ({} ms, median spacing)",
            meta.timeframe, report.timeframe_ms
        ),
    );
    let gaps = &report.gaps;
    line(
        "gaps",
        if gaps.n_gaps == 0 {
            "none".to_string()
        } else {
            let after_ts_ms = parsed
                .candles
                .ts_ms()
                .get(gaps.largest_after_row)
                .copied()
                .unwrap_or(0);
            format!(
                "{} (largest {} after {})",
                gaps.n_gaps,
                format_timeframe(gaps.largest_ms),
                format_iso_ms(after_ts_ms)
            )
        },
    );
    let columns: Vec<String> = report
        .columns
        .iter()
        .map(|c| match c.column {
            Some(column) => format!("{} <- {} (column {column})", c.field, c.name),
            None => format!("{} <- {}", c.field, c.name),
        })
        .collect();
    line("columns", columns.join(", "));
    if !report.ignored_columns.is_empty() {
        line("ignored", report.ignored_columns.join(", "));
    }
    for note in &report.notes {
        line("note", note.clone());
    }
    line(
        "symbol",
        meta.symbol
            .clone()
            .unwrap_or_else(|| "(unknown)".to_string()),
    );
    line("hash", meta.hash.to_string());
    if !report.dropped.is_empty() {
        out.push_str(&format!("dropped rows ({}):\n", report.dropped.len()));
        for problem in &report.dropped {
            out.push_str(&format!("  {problem}\n"));
        }
    }
    out
}

fn container(report: &ParseReport) -> String {
    let mut parts = vec![match report.format {
        Format::Csv => format!(
            "CSV, delimiter {}",
            match report.delimiter.as_deref() {
                Some("\t") => "tab".to_string(),
                Some(d) => format!("'{d}'"),
                None => "?".to_string(),
            }
        ),
        Format::JsonArrays => "JSON array of arrays".to_string(),
        Format::JsonObjects => "JSON array of objects".to_string(),
    }];
    if report.format == Format::Csv {
        parts.push(
            if report.has_header {
                "header"
            } else {
                "no header"
            }
            .to_string(),
        );
    }
    if report.is_gzip {
        parts.push("gzip".to_string());
    }
    if report.has_bom {
        parts.push("UTF-8 BOM".to_string());
    }
    parts.join(", ")
}

fn time_format(format: TimeFormat) -> String {
    match format {
        TimeFormat::Unix(TimeUnit::Seconds) => "unix seconds".to_string(),
        TimeFormat::Unix(TimeUnit::Millis) => "unix milliseconds".to_string(),
        TimeFormat::Unix(TimeUnit::Micros) => "unix microseconds (truncated to ms)".to_string(),
        TimeFormat::Unix(TimeUnit::Nanos) => "unix nanoseconds (truncated to ms)".to_string(),
        TimeFormat::Text => "dates (zone-less times read as UTC)".to_string(),
        TimeFormat::DateAndTime => "date and time columns (read as UTC)".to_string(),
    }
}

pub fn synth(args: &SynthArgs) -> Result<(), CliError> {
    let timeframe_ms = parse_timeframe(&args.timeframe).ok_or_else(|| {
        CliError::input(format!(
            "--timeframe: `{}` is not a timeframe (try 1m, 15m, 1h, 4h, 1d)",
            args.timeframe
        ))
    })?;
    let start_ts_ms = parse_timestamp(&args.start).ok_or_else(|| {
        CliError::input(format!(
            "--start: `{}` is not a time (try 2024-01-01T00:00:00Z or unix seconds)",
            args.start
        ))
    })?;
    let params = SynthParams {
        n_bars: args.n_bars,
        timeframe_ms,
        seed: args.seed,
        start_ts_ms,
        start_price: args.start_price,
    };
    let candles =
        generate(&params).map_err(|err| CliError::input(format!("--bars/--start-price: {err}")))?;
    if args.out.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        write_csv(&candles, &mut lock)?;
        lock.flush()?;
    } else {
        let file = std::fs::File::create(&args.out).map_err(|err| {
            CliError::input(format!("{}: cannot create: {err}", args.out.display()))
        })?;
        let mut writer = std::io::BufWriter::new(file);
        write_csv(&candles, &mut writer)?;
        writer.flush()?;
        eprintln!(
            "wrote {} bars ({} from {}, seed {}) to {}; dataset hash {}",
            candles.len(),
            format_timeframe(timeframe_ms),
            format_iso_ms(start_ts_ms),
            args.seed,
            args.out.display(),
            candles.content_hash()
        );
    }
    Ok(())
}
