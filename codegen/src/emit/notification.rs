//! One notification's file: the typed notification and its schema.

use quote::quote;

use super::calls::Part;
use super::docs;
use super::method::output_struct;
use super::schema;
use super::types::ident;
use crate::ir::{Delivery, Ir, Notification};

pub fn file(ir: &Ir, n: &Notification) -> Vec<Part> {
    let ty = ident(&n.name);
    let how = match &n.delivery {
        Delivery::Form(t) => format!("a form post with `notify_type` {}", docs::code(t)),
        Delivery::Message(m) => format!(
            "a message with `msg_method` {}, its fields inside `biz_content`",
            docs::code(m)
        ),
        Delivery::Json(a) => format!("a JSON body with `action` {}", docs::code(a)),
    };
    let mut doc = format!(
        "{}\n\n**{}**\n",
        docs::prose(&n.summary),
        docs::prose(&n.title)
    );
    if let Some(d) = &n.description {
        doc.push_str(&format!("\n{}\n", docs::prose(d)));
    }
    let handling = match &n.delivery {
        Delivery::Json(_) => ", posted by the partner service with no Alipay signature: read it only as a claim, and confirm the state with a signed query before acting on it.",
        _ => ". Verify and read it with [`Client::parse_notification`](crate::Client::parse_notification), then answer [`NOTIFY_ACK`](crate::NOTIFY_ACK).",
    };
    doc.push_str(&format!(
        "\n- Arrives as {how}{handling}\n- Cargo feature {}.\n",
        docs::code(&n.family)
    ));
    if let Some(d) = &n.docs {
        doc.push_str(&format!("- Alipay's documentation: <{d}>\n"));
    }
    let body = output_struct(ir, &ty, &doc, &n.fields);
    let prelude = schema::prelude(schema::refs_models(&n.fields.iter().collect::<Vec<_>>()));
    let delivery = match &n.delivery {
        Delivery::Form(t) => quote!(crate::schema::Delivery::Form { notify_type: #t }),
        Delivery::Message(m) => quote!(crate::schema::Delivery::Message { msg_method: #m }),
        Delivery::Json(a) => quote!(crate::schema::Delivery::Json { action: #a }),
    };
    let (name, title, summary, family) = (&n.name, &n.title, &n.summary, &n.family);
    let doc_url = n.docs.clone().unwrap_or_default();
    let fields = schema::fields(ir, &n.fields);
    let tag = match &n.delivery {
        Delivery::Form(t) => quote! {
            /// The `notify_type` value that identifies this notification.
            pub const NOTIFY_TYPE: &'static str = #t;
        },
        Delivery::Message(m) => quote! {
            /// The `msg_method` value that identifies this notification.
            pub const MSG_METHOD: &'static str = #m;
        },
        Delivery::Json(a) => quote! {
            /// The `action` value that identifies this notification.
            pub const ACTION: &'static str = #a;
        },
    };
    let table = quote! {
        impl #ty {
            #tag
        }
        impl crate::request::Notification for #ty {
            fn schema() -> &'static crate::schema::NotificationSchema {
                &SCHEMA
            }
        }
        pub(crate) static SCHEMA: crate::schema::NotificationSchema = crate::schema::NotificationSchema {
            name: #name,
            title: #title,
            summary: #summary,
            family: #family,
            delivery: #delivery,
            fields: #fields,
            doc_url: #doc_url,
        };
    };
    let mut parts = vec![Part::Rust(prelude)];
    parts.extend(body);
    parts.push(Part::Rust(table));
    parts
}
