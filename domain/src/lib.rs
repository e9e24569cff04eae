//! Linli's shared domain: the types the SPA and the server exchange, and the pure rules
//! (validation, codes, categories) that both must apply identically. No I/O lives here.

pub mod account;
pub mod api;
pub mod ballot;
pub mod catalogue;
pub mod consultation;
pub mod coverage;
pub mod deliberation;
pub mod facility;
pub mod figures;
pub mod geojson;
pub mod household;
pub mod lang;
pub mod nearby;
pub mod photo;
pub mod request;
pub mod revision;
pub mod validation;
pub mod walk;

pub use account::{DisplayName, Password, PhoneNumber, Role};
pub use household::{BindingCode, FloorArea, HouseholdRelation};
pub use lang::Lang;
pub use validation::{ErrorCode, FieldError};
