//! Households (户): binding codes, the relation a code grants, and floor areas.

use crate::validation::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The code a community hands a household so a resident can prove they live there.
/// Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L); the last one is a
/// check character, so a typo is caught on the phone before it costs an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BindingCode(String);

impl BindingCode {
    /// 31 symbols: a prime count, so the weighted checksum catches every single-character
    /// substitution and every swap of two neighbours.
    pub const ALPHABET: &'static [u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    pub const LEN: usize = 8;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(FieldError::new("code", ErrorCode::Required));
        }
        let values: Option<Vec<u32>> = compact.bytes().map(Self::value_of).collect();
        let Some(values) = values.filter(|v| v.len() == Self::LEN) else {
            return Err(FieldError::new("code", ErrorCode::BindingCodeFormat));
        };
        if Self::check_value(&values[..Self::LEN - 1]) != values[Self::LEN - 1] {
            return Err(FieldError::new("code", ErrorCode::BindingCodeTypo));
        }
        Ok(Self(compact))
    }

    /// Builds a valid code from seven symbol indexes (each taken modulo 31); used by the
    /// code generator, which supplies the randomness.
    pub fn from_body(body: [u32; 7]) -> Self {
        let values: Vec<u32> = body.iter().map(|v| v % 31).collect();
        let check = Self::check_value(&values);
        let code = values
            .iter()
            .chain(std::iter::once(&check))
            .map(|&v| Self::ALPHABET[v as usize] as char)
            .collect();
        Self(code)
    }

    fn value_of(byte: u8) -> Option<u32> {
        Self::ALPHABET
            .iter()
            .position(|&b| b == byte)
            .map(|p| p as u32)
    }

    fn check_value(body: &[u32]) -> u32 {
        body.iter()
            .enumerate()
            .map(|(i, v)| (i as u32 + 1) * v)
            .sum::<u32>()
            % 31
    }

    /// The stored form: eight characters, no separator.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BindingCode {
    /// The printed form: `ABCD-EFGH`, easier to read aloud.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// What a binding code makes its user: an owner (业主, who votes in owners' legal decisions)
/// or a resident member of the household (family, tenant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HouseholdRelation {
    Owner,
    Member,
}

impl HouseholdRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdRelation::Owner => "owner",
            HouseholdRelation::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "owner" => Some(HouseholdRelation::Owner),
            "member" => Some(HouseholdRelation::Member),
            _ => None,
        }
    }
}

/// An exclusive floor area in hundredths of a square metre: integers keep the
/// Civil Code Art. 278 area thresholds exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct FloorArea(pub u64);

impl FloorArea {
    pub fn from_centi_m2(centi: u64) -> Self {
        Self(centi)
    }

    pub fn centi_m2(self) -> u64 {
        self.0
    }

    /// The largest area a single unit may have on a roll: anything larger is a typing slip.
    pub const MAX_CENTI_M2: u64 = 1_000_000;

    /// Square metres as a person types them from the property register: `89.5`, `89.50 m²`,
    /// `89．5㎡`, `120 平方米`. At most two decimals (the register's precision); more than
    /// zero and at most 10,000 m².
    pub fn parse_m2(raw: &str) -> Result<Self, ErrorCode> {
        let mut text = raw.trim().replace('．', ".");
        for unit in ["平方米", "平米", "m²", "m2", "㎡"] {
            if let Some(number) = text.strip_suffix(unit) {
                text = number.trim_end().to_owned();
                break;
            }
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 7
            || fraction.len() > 2
            || !digits(whole)
            || !digits(fraction)
        {
            return Err(ErrorCode::AreaInvalid);
        }
        let whole: u64 = whole.parse().map_err(|_| ErrorCode::AreaInvalid)?;
        let fraction: u64 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| ErrorCode::AreaInvalid)?;
        let centi = whole * 100 + fraction;
        if centi == 0 || centi > Self::MAX_CENTI_M2 {
            return Err(ErrorCode::AreaInvalid);
        }
        Ok(Self(centi))
    }
}

impl fmt::Display for FloorArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} m²", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> BindingCode {
        BindingCode::from_body([0, 5, 10, 15, 20, 25, 30])
    }

    #[test]
    fn generated_codes_parse_back_in_every_typed_form() {
        let code = valid();
        let printed = code.to_string();
        assert_eq!(printed.len(), 9);
        for typed in [
            code.as_str().to_owned(),
            printed.clone(),
            printed.to_lowercase(),
            format!(" {} ", printed.replace('-', " ")),
        ] {
            assert_eq!(BindingCode::parse(&typed).unwrap(), code, "typed {typed:?}");
        }
    }

    #[test]
    fn every_single_substitution_is_caught_as_a_typo() {
        let code = valid();
        let original = code.as_str().as_bytes().to_vec();
        for pos in 0..BindingCode::LEN {
            for &sym in BindingCode::ALPHABET.iter() {
                if sym == original[pos] {
                    continue;
                }
                let mut typo = original.clone();
                typo[pos] = sym;
                let typo = String::from_utf8(typo).unwrap();
                assert_eq!(
                    BindingCode::parse(&typo).unwrap_err().code,
                    ErrorCode::BindingCodeTypo,
                    "{typo}"
                );
            }
        }
    }

    #[test]
    fn swapped_neighbours_are_caught() {
        let code = valid();
        let bytes = code.as_str().as_bytes();
        for i in 0..BindingCode::LEN - 1 {
            if bytes[i] == bytes[i + 1] {
                continue;
            }
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            let swapped = String::from_utf8(swapped).unwrap();
            assert!(BindingCode::parse(&swapped).is_err(), "{swapped}");
        }
    }

    #[test]
    fn malformed_codes_are_format_errors() {
        for raw in [
            "ABC",
            "ABCD-EFGH-J",
            "ABCD-EFG0",
            "ABCD-EFGI",
            "邻里邻里邻里邻里",
        ] {
            assert_eq!(
                BindingCode::parse(raw).unwrap_err().code,
                ErrorCode::BindingCodeFormat,
                "{raw}"
            );
        }
        assert_eq!(
            BindingCode::parse(" - ").unwrap_err().code,
            ErrorCode::Required
        );
    }

    #[test]
    fn floor_area_prints_exact_square_metres() {
        assert_eq!(FloorArea::from_centi_m2(8950).to_string(), "89.50 m²");
        assert_eq!(FloorArea::from_centi_m2(12005).to_string(), "120.05 m²");
    }

    #[test]
    fn areas_parse_as_typed_from_the_register() {
        for (typed, centi) in [
            ("89.5", 8950),
            ("89.50", 8950),
            (" 89.50 m² ", 8950),
            ("89．5㎡", 8950),
            ("120 平方米", 12000),
            ("0.01", 1),
            ("10000", 1_000_000),
        ] {
            assert_eq!(
                FloorArea::parse_m2(typed),
                Ok(FloorArea(centi)),
                "typed {typed:?}"
            );
        }
        for typed in [
            "", "0", "0.00", "89.505", "-3", "1e3", "10000.01", "八十", ".5", "８９",
        ] {
            assert_eq!(
                FloorArea::parse_m2(typed),
                Err(ErrorCode::AreaInvalid),
                "typed {typed:?}"
            );
        }
    }

    #[test]
    fn relations_round_trip() {
        for r in [HouseholdRelation::Owner, HouseholdRelation::Member] {
            assert_eq!(HouseholdRelation::parse(r.as_str()), Some(r));
        }
        assert_eq!(HouseholdRelation::parse("tenant"), None);
    }
}
