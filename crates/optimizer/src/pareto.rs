//! Pareto fronts over losses (every objective lower-is-better): non-domination ranks, the
//! front, hypervolume and the greedy hypervolume subset selection, written from Optuna 5's
//! `_fast_non_domination_rank`, `_is_pareto_front`, `compute_hypervolume` and `_solve_hssp`
//! so that the same points give the same answers (the interop tests hold them to it).
//!
//! Points are rows of equal length. Values must be comparable (no NaN): the study fails a
//! trial whose objective is not finite before it reaches here.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::journal::StudyLog;
use crate::settings::Direction;
use crate::trial::TrialRecord;

/// What Optuna adds to a reference coordinate that would be exactly 0.
const EPS: f64 = 1e-12;

/// Rows in lexicographic order, `-0.0` equal to `0.0` as NumPy has it; a total order even
/// for rows of different lengths (shorter first on a common prefix), so no input can upset
/// a sort.
fn compare_rows(a: &[f64], b: &[f64]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            if x == y {
                Ordering::Equal
            } else {
                x.total_cmp(y)
            }
        })
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// The distinct rows in lexicographic order, and for every input row the index of its
/// distinct row (NumPy's `unique(axis=0, return_inverse=True)`).
fn unique_lexsorted(points: &[Vec<f64>]) -> (Vec<Vec<f64>>, Vec<usize>) {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| compare_rows(&points[a], &points[b]).then(a.cmp(&b)));
    let mut unique: Vec<Vec<f64>> = Vec::new();
    let mut inverse = vec![0; points.len()];
    for &i in &order {
        let is_new = unique
            .last()
            .is_none_or(|last| compare_rows(last, &points[i]).is_ne());
        if is_new {
            unique.push(points[i].clone());
        }
        inverse[i] = unique.len() - 1;
    }
    (unique, inverse)
}

/// Which rows of distinct, lexicographically sorted `points` are on the Pareto front. With
/// rows that are only sorted by their first coordinate, every `false` is still right.
fn front_of_sorted(points: &[Vec<f64>]) -> Vec<bool> {
    let n = points.len();
    let mut on_front = vec![false; n];
    let Some(width) = points.first().map(Vec::len) else {
        return on_front;
    };
    match width {
        1 => on_front[0] = true,
        2 => {
            let mut best = f64::INFINITY;
            for (i, point) in points.iter().enumerate() {
                // A row is on the front when it sets a new minimum of the second coordinate.
                let y = point.get(1).copied().unwrap_or(f64::INFINITY);
                on_front[i] = i == 0 || y < best;
                best = best.min(y);
            }
        }
        _ => {
            let mut remaining: Vec<usize> = (0..n).collect();
            while let Some(&top) = remaining.first() {
                on_front[top] = true;
                let rest = |row: &[f64]| row.get(1..).unwrap_or(&[]).to_vec();
                let top_rest = rest(&points[top]);
                remaining.retain(|&r| rest(&points[r]).iter().zip(&top_rest).any(|(a, b)| a < b));
            }
        }
    }
    on_front
}

/// Which of `points` are on the Pareto front (not dominated by another; equal points are
/// all on it or all off it).
pub fn pareto_front(points: &[Vec<f64>]) -> Vec<bool> {
    let (unique, inverse) = unique_lexsorted(points);
    let on_front = front_of_sorted(&unique);
    inverse.iter().map(|&u| on_front[u]).collect()
}

/// Non-domination ranks without constraints (Optuna's `_calculate_nondomination_rank`):
/// exact for the best `n_below` points, the rest share the next rank.
fn plain_ranks(points: &[Vec<f64>], n_below: i64) -> Vec<usize> {
    if points.is_empty() || n_below <= 0 {
        return vec![0; points.len()];
    }
    let (unique, inverse) = unique_lexsorted(points);
    if unique[0].len() == 1 {
        // One objective: the dense rank of the value.
        return inverse;
    }
    let n_unique = unique.len();
    let n_below = (n_below as usize).min(n_unique);
    let mut ranks = vec![0; n_unique];
    let mut remaining: Vec<usize> = (0..n_unique).collect();
    let mut rank = 0;
    while n_unique - remaining.len() < n_below {
        let rows: Vec<Vec<f64>> = remaining.iter().map(|&i| unique[i].clone()).collect();
        let on_front = front_of_sorted(&rows);
        let mut kept = Vec::with_capacity(remaining.len());
        for (&i, &front) in remaining.iter().zip(&on_front) {
            if front {
                ranks[i] = rank;
            } else {
                kept.push(i);
            }
        }
        remaining = kept;
        rank += 1;
    }
    for &i in &remaining {
        ranks[i] = rank;
    }
    inverse.iter().map(|&u| ranks[u]).collect()
}

/// Non-domination ranks, 0 best (Optuna's `_fast_non_domination_rank`). With `penalties`
/// (a point is feasible when its penalty is at most 0), the feasible points are ranked
/// first among themselves, then the infeasible ones by penalty alone. Ranks are exact for
/// the best `n_below` points (all when `None`); worse ones share a rank below them.
pub fn nondomination_ranks(
    points: &[Vec<f64>],
    penalties: Option<&[f64]>,
    n_below: Option<usize>,
) -> Vec<usize> {
    if points.is_empty() {
        return Vec::new();
    }
    let n_below = match n_below {
        Some(n) if n > 0 => n as i64,
        _ => points.len() as i64,
    };
    let Some(penalties) = penalties else {
        return plain_ranks(points, n_below);
    };
    // A point without a penalty counts as feasible.
    let penalty = |i: usize| penalties.get(i).copied().unwrap_or(0.0);
    let feasible: Vec<usize> = (0..points.len()).filter(|&i| penalty(i) <= 0.0).collect();
    let infeasible: Vec<usize> = (0..points.len()).filter(|&i| penalty(i) > 0.0).collect();
    let mut ranks = vec![0; points.len()];
    let feasible_points: Vec<Vec<f64>> = feasible.iter().map(|&i| points[i].clone()).collect();
    let feasible_ranks = plain_ranks(&feasible_points, n_below);
    for (&i, &r) in feasible.iter().zip(&feasible_ranks) {
        ranks[i] = r;
    }
    let top = feasible_ranks.iter().max().map_or(0, |r| r + 1);
    let penalty_points: Vec<Vec<f64>> = infeasible.iter().map(|&i| vec![penalty(i)]).collect();
    let infeasible_ranks = plain_ranks(&penalty_points, n_below - feasible.len() as i64);
    for (&i, &r) in infeasible.iter().zip(&infeasible_ranks) {
        ranks[i] = top + r;
    }
    ranks
}

/// The reference point Optuna's TPE takes for a set of losses: each coordinate's worst
/// value moved 10 % further away (and 0 made a tiny positive number).
pub fn reference_point(points: &[Vec<f64>]) -> Vec<f64> {
    let width = points.first().map_or(0, Vec::len);
    (0..width)
        .map(|j| {
            let worst = points
                .iter()
                .map(|p| p[j])
                .fold(f64::NEG_INFINITY, f64::max);
            let r = (1.1 * worst).max(0.9 * worst);
            if r == 0.0 {
                EPS
            } else {
                r
            }
        })
        .collect()
}

/// The hypervolume `points` dominate up to `reference` (Optuna's `compute_hypervolume`):
/// exact in every dimension. `None` when a point is not at or below the reference in every
/// coordinate; infinite when the reference is.
pub fn hypervolume(points: &[Vec<f64>], reference: &[f64]) -> Option<f64> {
    if points
        .iter()
        .any(|p| p.len() != reference.len() || p.iter().zip(reference).any(|(v, r)| v > r))
    {
        return None;
    }
    if reference.iter().any(|r| !r.is_finite()) {
        return Some(f64::INFINITY);
    }
    if points.is_empty() {
        return Some(0.0);
    }
    let (unique, _) = unique_lexsorted(points);
    let on_front = front_of_sorted(&unique);
    let front: Vec<Vec<f64>> = unique
        .into_iter()
        .zip(on_front)
        .filter_map(|(p, f)| f.then_some(p))
        .collect();
    Some(hypervolume_of_sorted(&front, reference))
}

/// The hypervolume of points sorted by their first coordinate (a Pareto front, or close to
/// one: dominated points change nothing but the time taken).
fn hypervolume_of_sorted(sorted: &[Vec<f64>], reference: &[f64]) -> f64 {
    let hv = match reference.len() {
        2 => hypervolume_2d(sorted, reference),
        3 => hypervolume_3d(sorted, reference),
        _ => hypervolume_nd(sorted, reference),
    };
    if hv.is_finite() {
        hv
    } else {
        f64::INFINITY
    }
}

fn hypervolume_2d(sorted: &[Vec<f64>], reference: &[f64]) -> f64 {
    let mut diag_y = reference[1];
    let mut total = 0.0;
    for point in sorted {
        total += (reference[0] - point[0]) * (diag_y - point[1]);
        diag_y = point[1];
    }
    total
}

/// Optuna's O(n²) sweep: with the points in x order and their y ranks as columns, the
/// dominated height over each (x, y) cell is a running maximum down the rows then along the
/// columns.
fn hypervolume_3d(sorted: &[Vec<f64>], reference: &[f64]) -> f64 {
    let n = sorted.len();
    let mut y_order: Vec<usize> = (0..n).collect();
    y_order.sort_by(|&a, &b| sorted[a][1].total_cmp(&sorted[b][1]).then(a.cmp(&b)));
    let mut z_delta = vec![0.0; n * n];
    for (column, &row) in y_order.iter().enumerate() {
        z_delta[row * n + column] = reference[2] - sorted[row][2];
    }
    for row in 1..n {
        for column in 0..n {
            z_delta[row * n + column] =
                z_delta[row * n + column].max(z_delta[(row - 1) * n + column]);
        }
    }
    for row in 0..n {
        for column in 1..n {
            z_delta[row * n + column] =
                z_delta[row * n + column].max(z_delta[row * n + column - 1]);
        }
    }
    let y_delta: Vec<f64> = (0..n)
        .map(|j| {
            let next = y_order.get(j + 1).map_or(reference[1], |&r| sorted[r][1]);
            next - sorted[y_order[j]][1]
        })
        .collect();
    let mut total = 0.0;
    for row in 0..n {
        let next_x = sorted.get(row + 1).map_or(reference[0], |p| p[0]);
        let area: f64 = (0..n).map(|j| z_delta[row * n + j] * y_delta[j]).sum();
        total += area * (next_x - sorted[row][0]);
    }
    total
}

fn inclusive_volume(point: &[f64], reference: &[f64]) -> f64 {
    point.iter().zip(reference).map(|(v, r)| r - v).product()
}

/// WFG (While et al., "A Fast Way of Calculating Exact Hypervolumes"), as Optuna runs it for
/// four objectives and more.
fn hypervolume_nd(sorted: &[Vec<f64>], reference: &[f64]) -> f64 {
    match sorted {
        [] => 0.0,
        [one] => inclusive_volume(one, reference),
        [a, b] => {
            let both: Vec<f64> = a.iter().zip(b).map(|(x, y)| x.max(*y)).collect();
            inclusive_volume(a, reference) + inclusive_volume(b, reference)
                - inclusive_volume(&both, reference)
        }
        _ => {
            let n = sorted.len();
            let mut total = inclusive_volume(&sorted[n - 1], reference);
            for i in 0..n - 1 {
                let limited: Vec<Vec<f64>> = sorted[i + 1..]
                    .iter()
                    .map(|p| p.iter().zip(&sorted[i]).map(|(x, y)| x.max(*y)).collect())
                    .collect();
                let inclusive = inclusive_volume(&sorted[i], reference);
                let covered = if limited.len() <= 3 {
                    hypervolume_nd(&limited, reference)
                } else {
                    let on_front = front_of_sorted(&limited);
                    let front: Vec<Vec<f64>> = limited
                        .into_iter()
                        .zip(on_front)
                        .filter_map(|(p, f)| f.then_some(p))
                        .collect();
                    hypervolume_nd(&front, reference)
                };
                total += inclusive - covered;
            }
            total
        }
    }
}

/// The hypervolume of points in any order, taken as mutually non-dominated (Optuna's
/// `assume_pareto=True`).
fn hypervolume_assuming_front(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    let mut sorted = points.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]));
    hypervolume_of_sorted(&sorted, reference)
}

/// The `subset_size` of `indices` (with their `points`, all of one non-domination rank)
/// that greedily add the most hypervolume up to `reference` (Optuna's `_solve_hssp`): how
/// the multi-objective TPE breaks the tie at the edge of its good set.
pub fn hypervolume_subset(
    points: &[Vec<f64>],
    indices: &[usize],
    subset_size: usize,
    reference: &[f64],
) -> Vec<usize> {
    if subset_size >= indices.len() {
        return indices.to_vec();
    }
    let (unique, inverse) = unique_lexsorted(points);
    let mut first_of_unique = vec![usize::MAX; unique.len()];
    for (i, &u) in inverse.iter().enumerate() {
        first_of_unique[u] = first_of_unique[u].min(i);
    }
    if unique.len() < subset_size {
        let mut chosen = vec![false; indices.len()];
        for &i in &first_of_unique {
            chosen[i] = true;
        }
        let duplicates: Vec<usize> = (0..indices.len()).filter(|&i| !chosen[i]).collect();
        for &i in duplicates.iter().take(subset_size - unique.len()) {
            chosen[i] = true;
        }
        return (0..indices.len())
            .filter(|&i| chosen[i])
            .map(|i| indices[i])
            .collect();
    }
    let picked = subset_of_unique(&unique, subset_size, reference);
    picked
        .into_iter()
        .map(|u| indices[first_of_unique[u]])
        .collect()
}

/// Greedy selection over distinct, lexicographically sorted points; returns their
/// positions in `unique`.
fn subset_of_unique(unique: &[Vec<f64>], subset_size: usize, reference: &[f64]) -> Vec<usize> {
    if reference.iter().any(|r| !r.is_finite()) {
        return (0..subset_size).collect();
    }
    if unique.len() == subset_size {
        return (0..subset_size).collect();
    }
    if reference.len() == 2 {
        return subset_2d(unique, subset_size, reference);
    }
    let mut remaining: Vec<usize> = (0..unique.len()).collect();
    let mut contribs: Vec<f64> = unique
        .iter()
        .map(|p| inclusive_volume(p, reference))
        .collect();
    let mut selected: Vec<usize> = Vec::with_capacity(subset_size);
    let mut selected_points: Vec<Vec<f64>> = Vec::with_capacity(subset_size + 1);
    let mut hv = 0.0;
    for k in 0..subset_size {
        let best = argmax(&contribs);
        hv += contribs[best];
        selected.push(remaining[best]);
        selected_points.push(unique[remaining[best]].clone());
        remaining.remove(best);
        contribs.remove(best);
        if k + 1 == subset_size {
            break;
        }
        lazy_update(
            &mut contribs,
            &remaining,
            unique,
            &selected_points,
            reference,
            hv,
        );
    }
    selected
}

/// The first index of the largest value (NumPy's `argmax`).
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Optuna's `_lazy_contribs_update`: each remaining point's contribution to the selected
/// set, computed only where its upper bound (submodularity: its contribution to the last
/// selected point alone) could still beat the best found so far.
fn lazy_update(
    contribs: &mut [f64],
    remaining: &[usize],
    unique: &[Vec<f64>],
    selected: &[Vec<f64>],
    reference: &[f64],
    hv_selected: f64,
) {
    if hv_selected.is_infinite() {
        contribs.fill(f64::INFINITY);
        return;
    }
    let Some(last) = selected.last() else {
        return;
    };
    for (c, &r) in contribs.iter_mut().zip(remaining) {
        let point = &unique[r];
        let overlap: Vec<f64> = point.iter().zip(last).map(|(a, b)| a.max(*b)).collect();
        let bound = inclusive_volume(point, reference) - inclusive_volume(&overlap, reference);
        *c = c.min(bound);
    }
    let mut order: Vec<usize> = (0..contribs.len()).collect();
    // NumPy's argsort(-contribs) is not stable; ties between upper bounds change which
    // exact values get computed but never the argmax, which is all the caller reads.
    order.sort_by(|&a, &b| contribs[b].total_cmp(&contribs[a]).then(a.cmp(&b)));
    let mut max_contrib: f64 = 0.0;
    let mut with_candidate: Vec<Vec<f64>> = selected.to_vec();
    with_candidate.push(Vec::new());
    for i in order {
        let point = &unique[remaining[i]];
        if inclusive_volume(point, reference).is_infinite() {
            contribs[i] = f64::INFINITY;
            max_contrib = f64::INFINITY;
            continue;
        }
        if contribs[i] < max_contrib {
            continue;
        }
        if let Some(slot) = with_candidate.last_mut() {
            slot.clone_from(point);
        }
        contribs[i] = hypervolume_assuming_front(&with_candidate, reference) - hv_selected;
        max_contrib = max_contrib.max(contribs[i]);
    }
}

/// Optuna's `_solve_hssp_2d`: with the points sorted, each one's contribution is a
/// rectangle whose far corner shrinks as neighbours are chosen.
fn subset_2d(sorted: &[Vec<f64>], subset_size: usize, reference: &[f64]) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..sorted.len()).collect();
    let mut points: Vec<Vec<f64>> = sorted.to_vec();
    let mut diagonals: Vec<[f64; 2]> = vec![[reference[0], reference[1]]; sorted.len()];
    let mut selected = Vec::with_capacity(subset_size);
    for _ in 0..subset_size {
        let contribs: Vec<f64> = points
            .iter()
            .zip(&diagonals)
            .map(|(p, d)| (d[0] - p[0]) * (d[1] - p[1]))
            .collect();
        let best = argmax(&contribs);
        selected.push(positions[best]);
        let chosen = points[best].clone();
        positions.remove(best);
        points.remove(best);
        diagonals.remove(best);
        for d in &mut diagonals[..best] {
            d[0] = d[0].min(chosen[0]);
        }
        for d in &mut diagonals[best..] {
            d[1] = d[1].min(chosen[1]);
        }
    }
    selected
}

/// A multi-objective study's trials as a front.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyFront {
    pub directions: Vec<Direction>,
    /// Every complete, non-duplicate trial: its values, its non-domination rank (feasible
    /// trials first; infeasible ones after them, ranked by their number of violations).
    pub trials: Vec<FrontTrial>,
    /// The trials on the Pareto front (feasible, rank 0), best first by the first
    /// objective.
    pub members: Vec<u64>,
    /// The point the hypervolume is measured from, in the objectives' own units.
    pub reference: Vec<f64>,
    /// Whether the reference was given (else it is Optuna's rule: each objective's worst
    /// feasible value moved 10 % further away).
    pub is_reference_given: bool,
    pub hypervolume: f64,
    /// The hypervolume after each feasible complete trial, in trial-number order.
    pub history: Vec<HypervolumeStep>,
}

/// One trial of a [`StudyFront`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontTrial {
    pub number: u64,
    pub values: Vec<f64>,
    pub rank: usize,
    pub is_feasible: bool,
}

/// The front's hypervolume once trial `number` (the `n_evaluated`-th evaluated trial) was
/// in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HypervolumeStep {
    pub number: u64,
    pub n_evaluated: usize,
    pub hypervolume: f64,
}

impl StudyFront {
    /// The front of a multi-objective study (`None` for a single-objective one), its
    /// hypervolume against `reference` (in the objectives' units; `None`: Optuna's rule over
    /// the feasible trials). Trials outside the reference add no volume.
    pub fn of(log: &StudyLog, reference: Option<&[f64]>) -> Option<StudyFront> {
        StudyFront::from_trials(&log.header.settings.directions, &log.trials, reference)
    }

    /// [`StudyFront::of`] the finished `trials` (in number order) of a study with
    /// `directions`.
    pub fn from_trials(
        directions: &[Direction],
        trials: &[TrialRecord],
        reference: Option<&[f64]>,
    ) -> Option<StudyFront> {
        let directions = directions.to_vec();
        if directions.is_empty() {
            return None;
        }
        let evaluated: Vec<&TrialRecord> =
            trials.iter().filter(|t| t.duplicate_of.is_none()).collect();
        let complete: Vec<(&TrialRecord, Vec<f64>)> = evaluated
            .iter()
            .filter_map(|t| t.losses(&directions).map(|l| (*t, l)))
            .collect();
        let losses: Vec<Vec<f64>> = complete.iter().map(|(_, l)| l.clone()).collect();
        let penalties: Vec<f64> = complete
            .iter()
            .map(|(t, _)| t.constraint_violations.len() as f64)
            .collect();
        let ranks = nondomination_ranks(&losses, Some(&penalties), None);
        let trials: Vec<FrontTrial> = complete
            .iter()
            .zip(&ranks)
            .map(|((t, _), &rank)| FrontTrial {
                number: t.number,
                values: t.values.clone(),
                rank,
                is_feasible: t.is_feasible(),
            })
            .collect();
        let mut members: Vec<(u64, f64)> = complete
            .iter()
            .zip(&ranks)
            .filter(|((t, _), rank)| t.is_feasible() && **rank == 0)
            .map(|((t, l), _)| (t.number, l[0]))
            .collect();
        members.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let feasible: Vec<Vec<f64>> = complete
            .iter()
            .filter(|(t, _)| t.is_feasible())
            .map(|(_, l)| l.clone())
            .collect();
        let loss_reference: Vec<f64> = match reference {
            Some(given) => given
                .iter()
                .zip(&directions)
                .map(|(v, d)| d.loss(*v))
                .collect(),
            None if feasible.is_empty() => vec![0.0; directions.len()],
            None => reference_point(&feasible),
        };
        let inside = |l: &[f64]| l.iter().zip(&loss_reference).all(|(v, r)| v <= r);
        let mut front: Vec<Vec<f64>> = Vec::new();
        let mut history = Vec::new();
        let mut hv = 0.0;
        for (i, t) in evaluated.iter().enumerate() {
            let n_evaluated = i + 1;
            if !t.is_feasible() {
                continue;
            }
            let Some(l) = t.losses(&directions) else {
                continue;
            };
            let is_dominated = front.iter().any(|f| f == &l || dominates(f, &l));
            if inside(&l) && !is_dominated {
                front.retain(|f| !dominates(&l, f));
                front.push(l);
                hv = hypervolume(&front, &loss_reference).unwrap_or(hv);
            }
            history.push(HypervolumeStep {
                number: t.number,
                n_evaluated,
                hypervolume: hv,
            });
        }
        Some(StudyFront {
            reference: loss_reference
                .iter()
                .zip(&directions)
                .map(|(r, d)| d.loss(*r))
                .collect(),
            directions,
            trials,
            members: members.into_iter().map(|(n, _)| n).collect(),
            is_reference_given: reference.is_some(),
            hypervolume: hv,
            history,
        })
    }
}

/// `a` is nowhere worse than `b` and not equal to it.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    a != b && a.iter().zip(b).all(|(x, y)| x <= y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_peel_fronts_and_rank_infeasible_points_by_penalty() {
        let points = vec![
            vec![1.0, 4.0],
            vec![2.0, 2.0],
            vec![4.0, 1.0],
            vec![3.0, 3.0],
            vec![2.0, 2.0],
            vec![5.0, 5.0],
            vec![0.0, 0.0],
        ];
        assert_eq!(
            nondomination_ranks(&points, None, None),
            vec![1, 1, 1, 2, 1, 3, 0]
        );
        let penalties = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0];
        assert_eq!(
            nondomination_ranks(&points, Some(&penalties), None),
            vec![0, 0, 0, 1, 0, 2, 3]
        );
        assert_eq!(
            pareto_front(&points),
            vec![false, false, false, false, false, false, true]
        );
    }

    #[test]
    fn hypervolume_of_boxes_is_their_union() {
        let points = vec![
            vec![1.0, 3.0],
            vec![2.0, 2.0],
            vec![3.0, 1.0],
            vec![3.0, 3.0],
        ];
        // Three unit-stepped boxes up to (4, 4): 3*1 + 2*1 + 1*1 stacked = 6.
        assert_eq!(hypervolume(&points, &[4.0, 4.0]), Some(6.0));
        let cube = vec![vec![0.0, 0.0, 0.0]];
        assert_eq!(hypervolume(&cube, &[2.0, 2.0, 2.0]), Some(8.0));
        let corners = vec![
            vec![0.0, 1.0, 1.0],
            vec![1.0, 0.0, 1.0],
            vec![1.0, 1.0, 0.0],
        ];
        // Three boxes of volume 2; each pair and all three meet in the unit cube at
        // (1, 1, 1): 3 * 2 - 3 * 1 + 1 = 4.
        assert_eq!(hypervolume(&corners, &[2.0, 2.0, 2.0]), Some(4.0));
        let four = vec![
            vec![0.0, 1.0, 1.0, 1.0],
            vec![1.0, 0.0, 1.0, 1.0],
            vec![1.0, 1.0, 0.0, 1.0],
            vec![1.0, 1.0, 1.0, 0.0],
        ];
        // Four boxes of volume 2 meeting pairwise (and more) in the unit hypercube: 8 - 6 +
        // 4 - 1 = 5.
        assert_eq!(hypervolume(&four, &[2.0; 4]), Some(5.0));
        assert_eq!(hypervolume(&[vec![3.0, 0.0]], &[2.0, 2.0]), None);
    }
}
