//! Linli's shared domain: the types the SPA and the server exchange, and the pure rules
//! (validation, codes, categories) that both must apply identically. No I/O lives here.

pub mod account;
pub mod api;
pub mod ballot;
pub mod catalogue;
pub mod consultation;
pub mod contact;
pub mod coverage;
pub mod declutter;
pub mod deliberation;
pub mod facility;
pub mod figures;
pub mod geojson;
pub mod household;
pub mod lang;
pub mod nearby;
pub mod personal;
pub mod photo;
pub mod request;
pub mod revision;
pub mod validation;
pub mod walk;

pub use account::{DisplayName, Password, PhoneNumber, Role};
pub use household::{BindingCode, FloorArea, HouseholdRelation};
pub use lang::Lang;
pub use validation::{ErrorCode, FieldError};

/// Bytes as lower-case hex: digests, session tokens, idempotency keys.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `value` with `places` decimals (at most 9), as `format!("{value:.places$}")` writes it for
/// the values the app shows (coordinates, chart widths), but with integer arithmetic only.
///
/// Why: Rust's float formatting is about 10 KB of WebAssembly (two algorithms and a bignum),
/// and these few numbers were the only reason the SPA's pages carried it. Where it differs:
/// - it rounds the value scaled by 10^places, itself rounded to a float, half away from zero;
///   `{:.N}` rounds the exact decimal. A value within a rounding error of a half in its last
///   place can come out one unit up (see the test: 1 cm on a coordinate);
/// - a value that rounds to zero has no minus sign ("0.0", not "-0.0");
/// - non-finite values are zero ("0.000000" for 6 places), and magnitudes past 1.8e19 / 10^places
///   saturate: meaningless for numbers it is not meant for, but never a panic.
pub fn fixed_decimal(value: f64, places: u32) -> String {
    let places = places.min(9);
    let scale = 10u64.pow(places);
    let magnitude = value.abs() * scale as f64;
    // `as` saturates (and NaN becomes 0): no panic, whatever arrives.
    let scaled = if magnitude.is_finite() {
        magnitude.round() as u64
    } else {
        0
    };
    let sign = if value.is_sign_negative() && scaled != 0 {
        "-"
    } else {
        ""
    };
    let whole = scaled / scale;
    if places == 0 {
        return format!("{sign}{whole}");
    }
    let fraction = scaled % scale;
    format!("{sign}{whole}.{fraction:0width$}", width = places as usize)
}

#[cfg(test)]
mod tests {
    use super::fixed_decimal;

    #[test]
    fn fixed_decimal_writes_what_the_float_formatter_writes() {
        for value in [
            0.0,
            1.0,
            -1.0,
            31.2304167,
            121.4737021,
            -0.0000004,
            -33.8688197,
            151.2092951,
            99.94,
            0.04,
            200.0,
            12.345678949,
            0.1 + 0.2,
            1e-7,
            179.9999999,
            66.666666666,
        ] {
            for places in [0, 1, 2, 6] {
                let expected = format!("{value:.prec$}", prec = places as usize);
                // The float formatter writes "-0.0" for a tiny negative; a coordinate of
                // minus nothing is nothing.
                let expected = if expected.trim_start_matches(['-', '0', '.']).is_empty() {
                    expected.trim_start_matches('-').to_string()
                } else {
                    expected
                };
                assert_eq!(
                    fixed_decimal(value, places),
                    expected,
                    "{value} to {places}"
                );
            }
        }
    }

    #[test]
    fn a_value_halfway_in_its_last_place_may_round_either_way() {
        // 151.2092955 is 151.20929549999… in binary: `{:.6}` rounds it down, and the scaled
        // product rounds to …295.5 and then up. A tenth of a micro-degree is 1 cm.
        assert_eq!(format!("{:.6}", 151.2092955), "151.209295");
        assert_eq!(fixed_decimal(151.2092955, 6), "151.209296");
    }

    #[test]
    fn fixed_decimal_never_panics_on_odd_values() {
        assert_eq!(fixed_decimal(f64::NAN, 6), "0.000000");
        assert_eq!(fixed_decimal(f64::INFINITY, 1), "0.0");
        assert_eq!(fixed_decimal(1e300, 1), "1844674407370955161.5");
        assert_eq!(fixed_decimal(2.5, 12), "2.500000000");
    }

    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
