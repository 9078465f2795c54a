//! Feeds arbitrary bytes (as UTF-8, lossily) to the guard under every audience and media
//! setting, and checks the invariants the posting path relies on.
#![no_main]

use canteen_guard::{Audience, Context, Policy, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let policy = Policy::default();
    let selector = data.first().copied().unwrap_or(0);
    let ctx = Context {
        visibility: if selector & 1 == 0 { Audience::Public } else { Audience::Direct },
        has_media: selector & 2 != 0,
        media_confirmed_no_patient: selector & 4 != 0,
    };
    let report = check(&text, &policy, &ctx);
    for f in &report.findings {
        assert!(f.start <= f.end && f.end <= text.len());
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
    }
    assert_eq!(report, check(&text, &policy, &ctx));
});
