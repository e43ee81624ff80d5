#![no_main]
//! webchat: `split` a stored widget event, `parse` it, and check visitor tokens.

use guyub_connectors::webchat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    guyub_fuzz::provider(data, webchat::split, webchat::parse);
    // A token check never panics and never accepts what was not signed for the channel.
    let token = String::from_utf8_lossy(data);
    if let Some(v) = webchat::check_token("widget-secret", 7, &token) {
        assert_eq!(webchat::visitor_token("widget-secret", 7, &v), token);
    }
});
