//! Two decisions about a file's times that only its data can settle: the day/month order of
//! dates written with the year last, and whether the rows run newest first.

use super::layout::Layout;
use super::timestamp::{order_evidence, DateOrder, OrderEvidence};

/// The day/month order to read year-last dates with, and the note saying why; `None` when
/// the first time is not a year-last date (year-first dates and unix numbers need no order).
///
/// `times` yields `(line, text)` for the time column, first row first; it is read only as
/// far as needed: to the first value that settles the order, or to the end when none does.
pub(crate) fn decide_date_order<'a>(
    mut times: impl Iterator<Item = (u64, &'a [u8])>,
    asked: Option<DateOrder>,
    layout: Layout,
) -> Option<(DateOrder, String)> {
    let (first_line, first_text) = times.next()?;
    let (first_evidence, separator) = order_evidence(first_text);
    if first_evidence == OrderEvidence::NotYearLast {
        return None;
    }
    let separator = separator as char;
    if let Some(order) = asked {
        return Some((
            order,
            format!(
                "dates read as {} ({order}), as the parse options ask (date order {})",
                order.pattern(separator),
                option_name(order)
            ),
        ));
    }
    let settled = std::iter::once((first_line, first_text))
        .chain(times)
        .find_map(|(line, text)| match order_evidence(text).0 {
            OrderEvidence::Settles(order) => Some((order, line, text)),
            _ => None,
        });
    if let Some((order, line, text)) = settled {
        return Some((
            order,
            format!(
                "dates read as {} ({order}): `{}` on line {line} can only be read that way",
                order.pattern(separator),
                String::from_utf8_lossy(text)
            ),
        ));
    }
    let (order, why) = match (layout, separator) {
        (Layout::Dukascopy, _) => (DateOrder::Dmy, "as Dukascopy writes dates".to_string()),
        (Layout::Investing, _) => (
            DateOrder::Mdy,
            "as Investing.com writes US dates".to_string(),
        ),
        (_, '/') => (
            DateOrder::Mdy,
            "the US custom for dates written with `/`".to_string(),
        ),
        _ => (
            DateOrder::Dmy,
            format!("the usual order of dates written with `{separator}`"),
        ),
    };
    let other = match order {
        DateOrder::Dmy => DateOrder::Mdy,
        DateOrder::Mdy => DateOrder::Dmy,
    };
    Some((
        order,
        format!(
            "no date settles the day/month order (none has a day above 12): read as {} ({order}), {why}; choose date order {} to read them {other}",
            order.pattern(separator),
            option_name(other)
        ),
    ))
}

/// The option's spelling (`--date-order dmy`, the app's choice `dmy`).
fn option_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "dmy",
        DateOrder::Mdy => "mdy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(texts: &[&str], asked: Option<DateOrder>, layout: Layout) -> Option<DateOrder> {
        let times = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u64 + 2, t.as_bytes()));
        decide_date_order(times, asked, layout).map(|(order, _)| order)
    }

    #[test]
    fn any_value_above_twelve_settles_the_order() {
        let dmy = ["05.05.2024 00:00", "06.05.2024 00:00", "13.05.2024 00:00"];
        assert_eq!(decide(&dmy, None, Layout::Generic), Some(DateOrder::Dmy));
        let mdy = ["05/05/2024", "05/06/2024", "05/13/2024"];
        // Settled by the data even against the layout's custom.
        assert_eq!(decide(&mdy, None, Layout::Dukascopy), Some(DateOrder::Mdy));
        let (_, note) = decide_date_order(
            mdy.iter()
                .enumerate()
                .map(|(i, t)| (i as u64 + 2, t.as_bytes())),
            None,
            Layout::Generic,
        )
        .unwrap();
        assert!(note.contains("`05/13/2024` on line 4"), "{note}");
    }

    #[test]
    fn an_unsettled_order_follows_the_layout_or_the_separator_and_says_so() {
        let dots = ["05.05.2024", "06.05.2024"];
        assert_eq!(decide(&dots, None, Layout::Generic), Some(DateOrder::Dmy));
        let slashes = ["05/05/2024", "05/06/2024"];
        assert_eq!(
            decide(&slashes, None, Layout::Generic),
            Some(DateOrder::Mdy)
        );
        assert_eq!(decide(&dots, None, Layout::Investing), Some(DateOrder::Mdy));
        let (_, note) = decide_date_order(
            dots.iter().map(|t| (2, t.as_bytes())),
            None,
            Layout::Generic,
        )
        .unwrap();
        assert!(note.contains("no date settles"), "{note}");
        assert!(note.contains("mdy"), "{note}");
    }

    #[test]
    fn the_asked_order_wins_and_year_first_dates_need_none() {
        let dots = ["13.05.2024"];
        assert_eq!(
            decide(&dots, Some(DateOrder::Mdy), Layout::Generic),
            Some(DateOrder::Mdy)
        );
        assert_eq!(decide(&["2024-05-13"], None, Layout::Generic), None);
        assert_eq!(decide(&["1704067200"], None, Layout::Generic), None);
        assert_eq!(decide(&[], None, Layout::Generic), None);
    }
}
