//! A delivery (one event for one webhook), the form it is stored in, and the
//! set of delivery keys a page holds.
//!
//! A stored record holds the event and which webhook it is for, never a
//! request: after a reload (or when another tab takes it over) the request
//! is built again from the settings in force, so a record can only ever be
//! sent where its webhook's current destination sends, with the secrets
//! those settings give. Browser storage is untrusted input: a record that
//! does not read back exactly is skipped.

use super::event::Event;
use super::host::Host;
use super::json::{write_number, write_string, write_value};
use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;
use alloc::rc::Rc;

/// Storage format version of a record.
pub const RECORD_VERSION: f64 = 2.0;

/// One (event, webhook) pair on its way to a destination.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// `event.id:webhook.id`, the same on every attempt.
    pub key: String,
    /// Webhook id.
    pub webhook: String,
    /// Destination id (the lane it waits in).
    pub destination: String,
    /// `event.id`.
    pub event_id: String,
    /// The event, with the page's properties as they were when it happened.
    pub event: Rc<Event>,
    /// Attempts made so far (also across reloads).
    pub attempts: u32,
    /// Earliest time of the next attempt (the engine's monotonic clock).
    pub next_at: f64,
    /// When it became ready to send (monotonic; a batch waits from here).
    pub ready_since: f64,
    /// When the delivery was created (ms since the epoch).
    pub created_at: f64,
    /// A 401 was answered by renewing the token once already.
    pub reauthorized: bool,
    /// Whether a copy is in browser storage.
    pub stored: bool,
    /// It left with `keepalive` as its page went away (outcome unknown).
    pub keepalive_sent: bool,
    /// Bytes its record takes, about (the queue's byte bound).
    pub size: usize,
}

/// A page's stored deliveries may be taken over by another page only when
/// their owner holds no lock *and* none was written in the last
/// [`ADOPT_AFTER_MS`]: a live page takes its lock in the same task as it
/// stores, so this margin covers the moment in between. A record written
/// more than the margin *after* now was written before the clock was set
/// back, so it is old.
pub const ADOPT_AFTER_MS: f64 = 2_000.0;

/// Whether a set of records (of one owner) is old enough to be taken over,
/// at wall-clock time `now`.
pub fn adoptable(records: &[Value], now: f64) -> bool {
    records.iter().all(|r| {
        r.get("storedAt")
            .and_then(Value::as_f64)
            .is_none_or(|t| t <= now - ADOPT_AFTER_MS || t > now + ADOPT_AFTER_MS)
    })
}

/// A record as read back, before the engine checks it against the settings.
#[derive(Debug, PartialEq)]
pub struct Record {
    /// Delivery key.
    pub key: String,
    /// Webhook id.
    pub webhook: String,
    /// The event.
    pub event: Event,
    /// Attempts made.
    pub attempts: u32,
    /// Next attempt, ms since the epoch.
    pub next_at: f64,
    /// Created, ms since the epoch.
    pub created_at: f64,
    /// It left with keepalive as its page went away.
    pub keepalive_sent: bool,
}

/// Bytes a delivery's record takes beyond its event's properties, about.
pub const RECORD_OVERHEAD: usize = 96;

impl Delivery {
    /// A new delivery (no attempt yet), ready at `now` (monotonic);
    /// `created_at` is wall-clock time, `size` its record's bytes, about.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key: String,
        webhook: String,
        destination: String,
        event_id: String,
        event: Rc<Event>,
        now: f64,
        created_at: f64,
        size: usize,
    ) -> Delivery {
        Delivery {
            key,
            webhook,
            destination,
            event_id,
            event,
            attempts: 0,
            next_at: now,
            ready_since: now,
            created_at,
            reauthorized: false,
            stored: false,
            keepalive_sent: false,
            size,
        }
    }

    /// The storage record: compact JSON, no secrets. `wall_next_at` and
    /// `wall_now` are wall-clock times (another page reads them).
    pub fn to_record(&self, host: &dyn Host, wall_next_at: f64, wall_now: f64) -> String {
        let mut out = String::with_capacity(self.size + 64);
        out.push_str("{\"v\":2,\"key\":");
        write_string(&mut out, &self.key);
        out.push_str(",\"webhook\":");
        write_string(&mut out, &self.webhook);
        out.push_str(",\"destination\":");
        write_string(&mut out, &self.destination);
        out.push_str(",\"event\":{");
        for (i, (k, v)) in self.event.all().into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(&mut out, k);
            out.push(':');
            write_value(&mut out, v, host);
        }
        out.push_str("},\"attempts\":");
        write_number(&mut out, self.attempts as f64, host);
        out.push_str(",\"nextAt\":");
        write_number(&mut out, crate::core::num::floor(wall_next_at), host);
        out.push_str(",\"createdAt\":");
        write_number(&mut out, crate::core::num::floor(self.created_at), host);
        out.push_str(",\"storedAt\":");
        write_number(&mut out, crate::core::num::floor(wall_now), host);
        if self.keepalive_sent {
            out.push_str(",\"keepalive\":true");
        }
        out.push('}');
        out
    }
}

impl Record {
    /// Reads a stored record; `None` for anything malformed or inconsistent
    /// (the key must be the event's id and the webhook's id).
    pub fn read(v: &Value) -> Option<Record> {
        if v.get("v")?.as_f64()? != RECORD_VERSION {
            return None;
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let num = |k: &str| {
            v.get(k)
                .and_then(Value::as_f64)
                .filter(|n| n.is_finite() && *n >= 0.0)
        };
        let key = s("key")?;
        let webhook = s("webhook")?;
        let event = match v.get("event")? {
            Value::Object(pairs) => Event::from_stored(pairs.clone()),
            _ => return None,
        };
        let id = event.str("event.id")?;
        if key.len() != id.len() + 1 + webhook.len()
            || !key.starts_with(id)
            || !key.ends_with(&webhook)
            || key.as_bytes()[id.len()] != b':'
        {
            return None;
        }
        Some(Record {
            key,
            webhook,
            attempts: num("attempts")?.min(1000.0) as u32,
            next_at: num("nextAt")?,
            created_at: num("createdAt")?,
            keepalive_sent: v.get("keepalive").and_then(Value::as_bool) == Some(true),
            event,
        })
    }
}

/// The delivery keys a page holds, so that the same event (a caller's
/// `event.id`) is one delivery per webhook however often it arrives, and a
/// record is not taken over twice, in constant time per look-up.
///
/// Open addressing over 64-bit FNV-1a hashes of the keys (a collision of two
/// different keys in 2^64 is not a practical concern: it would only make a
/// second, different event look like a repeat).
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    slots: Vec<u64>,
    len: usize,
    used: usize,
}

const EMPTY: u64 = 0;
const GONE: u64 = 1;

fn hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(2)
}

impl KeySet {
    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn find(&self, h: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            match self.slots[i] {
                EMPTY => return None,
                x if x == h => return Some(i),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Whether `key` is held.
    pub fn contains(&self, key: &str) -> bool {
        self.find(hash(key)).is_some()
    }

    /// Adds `key`; false when it was held already.
    pub fn insert(&mut self, key: &str) -> bool {
        let h = hash(key);
        if self.find(h).is_some() {
            return false;
        }
        if (self.used + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        while self.slots[i] > GONE {
            i = (i + 1) & mask;
        }
        if self.slots[i] == EMPTY {
            self.used += 1;
        }
        self.slots[i] = h;
        self.len += 1;
        true
    }

    /// Removes `key`; false when it was not held.
    pub fn remove(&mut self, key: &str) -> bool {
        match self.find(hash(key)) {
            Some(i) => {
                self.slots[i] = GONE;
                self.len -= 1;
                true
            }
            None => false,
        }
    }

    fn grow(&mut self) {
        let size = ((self.len + 1) * 4).next_power_of_two().max(16);
        let old = core::mem::replace(&mut self.slots, vec![EMPTY; size]);
        self.used = 0;
        self.len = 0;
        let mask = size - 1;
        for h in old.into_iter().filter(|&h| h > GONE) {
            let mut i = (h as usize) & mask;
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = h;
            self.used += 1;
            self.len += 1;
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn key_set_inserts_removes_and_grows() {
        let mut s = KeySet::default();
        for i in 0..10_000 {
            assert!(s.insert(&format!("e{i}:w")));
        }
        assert!(!s.insert("e5:w"));
        assert_eq!(s.len(), 10_000);
        for i in (0..10_000).step_by(2) {
            assert!(s.remove(&format!("e{i}:w")));
        }
        assert!(!s.remove("e0:w"));
        assert!(!s.contains("e2:w") && s.contains("e3:w"));
        assert_eq!(s.len(), 5_000);
        let size = s.slots.len();
        // Removed slots are reused (or swept by a rehash): no growth.
        for _ in 0..10 {
            for i in 0..1000 {
                s.insert(&format!("x{i}"));
            }
            for i in 0..1000 {
                s.remove(&format!("x{i}"));
            }
        }
        assert_eq!(s.slots.len(), size);
    }
}
