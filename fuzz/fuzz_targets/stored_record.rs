//! Arbitrary bytes as a stored delivery record (what another tab, an older
//! version of the module or a damaged localStorage may hold).
//!
//! Never panics; a record that reads back writes a record that reads back to
//! the same delivery (a fixed point after one write), and an engine that
//! adopts it stays balanced and stores only records it can read again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use walkme_webhooks::core::engine::{Effect, Engine, Limits};
use walkme_webhooks::core::host::NativeHost;
use walkme_webhooks::core::queue::{adoptable, Delivery};
use walkme_webhooks::core::settings::Settings;
use walkme_webhooks::core::value::Value;

const SETTINGS: &str = r#"{
  "version": 1,
  "destinations": [
    { "id": "d1", "url": "https://example.com/hook", "maxAttempts": 2 },
    { "id": "d2", "url": "http://localhost:8787/r", "method": "GET", "mode": "simple" }
  ],
  "webhooks": [
    { "id": "w1", "event": "survey.submitted", "destination": "d1" },
    { "id": "w2", "event": "survey.submitted", "destination": "d2" }
  ]
}"#;

const T0: f64 = 1_700_000_000_000.0;

fn reread(d: &Delivery) -> Delivery {
    let text = d.to_record(&NativeHost);
    let v: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("a written record is not JSON ({e}): {text}"),
    };
    match Delivery::from_record(&v) {
        Some(d) => d,
        None => panic!("a written record does not read back: {text}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let v: Value = match serde_json::from_slice(data) {
        Ok(v) => v,
        Err(_) => match serde_json::from_str(&String::from_utf8_lossy(data)) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    let _ = adoptable(std::slice::from_ref(&v), T0);
    let records: Vec<Value> = match &v {
        Value::Array(items) => items.clone(),
        _ => vec![v.clone()],
    };
    for r in &records {
        if let Some(d) = Delivery::from_record(r) {
            let once = reread(&d);
            assert_eq!(
                (
                    &once.key,
                    &once.request,
                    &once.webhook,
                    &once.destination,
                    &once.event_id
                ),
                (&d.key, &d.request, &d.webhook, &d.destination, &d.event_id),
                "a record changes what it sends when written again"
            );
            assert_eq!(reread(&once), once, "a written record is not a fixed point");
        }
    }

    let settings = Settings::from_json(SETTINGS, &NativeHost).expect("valid settings");
    let mut engine = Engine::new(settings, Box::new(NativeHost), 7, Limits::default());
    let taken = engine.adopt(&records, T0);
    assert!(taken <= records.len());
    for round in 0..4 {
        for effect in engine.take_effects() {
            if let Effect::Store { record, .. } = &effect {
                let v: Value = serde_json::from_str(record).expect("stored records are JSON");
                assert!(
                    Delivery::from_record(&v).is_some(),
                    "the engine stored a record it cannot read: {record}"
                );
            }
            if let Effect::Send(s) = effect {
                engine.answer(
                    s.id,
                    walkme_webhooks::core::retry::Answer::Timeout,
                    T0 + f64::from(round),
                );
            }
        }
        let s = engine.stats();
        assert_eq!(
            s.matched + s.resumed,
            s.delivered + s.opaque + s.failed + s.dropped + s.queued,
            "unbalanced after adopting: {s:#?}"
        );
        engine.poll(T0 + 1e9 * f64::from(round + 1));
    }
});
