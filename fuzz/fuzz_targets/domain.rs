#![no_main]
//! The domain's value parsers (NIK, phone, date, identity keys, member number format,
//! e-mail, slug) on the input as UTF-8, whole and line by line.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| guyub_fuzz::domain(data));
