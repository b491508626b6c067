//! The command's one error type: every variant says what to do, in one line where
//! the cause allows it, and maps to an exit code scripts can rely on.

use std::process::ExitCode;

use alipay_api::{ConfigError, ValidationError};

/// Exit code: a check came out negative (verification failed, the doctor found a
/// problem, Alipay declined the call, the webhook did not acknowledge).
pub const EXIT_NEGATIVE: u8 = 1;
/// Exit code: bad input, usage or configuration; nothing was sent.
pub const EXIT_INPUT: u8 = 2;
/// Exit code: the call may or may not have taken effect; query before retrying.
pub const EXIT_OUTCOME_UNKNOWN: u8 = 3;

/// Why a command could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The configuration (environment or `--config` file) is unusable.
    #[error("configuration: {0} (run `alipay doctor` for every check)")]
    Config(#[from] ConfigError),
    /// The config file could not be read or parsed.
    #[error("config file `{path}`: {reason}")]
    ConfigFile {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An input file (or stdin) could not be read.
    #[error("cannot read {what}: {reason}")]
    Read {
        /// Which input.
        what: String,
        /// The I/O error or limit.
        reason: String,
    },
    /// An argument or input is malformed.
    #[error("{0}")]
    Input(String),
    /// The request breaks its method's rules; nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A call failed before or after it reached the gateway.
    #[error("{error}{hint}")]
    Call {
        /// The runtime's error.
        error: alipay_api::Error,
        /// What to do, when the error itself does not say.
        hint: &'static str,
    },
    /// A test notification could not be delivered.
    #[error("{0}")]
    Delivery(String),
    /// A file could not be written.
    #[error("cannot write `{path}`: {reason}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// The local gateway stopped with an error.
    #[error(transparent)]
    Gateway(#[from] alipay_sandbox::cli::RunError),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        use alipay_api::Error as E;
        ExitCode::from(match self {
            CliError::Call { error, .. } if error.outcome_unknown() => EXIT_OUTCOME_UNKNOWN,
            // Refused before anything was sent.
            CliError::Call {
                error: E::Config(_) | E::Validation(_) | E::Request(_) | E::Sign(_),
                ..
            } => EXIT_INPUT,
            CliError::Call { .. } | CliError::Gateway(_) | CliError::Delivery(_) => EXIT_NEGATIVE,
            _ => EXIT_INPUT,
        })
    }

    /// An input error.
    pub fn input(msg: impl Into<String>) -> Self {
        CliError::Input(msg.into())
    }

    /// A failed call, with the outcome-unknown rule spelled out when it applies.
    pub fn call(error: alipay_api::Error) -> Self {
        let hint = match &error {
            // Its own message already says to query before retrying.
            alipay_api::Error::UnverifiedApi(_) => " (exit code 3)",
            e if e.outcome_unknown() => {
                "; the outcome is unknown: query the order before retrying (exit code 3)"
            }
            _ => "",
        };
        CliError::Call { error, hint }
    }
}

/// Reads a file, or stdin for `-`, up to `limit` bytes.
pub fn read_input(path: &str, limit: usize) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let what = if path == "-" {
        "standard input".to_owned()
    } else {
        format!("`{path}`")
    };
    let err = |reason: String| CliError::Read {
        what: what.clone(),
        reason,
    };
    let mut bytes = Vec::new();
    let reader: Box<dyn std::io::Read> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| err(e.to_string()))?)
    };
    // One byte over the limit tells "too large" from "exactly the limit".
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(e.to_string()))?;
    if bytes.len() > limit {
        return Err(err(format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}
