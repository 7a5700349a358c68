//! The JSON Schema of the settings, generated from the Rust types (native
//! builds only). The checked-in copy is `schema/settings-v1.schema.json`; a
//! test fails when it is out of date (`UPDATE_SCHEMA=1 cargo test` rewrites it).

use super::settings::Settings;
#[allow(unused_imports)]
use crate::core::prelude::*;

/// The schema as pretty-printed JSON text.
pub fn settings_schema() -> String {
    let mut schema = schemars::schema_for!(Settings);
    schema.insert(
        "$id".into(),
        "https://walkme-webhooks.dev/schema/settings-v1.schema.json".into(),
    );
    schema.insert("title".into(), "WalkMe webhooks settings, version 1".into());
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        props.insert(
            "version".into(),
            serde_json::json!({ "const": 1, "description": "Always 1 for this contract." }),
        );
    }
    serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"
}
