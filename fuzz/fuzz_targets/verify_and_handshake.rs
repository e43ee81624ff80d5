#![no_main]
//! Every channel kind's `verify` (first line: the signature header's value, the rest:
//! the body) and `handshake` (first line as a query string).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| guyub_fuzz::verify_and_handshake(data));
