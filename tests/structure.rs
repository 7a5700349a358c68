//! The core's modules depend on each other without cycles, so each can be
//! read (and tested) after the ones it uses. A dependency is a path through
//! `super::m` or `crate::core::m` outside comments and the tests.

use std::collections::{BTreeMap, BTreeSet};

fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/core");
    let mut names = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let n = e.unwrap().file_name().into_string().unwrap();
        if let Some(m) = n.strip_suffix(".rs") {
            if m != "mod" {
                names.insert(m.to_string());
            }
        }
    }
    let mut deps = BTreeMap::new();
    for m in &names {
        let text = std::fs::read_to_string(format!("{dir}/{m}.rs")).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let mut out = BTreeSet::new();
        for line in code.lines() {
            let line = line.split("//").next().unwrap();
            for prefix in ["super::", "crate::core::"] {
                for (i, _) in line.match_indices(prefix) {
                    let rest = &line[i + prefix.len()..];
                    // `super::{a, b::C}` names several.
                    let group = rest
                        .strip_prefix('{')
                        .map(|g| g.split('}').next().unwrap_or(""));
                    let words: Vec<&str> = match group {
                        Some(g) => g.split(',').map(|w| w.trim()).collect(),
                        None => vec![rest],
                    };
                    for w in words {
                        let name: String = w
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if names.contains(&name) && &name != m {
                            out.insert(name);
                        }
                    }
                }
            }
        }
        deps.insert(m.clone(), out);
    }
    deps
}

#[test]
fn core_modules_have_no_cycles() {
    let deps = dependencies();
    assert!(
        deps["settings"].contains("value"),
        "the reader of dependencies finds nothing"
    );
    // Depth-first search; a module met again while on the path closes a cycle.
    fn visit<'a>(
        m: &'a str,
        deps: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(i) = path.iter().position(|p| *p == m) {
            panic!("module cycle: {} -> {m}", path[i..].join(" -> "));
        }
        path.push(m);
        for d in &deps[m] {
            visit(d, deps, path, done);
        }
        path.pop();
        done.insert(m);
    }
    let mut done = BTreeSet::new();
    for m in deps.keys() {
        visit(m, &deps, &mut Vec::new(), &mut done);
    }
}
