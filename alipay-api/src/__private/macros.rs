//! The macros generated files are written with. Each turns one line of generated code
//! into the boilerplate every item of its kind needs, so the generated files stay short
//! (and fast to compile) and the boilerplate has one implementation.

/// An open enum: one variant per documented value plus `Unknown(String)`, with its wire
/// conversions, [`OpenEnum`](crate::types::OpenEnum) and the `SCHEMA` static.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident (closed = $closed:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value the spec does not list, kept exactly as received.
            Unknown(String),
        }

        #[allow(deprecated)]
        impl $name {
            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown(s) => s,
                }
            }
        }

        #[allow(deprecated)]
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl crate::types::OpenEnum for $name {
            const KNOWN: &'static [&'static str] = &[$($wire),*];
            fn as_str(&self) -> &str {
                $name::as_str(self)
            }
            fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        crate::__private::open_enum_impls!($name);

        // Unread for an enum no field uses (one the spec places in a family itself).
        #[allow(dead_code)]
        pub(crate) static SCHEMA: crate::schema::EnumSchema = crate::schema::EnumSchema::new(
            stringify!($name),
            <$name as crate::types::OpenEnum>::KNOWN,
            $closed,
        );
    };
}

/// The conversions every open enum shares, written once on top of `as_str`/`From<&str>`.
macro_rules! open_enum_impls {
    ($name:ident) => {
        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self::from(s.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl crate::__private::FromWire for $name {
            fn from_wire(v: serde_json::Value) -> Result<Self, crate::__private::WireError> {
                crate::__private::wire_text(v).map(|s| Self::from(s.as_str()))
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::__private::deserialize_wire(d)
            }
        }
    };
}

/// Reading a struct from the wire: every listed field by its wire name (the field name
/// unless `= "wire"` says otherwise), the rest into `extra`.
macro_rules! wire_struct {
    ($ty:ident { $( $field:ident $(= $wire:literal)? ),* $(,)? }) => {
        impl crate::__private::FromWire for $ty {
            fn from_wire(v: serde_json::Value) -> Result<Self, crate::__private::WireError> {
                #[allow(unused_mut)]
                let mut o = crate::__private::Obj::new(v)?;
                #[allow(deprecated)]
                Ok($ty {
                    $( $field: o.take(crate::__private::wire_struct!(@name $field $($wire)?))?, )*
                    extra: o.rest(),
                })
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::__private::deserialize_wire(d)
            }
        }
    };
    (@name $field:ident) => { stringify!($field) };
    (@name $field:ident $wire:literal) => { $wire };
}

/// Chainable setters, one per field, each documented as setting the field (whose own
/// docs say what it is). The keyword before each field says how the argument converts.
macro_rules! setters {
    (new $ty:ident { $($body:tt)* }) => {
        impl $ty {
            /// An empty value: chain the setters to fill it in.
            pub fn new() -> Self {
                Self::default()
            }
        }
        crate::__private::setters!($ty { $($body)* });
    };
    ($ty:ident { $( $(#[$m:meta])* $kind:ident $field:ident $(/ $clear:ident)? : $arg:ty; )* }) => {
        impl $ty {
            $( crate::__private::setters!(@one $(#[$m])* $kind $field $(/ $clear)? : $arg); )*
        }
    };
    (@one $(#[$m:meta])* into $field:ident : $arg:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        $(#[$m])*
        pub fn $field(mut self, value: impl Into<$arg>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@one $(#[$m:meta])* input $field:ident : $arg:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), "); text is parsed by `build()`.")]
        $(#[$m])*
        pub fn $field(mut self, value: impl crate::types::IntoInput<$arg>) -> Self {
            self.$field = Some(crate::types::IntoInput::into_input(value));
            self
        }
    };
    (@one $(#[$m:meta])* list $field:ident : $arg:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        $(#[$m])*
        pub fn $field<I: Into<$arg>>(mut self, items: impl IntoIterator<Item = I>) -> Self {
            self.$field = Some(items.into_iter().map(Into::into).collect());
            self
        }
    };
    (@one $(#[$m:meta])* json $field:ident : $arg:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), "); sent as JSON text.")]
        $(#[$m])*
        pub fn $field(mut self, value: impl Into<$arg>) -> Self {
            self.$field = Some(crate::types::JsonString(value.into()));
            self
        }
    };
    (@one $(#[$m:meta])* json_list $field:ident : $arg:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), "); sent as JSON text.")]
        $(#[$m])*
        pub fn $field<I: Into<$arg>>(mut self, items: impl IntoIterator<Item = I>) -> Self {
            self.$field = Some(crate::types::JsonString(items.into_iter().map(Into::into).collect()));
            self
        }
    };
    (@one $(#[$m:meta])* clear $field:ident / $clear:ident : $arg:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        $(#[$m])*
        pub fn $field(mut self, value: impl Into<$arg>) -> Self {
            self.$field = Some(crate::types::Clearable::Set(value.into()));
            self
        }
        crate::__private::setters!(@clear $(#[$m])* $field / $clear);
    };
    (@one $(#[$m:meta])* clear_input $field:ident / $clear:ident : $arg:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), "); text is parsed by `build()`.")]
        $(#[$m])*
        pub fn $field(mut self, value: impl crate::types::IntoInput<$arg>) -> Self {
            self.$field = Some(crate::types::Clearable::Set(crate::types::IntoInput::into_input(value)));
            self
        }
        crate::__private::setters!(@clear $(#[$m])* $field / $clear);
    };
    (@clear $(#[$m:meta])* $field:ident / $clear:ident) => {
        #[doc = concat!("Erases the stored `", stringify!($field), "` (sends `#EMPTY#`).")]
        $(#[$m])*
        pub fn $clear(mut self) -> Self {
            self.$field = Some(crate::types::Clearable::Clear);
            self
        }
    };
}

/// A request type's glue: `builder()`/`build()`, the common-parameter setters it
/// accepts, the escape hatch for parameters the spec does not know yet, and the
/// [`Method`](crate::request::Method) impl with its call-kind marker.
macro_rules! request {
    (
        $ty:ident => $resp:ident, $kind:ident,
        common [$($common:ident),*], files [$($file:ident $(= $fwire:literal)?),*] $(,)?
    ) => {
        impl $ty {
            /// An empty request: set its parameters, then call [`build`](Self::build).
            pub fn builder() -> Self {
                Self::default()
            }

            /// Checks every parameter against the spec and returns the request ready to
            /// send, or every violation found, each named by its wire path.
            pub fn build(self) -> Result<crate::request::Validated<Self>, crate::ValidationError> {
                crate::request::Validated::new(self)
            }

            /// Adds a `biz_content` parameter the spec does not describe yet (sent as
            /// given, not validated).
            pub fn extra_param(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                self.extra.insert(name.into(), value.into());
                self
            }

            $( crate::__private::request!(@common $common); )*
        }

        impl crate::request::Method for $ty {
            type Response = $resp;
            const META: &'static crate::request::MethodMeta = &META;
            fn schema() -> &'static crate::schema::MethodSchema {
                &SCHEMA
            }
            fn common(&self) -> &crate::request::CommonParams {
                &self.common
            }
            fn files(&self) -> Vec<(&'static str, crate::request::FileUpload)> {
                #[allow(unused_mut)]
                let mut out = Vec::new();
                $(
                    if let Some(f) = &self.$file {
                        out.push((crate::__private::wire_struct!(@name $file $($fwire)?), f.clone()));
                    }
                )*
                out
            }
        }

        crate::__private::request!(@kind $kind $ty);
    };
    (@kind server $ty:ident) => { impl crate::request::ServerMethod for $ty {} };
    (@kind upload $ty:ident) => { impl crate::request::ServerMethod for $ty {} };
    (@kind page $ty:ident) => { impl crate::request::PageMethod for $ty {} };
    (@kind app $ty:ident) => { impl crate::request::AppMethod for $ty {} };
    (@common notify_url) => {
        /// Where Alipay posts asynchronous notifications about this request (`notify_url`).
        pub fn notify_url(mut self, url: impl Into<String>) -> Self {
            self.common.notify_url = Some(url.into());
            self
        }
    };
    (@common return_url) => {
        /// Where the buyer's browser returns afterwards (`return_url`).
        pub fn return_url(mut self, url: impl Into<String>) -> Self {
            self.common.return_url = Some(url.into());
            self
        }
    };
    (@common app_auth_token) => {
        /// Acts for a merchant that authorised this app (`app_auth_token`, ISV mode).
        pub fn app_auth_token(mut self, token: impl Into<String>) -> Self {
            self.common.app_auth_token = Some(token.into());
            self
        }
    };
    (@common auth_token) => {
        /// Acts for a user that authorised this app (`auth_token`).
        pub fn auth_token(mut self, token: impl Into<String>) -> Self {
            self.common.auth_token = Some(token.into());
            self
        }
    };
}

pub(crate) use {open_enum, open_enum_impls, request, setters, wire_struct};
