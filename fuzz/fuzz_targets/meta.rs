#![no_main]
//! meta: `split` a delivery, `parse` each event it gives and the raw input itself.

use guyub_connectors::meta;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| guyub_fuzz::provider(data, meta::split, meta::parse));
