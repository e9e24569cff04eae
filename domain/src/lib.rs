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

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
