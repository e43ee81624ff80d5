#![no_main]
//! email: key and parse raw messages as the mail poller stores them.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| guyub_fuzz::email(data));
