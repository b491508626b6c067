//! Injected failures: what a merchant's code must survive when the network or the
//! platform misbehaves. Each fault is used once, by the next matching call, and
//! applies after the call was processed: the trade changed, only the answer is
//! lost or garbled (the "outcome unknown" case that must be settled by a query).

use std::sync::Mutex;
use std::time::Duration;

/// A failure to inject into the next matching gateway call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// A signed `20000` `isp.unknow-error` answer under the method's node.
    SystemError,
    /// The answer is held back this long (to trip client timeouts).
    Delay(Duration),
    /// An HTTP error status with an HTML body, like a failing proxy.
    HttpStatus(u16),
    /// The answer without its `sign`.
    Unsigned,
    /// The answer with a signature that does not verify.
    BadSignature,
    /// The answer cut off halfway.
    Truncated,
}

/// A queued fault and the method it applies to (any method when `None`).
#[derive(Debug, Clone)]
struct Armed {
    method: Option<String>,
    fault: Fault,
}

/// Faults waiting for their call, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Queue(Mutex<Vec<Armed>>);

impl Queue {
    /// Queues `fault` for the next call of `method` (any method when `None`).
    pub(crate) fn arm(&self, method: Option<&str>, fault: Fault) {
        self.lock().push(Armed {
            method: method.map(str::to_owned),
            fault,
        });
    }

    /// Takes the oldest fault that applies to a call of `method`.
    pub(crate) fn take(&self, method: &str) -> Option<Fault> {
        let mut q = self.lock();
        let i = q
            .iter()
            .position(|a| a.method.as_deref().is_none_or(|m| m == method))?;
        Some(q.remove(i).fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Removes `,"sign":"…"` (always the last member of the sandbox's answers).
pub(crate) fn strip_sign(body: &str) -> String {
    match body.rfind(",\"sign\":") {
        Some(i) => format!("{}}}", body.get(..i).unwrap_or_default()),
        None => body.to_owned(),
    }
}

/// Changes one character of the signature so it no longer verifies but still
/// decodes as base64.
pub(crate) fn corrupt_sign(body: &str) -> String {
    let Some(i) = body.rfind(",\"sign\":\"") else {
        return body.to_owned();
    };
    let start = i + ",\"sign\":\"".len();
    let mut out = body.to_owned();
    if let Some(c) = body.get(start..start + 1) {
        let replacement = if c == "A" { "B" } else { "A" };
        out.replace_range(start..start + 1, replacement);
    }
    out
}

/// The first half of the body (on a character boundary).
pub(crate) fn truncate(body: &str) -> String {
    let mut cut = body.len() / 2;
    while cut > 0 && !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body.get(..cut).unwrap_or_default().to_owned()
}

/// Waits that are too long to be meant are capped, so a test cannot hang forever.
pub(crate) fn capped(d: Duration) -> Duration {
    d.min(Duration::from_secs(300))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_the_signature_only() {
        let b = r#"{"a_response":{"x":"1"},"sign":"AQID"}"#;
        assert_eq!(strip_sign(b), r#"{"a_response":{"x":"1"}}"#);
        assert_eq!(corrupt_sign(b), r#"{"a_response":{"x":"1"},"sign":"BQID"}"#);
        assert_eq!(truncate("a中"), "a", "cut on a character boundary");
        assert_eq!(truncate("中文"), "中");
        assert_eq!(strip_sign("{}"), "{}");
    }
}
