//! The event catalog: the 32 WalkMe events a webhook can listen to, and the
//! properties each one carries, so the editor can offer them in its
//! Conditions and Advanced dropdowns. Event ids are part of the contract.

use super::value::Value;
#[allow(unused_imports)]
use crate::core::prelude::*;

/// The JSON type of a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    String,
    /// A number.
    Number,
    /// `true` / `false`.
    Boolean,
    /// A list of strings.
    List,
}

impl Kind {
    /// The name used in `catalog()` output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::List => "list",
        }
    }
}

/// One property an event carries.
pub type Property = (&'static str, Kind);

/// One event of the catalog.
#[derive(Debug)]
pub struct EventInfo {
    /// Contract id, e.g. `survey.submitted`.
    pub id: &'static str,
    /// Group shown in the editor's dropdown, e.g. `Survey`.
    pub group: &'static str,
    /// Display name, e.g. `Survey Submitted`.
    pub name: &'static str,
    /// What the event means.
    pub description: &'static str,
    /// Whether it is about a WalkMe item (and so carries `item.*`).
    pub item: bool,
    /// Properties of its own, beyond the common and item ones.
    pub own: &'static [Property],
}

use Kind::{Boolean as B, List as L, Number as N, String as S};

/// Properties every event carries, filled in by the module.
pub const COMMON: &[Property] = &[
    ("event.id", S),
    ("event.type", S),
    ("event.name", S),
    ("event.timestamp", N),
    ("session.id", S),
    ("user.id", S),
    ("page.url", S),
    ("page.path", S),
    ("page.title", S),
    ("page.referrer", S),
    ("env.language", S),
    ("env.userAgent", S),
];

/// Properties of events about a WalkMe item.
pub const ITEM: &[Property] = &[("item.id", S), ("item.name", S), ("item.type", S)];

const STEP: &[Property] = &[("step.id", S), ("step.name", S), ("step.index", N)];
const GOAL: &[Property] = &[("goal.id", S), ("goal.name", S)];
const SURVEY: &[Property] = &[("survey.id", S), ("survey.name", S)];
const COURSE: &[Property] = &[("course.id", S), ("course.name", S)];
const QUIZ: &[Property] = &[
    ("course.id", S),
    ("course.name", S),
    ("quiz.id", S),
    ("quiz.name", S),
    ("quiz.score", N),
    ("quiz.passingScore", N),
];

/// The 32 event ids, in the editor's order (the runtime needs no more of
/// the catalog than these and [`NAMES`]).
pub const IDS: [&str; 32] = [
    "swt.step_played",
    "swt.goal_reached",
    "swt.started",
    "swt.failed",
    "launcher.clicked",
    "onboarding.task_completed",
    "shoutout.action_clicked",
    "shoutout.dismissed",
    "shoutout.goal_reached",
    "shoutout.shown",
    "smarttip.shown",
    "smarttip.validation_error",
    "survey.question_answered",
    "survey.dismissed",
    "survey.submitted",
    "menu.opened",
    "menu.searched",
    "menu.item_selected",
    "shuttle.goal_reached",
    "resource.clicked",
    "resource.goal_reached",
    "teachme.visible",
    "teachme.step_started",
    "teachme.course_started",
    "teachme.course_completed",
    "teachme.quiz_played",
    "teachme.quiz_submitted",
    "teachme.quiz_passed",
    "teachme.quiz_failed",
    "dxa.click",
    "dxa.input",
    "dxa.page_view",
];

/// Display names (`event.name`), in the order of [`IDS`].
pub const NAMES: [&str; 32] = [
    "Smart Walk-Thru Step Played",
    "Smart Walk-Thru Goal Reached",
    "Smart Walk-Thru Started",
    "Smart Walk-Thru Failed",
    "Launcher Clicked",
    "Onboarding Task Completed",
    "ShoutOut Action Clicked",
    "ShoutOut Dismissed",
    "ShoutOut Goal Reached",
    "ShoutOut Shown",
    "SmartTip Message Shown",
    "SmartTip Validation Error",
    "Survey Question Answered",
    "Survey Dismissed",
    "Survey Submitted",
    "Menu Opened",
    "Menu Search",
    "Menu Item Selected",
    "Shuttle Goal Reached",
    "Resource Clicked",
    "Resource Goal Reached",
    "TeachMe Visible",
    "TeachMe Step Started",
    "TeachMe Course Started",
    "TeachMe Course Completed",
    "Quiz Played",
    "Quiz Submitted",
    "Quiz Passed",
    "Quiz Failed",
    "Click/Tap",
    "User Input",
    "Page View",
];

/// The position of an event id in [`IDS`].
pub fn index(id: &str) -> Option<usize> {
    IDS.iter().position(|e| *e == id)
}

macro_rules! ev {
    ($i:literal, $group:literal, $item:literal, $own:expr, $desc:literal) => {
        EventInfo {
            id: IDS[$i],
            group: $group,
            name: NAMES[$i],
            description: $desc,
            item: $item,
            own: $own,
        }
    };
}

/// The catalog, in the editor's order.
pub const EVENTS: &[EventInfo] = &[
    ev!(
        0,
        "Smart Walk-Thru",
        true,
        STEP,
        "A specific step of a Smart Walk-Thru was played."
    ),
    ev!(
        1,
        "Smart Walk-Thru",
        true,
        GOAL,
        "A goal set for a Smart Walk-Thru was reached."
    ),
    ev!(
        2,
        "Smart Walk-Thru",
        true,
        &[("play.source", S)],
        "A Smart Walk-Thru was shown to the user."
    ),
    ev!(
        3,
        "Smart Walk-Thru",
        true,
        &[
            ("step.id", S),
            ("step.name", S),
            ("step.index", N),
            ("failure.reason", S)
        ],
        "A Smart Walk-Thru could not be played."
    ),
    ev!(4, "Launcher", true, &[], "The user clicked a Launcher."),
    ev!(
        5,
        "Onboarding",
        true,
        &[("task.index", N)],
        "An onboarding task was completed."
    ),
    ev!(
        6,
        "ShoutOut",
        true,
        &[("action.id", S), ("action.text", S)],
        "The user clicked an action button of a ShoutOut."
    ),
    ev!(
        7,
        "ShoutOut",
        true,
        &[("dismiss.method", S)],
        "A ShoutOut was dismissed."
    ),
    ev!(
        8,
        "ShoutOut",
        true,
        GOAL,
        "A goal set for a ShoutOut was reached."
    ),
    ev!(
        9,
        "ShoutOut",
        true,
        &[],
        "A ShoutOut was shown to the user."
    ),
    ev!(
        10,
        "SmartTip",
        true,
        &[("tip.text", S)],
        "A SmartTip message was shown to the user."
    ),
    ev!(
        11,
        "SmartTip",
        true,
        &[
            ("field.name", S),
            ("validation.rule", S),
            ("validation.message", S)
        ],
        "A SmartTip validation rule was triggered."
    ),
    ev!(
        12,
        "Survey",
        true,
        &[
            ("survey.id", S),
            ("survey.name", S),
            ("question.id", S),
            ("question.text", S),
            ("question.type", S),
            ("answer.value", S)
        ],
        "The user answered a specific survey question."
    ),
    ev!(
        13,
        "Survey",
        true,
        SURVEY,
        "The user started a survey but did not submit it."
    ),
    ev!(
        14,
        "Survey",
        true,
        &[
            ("survey.id", S),
            ("survey.name", S),
            ("question.id", S),
            ("question.text", S),
            ("answer.value", S),
            ("answers.count", N)
        ],
        "The user submitted a survey."
    ),
    ev!(
        15,
        "Menu",
        false,
        &[("menu.trigger", S)],
        "The WalkMe menu was opened."
    ),
    ev!(
        16,
        "Menu",
        false,
        &[("menu.query", S), ("menu.results", N)],
        "The menu's search bar was used."
    ),
    ev!(
        17,
        "Menu",
        true,
        &[("menu.query", S), ("menu.position", N)],
        "The user selected a search result or item in the menu."
    ),
    ev!(
        18,
        "Shuttle",
        true,
        &[("goal.id", S), ("goal.name", S), ("shuttle.url", S)],
        "A Shuttle goal was reached."
    ),
    ev!(
        19,
        "Resource",
        true,
        &[("resource.url", S)],
        "A resource was used."
    ),
    ev!(20, "Resource", true, GOAL, "A resource goal was reached."),
    ev!(
        21,
        "TeachMe",
        false,
        COURSE,
        "A TeachMe course was visible."
    ),
    ev!(
        22,
        "TeachMe",
        false,
        &[
            ("course.id", S),
            ("course.name", S),
            ("lesson.id", S),
            ("lesson.name", S),
            ("step.id", S),
            ("step.name", S),
            ("step.index", N)
        ],
        "A TeachMe step was started."
    ),
    ev!(
        23,
        "TeachMe",
        false,
        COURSE,
        "A TeachMe course was started."
    ),
    ev!(
        24,
        "TeachMe",
        false,
        &[
            ("course.id", S),
            ("course.name", S),
            ("course.durationMs", N)
        ],
        "A TeachMe course was completed."
    ),
    ev!(
        25,
        "TeachMe",
        false,
        &[
            ("course.id", S),
            ("course.name", S),
            ("quiz.id", S),
            ("quiz.name", S)
        ],
        "A quiz was played."
    ),
    ev!(26, "TeachMe", false, QUIZ, "A quiz was submitted."),
    ev!(
        27,
        "TeachMe",
        false,
        QUIZ,
        "A quiz was submitted and passed."
    ),
    ev!(
        28,
        "TeachMe",
        false,
        QUIZ,
        "A quiz was submitted and failed."
    ),
    ev!(
        29,
        "DXA",
        false,
        &[
            ("element.tag", S),
            ("element.id", S),
            ("element.classes", L),
            ("element.text", S),
            ("element.path", S),
            ("element.href", S),
            ("pointer.type", S)
        ],
        "An element of the website was clicked or tapped."
    ),
    ev!(
        30,
        "DXA",
        false,
        &[
            ("element.tag", S),
            ("element.id", S),
            ("element.path", S),
            ("input.name", S),
            ("input.type", S),
            ("input.value", S),
            ("input.empty", B)
        ],
        "An input field was interacted with."
    ),
    ev!(
        31,
        "DXA",
        false,
        &[("navigation.type", S)],
        "A page of the website was viewed."
    ),
];

/// The event with this id.
pub fn find(id: &str) -> Option<&'static EventInfo> {
    EVENTS.iter().find(|e| e.id == id)
}

impl EventInfo {
    /// Every property the event carries: common, item (when an item event)
    /// and its own, in that order, without repeats.
    pub fn properties(&self) -> impl Iterator<Item = &'static Property> {
        let item: &'static [Property] = if self.item { ITEM } else { &[] };
        COMMON.iter().chain(item.iter()).chain(self.own.iter())
    }

    /// Whether `name` is one of the event's catalog properties.
    pub fn has_property(&self, name: &str) -> bool {
        self.properties().any(|(n, _)| *n == name) || name.starts_with("user.")
    }
}

/// The catalog as data for `catalog()`: a list of
/// `{ id, group, name, description, properties: [{ name, type }] }`.
pub fn to_value() -> Value {
    Value::Array(
        EVENTS
            .iter()
            .map(|e| {
                let props = e
                    .properties()
                    .map(|(n, k)| {
                        Value::Object(vec![
                            ("name".into(), (*n).into()),
                            ("type".into(), k.name().into()),
                        ])
                    })
                    .collect();
                Value::Object(vec![
                    ("id".into(), e.id.into()),
                    ("group".into(), e.group.into()),
                    ("name".into(), e.name.into()),
                    ("description".into(), e.description.into()),
                    ("properties".into(), Value::Array(props)),
                ])
            })
            .collect(),
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn has_the_32_contract_events_with_unique_ids() {
        assert_eq!(EVENTS.len(), 32);
        let ids: HashSet<_> = EVENTS.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), 32);
        for id in [
            "swt.step_played",
            "survey.submitted",
            "teachme.quiz_failed",
            "dxa.page_view",
            "menu.searched",
        ] {
            assert!(find(id).is_some(), "{id}");
        }
        assert!(find("survey.nope").is_none());
    }

    #[test]
    fn groups_follow_the_contract_order() {
        let mut groups: Vec<&str> = Vec::new();
        for e in EVENTS {
            if groups.last() != Some(&e.group) {
                assert!(!groups.contains(&e.group), "group {} is split", e.group);
                groups.push(e.group);
            }
        }
        assert_eq!(
            groups,
            [
                "Smart Walk-Thru",
                "Launcher",
                "Onboarding",
                "ShoutOut",
                "SmartTip",
                "Survey",
                "Menu",
                "Shuttle",
                "Resource",
                "TeachMe",
                "DXA"
            ]
        );
    }

    #[test]
    fn events_carry_common_item_and_own_properties_without_repeats() {
        let survey = find("survey.submitted").unwrap();
        let names: Vec<_> = survey.properties().map(|p| p.0).collect();
        assert_eq!(names[0], "event.id");
        assert!(names.contains(&"item.name"));
        assert!(names.contains(&"answer.value"));
        for e in EVENTS {
            let all: Vec<_> = e.properties().map(|p| p.0).collect();
            let unique: HashSet<_> = all.iter().collect();
            assert_eq!(all.len(), unique.len(), "{} repeats a property", e.id);
        }
        assert!(!find("dxa.click").unwrap().has_property("item.id"));
        assert!(find("dxa.click").unwrap().has_property("element.path"));
        assert!(find("dxa.click").unwrap().has_property("user.role"));
    }

    #[test]
    fn catalog_value_lists_every_event_with_typed_properties() {
        let v = to_value();
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), 32);
        let quiz = list
            .iter()
            .find(|e| e.get("id").unwrap().as_str() == Some("teachme.quiz_passed"))
            .unwrap();
        assert_eq!(quiz.get("name").unwrap().as_str(), Some("Quiz Passed"));
        let props = quiz.get("properties").unwrap().as_array().unwrap();
        let score = props
            .iter()
            .find(|p| p.get("name").unwrap().as_str() == Some("quiz.score"))
            .unwrap();
        assert_eq!(score.get("type").unwrap().as_str(), Some("number"));
    }
}
