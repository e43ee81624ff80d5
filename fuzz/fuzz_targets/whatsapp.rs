#![no_main]
//! whatsapp: `split` a delivery, `parse` each event it gives and the raw input itself.

use guyub_connectors::whatsapp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| guyub_fuzz::provider(data, whatsapp::split, whatsapp::parse));
