#![no_main]
//! telegram: `split` a delivery, `parse` each event it gives and the raw input itself.

use guyub_connectors::telegram;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| guyub_fuzz::provider(data, telegram::split, telegram::parse));
