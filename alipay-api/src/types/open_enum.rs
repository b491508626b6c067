//! Support for open enums: the values Alipay documents, plus anything new it may send.

/// An enum generated from the spec whose set of values Alipay may extend at any time.
///
/// Every generated enum has one variant per documented value and an `Unknown(String)`
/// variant that keeps any other value exactly as received, so a new value never
/// breaks deserialisation and survives a round trip. In requests an unknown value is
/// a validation error, because Alipay would reject it.
pub trait OpenEnum: Sized {
    /// The documented wire values, in spec order.
    const KNOWN: &'static [&'static str];

    /// The value as it travels on the wire.
    fn as_str(&self) -> &str;

    /// Whether the value is one of [`Self::KNOWN`].
    fn is_known(&self) -> bool;
}
