#![no_main]
//! line: `split` a delivery, `parse` each event it gives and the raw input itself.

use guyub_connectors::line;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| guyub_fuzz::provider(data, line::split, line::parse));
