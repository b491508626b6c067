//! Fuzz target `keys`: see `alipay_tests::fuzz::keys` (the same function runs over
//! the seed corpus in `tests/tests/fuzz_corpus.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    alipay_tests::fuzz::keys(data);
});
