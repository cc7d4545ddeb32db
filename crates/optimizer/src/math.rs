//! The normal distribution and its truncations, through `libm` only so that results are
//! bit-identical natively and in WebAssembly.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// `ln(sqrt(2 * pi))`.
pub(crate) fn ln_sqrt_2pi() -> f64 {
    0.5 * libm::log(2.0 * PI)
}

/// The standard normal CDF, `Phi(z) = erfc(-z / sqrt 2) / 2`, accurate in both tails.
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * FRAC_1_SQRT_2)
}

/// `Phi(b) - Phi(a)` for `a <= b`, computed on the side where it does not cancel.
pub(crate) fn gauss_mass(a: f64, b: f64) -> f64 {
    if a >= 0.0 {
        // Both in the upper tail: Phi(b) - Phi(a) = Q(a) - Q(b).
        0.5 * (libm::erfc(a * FRAC_1_SQRT_2) - libm::erfc(b * FRAC_1_SQRT_2))
    } else if b <= 0.0 {
        normal_cdf(b) - normal_cdf(a)
    } else {
        // Beyond 8.5 standard deviations a tail is under 1e-17, below half an ulp of the
        // other side's mass (at least 1/2): skipping it gives the same f64.
        let lower_tail = if a < -8.5 { 0.0 } else { normal_cdf(a) };
        let upper_tail = if b > 8.5 {
            0.0
        } else {
            0.5 * libm::erfc(b * FRAC_1_SQRT_2)
        };
        1.0 - lower_tail - upper_tail
    }
}

// Coefficients of AS 241 (PPND16) as published by Wichura (1988), lowest degree first.
#[allow(clippy::excessive_precision)]
const AS241_A: [f64; 8] = [
    3.3871328727963666080e0,
    1.3314166789178437745e+2,
    1.9715909503065514427e+3,
    1.3731693765509461125e+4,
    4.5921953931549871457e+4,
    6.7265770927008700853e+4,
    3.3430575583588128105e+4,
    2.5090809287301226727e+3,
];
#[allow(clippy::excessive_precision)]
const AS241_B: [f64; 8] = [
    1.0,
    4.2313330701600911252e+1,
    6.8718700749205790830e+2,
    5.3941960214247511077e+3,
    2.1213794301586595867e+4,
    3.9307895800092710610e+4,
    2.8729085735721942674e+4,
    5.2264952788528545610e+3,
];
#[allow(clippy::excessive_precision)]
const AS241_C: [f64; 8] = [
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
];
#[allow(clippy::excessive_precision)]
const AS241_D: [f64; 8] = [
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
];
#[allow(clippy::excessive_precision)]
const AS241_E: [f64; 8] = [
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
];
#[allow(clippy::excessive_precision)]
const AS241_F: [f64; 8] = [
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
];

/// Horner evaluation of a polynomial with coefficients lowest degree first.
fn horner(coefficients: &[f64; 8], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, c| acc * x + c)
}

/// The inverse standard normal CDF (Wichura's algorithm AS 241, PPND16, relative accuracy
/// about 1e-16). Returns -inf / +inf at 0 / 1 and NaN outside `[0, 1]`.
pub(crate) fn ndtri(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * horner(&AS241_A, r) / horner(&AS241_B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = libm::sqrt(-libm::log(tail));
    let value = if r <= 5.0 {
        let r = r - 1.6;
        horner(&AS241_C, r) / horner(&AS241_D, r)
    } else {
        let r = r - 5.0;
        horner(&AS241_E, r) / horner(&AS241_F, r)
    };
    if q < 0.0 {
        -value
    } else {
        value
    }
}

/// A draw from the standard normal truncated to `[a, b]`, by inversion of `u` in `(0, 1)`.
/// Works on the lower tail (reflecting when `a >= 0`) so that far-tail intervals keep their
/// precision; the result is clamped into `[a, b]`.
pub(crate) fn truncnorm_standard(a: f64, b: f64, u: f64) -> f64 {
    if a >= 0.0 {
        return -truncnorm_standard(-b, -a, u);
    }
    let lo = normal_cdf(a);
    let hi = normal_cdf(b);
    let z = ndtri(lo + u * (hi - lo));
    if z.is_nan() {
        return 0.5 * (a + b);
    }
    z.clamp(a, b)
}

/// `ln(sum(exp(terms)))`, skipping terms more than [`LOG_SKIP`] below the maximum: each
/// contributes under 1e-13 of the largest term, so a thousand of them move the result by
/// under 1e-10, far below anything that could change which candidate TPE picks. Returns
/// -inf when every term is -inf (or there is none).
pub(crate) fn log_sum_exp(terms: &[f64]) -> f64 {
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    log_sum_exp_bounded(terms, max, f64::INFINITY).unwrap_or(f64::INFINITY)
}

/// [`log_sum_exp`] given the terms' maximum, abandoning (`None`) as soon as the running
/// sum of `exp(term - max)` exceeds `bound`. When it completes, the result is bit for bit
/// that of [`log_sum_exp`]: same terms, same order.
pub(crate) fn log_sum_exp_bounded(terms: &[f64], max: f64, bound: f64) -> Option<f64> {
    if !max.is_finite() {
        return Some(max);
    }
    let floor = max - LOG_SKIP;
    let mut sum = 0.0;
    for &t in terms {
        if t > floor {
            sum += libm::exp(t - max);
            if sum > bound {
                return None;
            }
        }
    }
    Some(max + libm::log(sum))
}

/// How far below the maximum a log-term may be before [`log_sum_exp`] skips it.
pub(crate) const LOG_SKIP: f64 = 30.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndtri_inverts_the_cdf_from_the_far_tail_to_the_centre() {
        // The CDF is computed independently (erfc), so this checks AS 241 and its
        // coefficients: a typo in any of them breaks the inversion well above 1e-9.
        // Upper-tail probabilities are rounded near 1 before ndtri sees them, so the check
        // covers the lower tail and the centre, where p carries full precision.
        let mut z = -37.0;
        while z <= 0.5 {
            let p = normal_cdf(z);
            let back = ndtri(p);
            assert!(
                (back - z).abs() <= 1e-9 * z.abs().max(1.0),
                "z = {z}, p = {p}, back = {back}"
            );
            z += 0.0625;
        }
    }

    #[test]
    fn ndtri_known_quantiles() {
        // Textbook values of the standard normal quantile.
        assert!((ndtri(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((ndtri(0.5)).abs() < 1e-16);
        assert!((ndtri(0.001) + 3.090_232_306_167_813_5).abs() < 1e-12);
    }

    #[test]
    fn truncated_draws_stay_inside_and_follow_the_mass() {
        let (a, b) = (-0.5, 2.0);
        let mut below_zero = 0usize;
        let n = 4000;
        for i in 0..n {
            let u = (i as f64 + 0.5) / n as f64;
            let z = truncnorm_standard(a, b, u);
            assert!((a..=b).contains(&z));
            if z < 0.0 {
                below_zero += 1;
            }
        }
        let expected = gauss_mass(a, 0.0) / gauss_mass(a, b);
        assert!((below_zero as f64 / n as f64 - expected).abs() < 1e-3);
    }

    #[test]
    fn far_tail_interval_keeps_precision() {
        let z = truncnorm_standard(9.0, 9.5, 0.5);
        assert!((9.0..=9.5).contains(&z) && z < 9.1, "{z}");
        assert!(gauss_mass(9.0, 9.5) > 0.0);
    }

    #[test]
    fn log_sum_exp_matches_the_direct_sum() {
        let terms = [-1.0, -2.0, -0.5, -300.0];
        let direct: f64 = libm::log(terms.iter().map(|t: &f64| libm::exp(*t)).sum::<f64>());
        assert!((log_sum_exp(&terms) - direct).abs() < 1e-15);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
    }
}
