//! Value types shared by the generated bindings and the runtime.

mod amount;
mod clearable;
mod datetime;
mod input;
mod json_string;
mod open_enum;

pub use amount::{Amount, ParseAmountError};
pub use chrono::NaiveDate;
pub use clearable::{CLEAR_MARKER, Clearable};
pub use datetime::{BeijingDateTime, ParseDateTimeError};
pub use input::{Input, IntoInput, TextValue};
pub use json_string::JsonString;
pub use open_enum::OpenEnum;
