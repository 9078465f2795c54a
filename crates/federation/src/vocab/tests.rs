//! Tolerance of the readers. Whole documents from real server shapes are in
//! `tests/vocab_samples.rs`.

use serde_json::json;

use super::*;

#[test]
fn to_cc_tag_attachment_url_take_one_value_or_many() {
    let one = json!({
        "id": "https://x.example/n/1", "type": "Note",
        "to": PUBLIC, "cc": ["https://x.example/users/a/followers"],
        "tag": {"type": "Hashtag", "name": "#tea"},
        "attachment": {"type": "Image", "url": "https://x.example/m/1.png"},
        "url": {"type": "Link", "href": "https://x.example/@a/1", "mediaType": "text/html"}
    });
    let Object::Post(post) = Object::from_value(one).unwrap() else { panic!("not a post") };
    assert_eq!(post.to, [PUBLIC]);
    assert_eq!(post.hashtags().next().unwrap().name, "#tea");
    assert!(matches!(&post.attachment[0], Attachment::Media(m) if m.url == "https://x.example/m/1.png"));
    assert_eq!(post.url.html(), Some("https://x.example/@a/1"));
}

#[test]
fn unparsable_list_entries_are_skipped_and_unknown_ones_kept() {
    let v = json!({
        "id": "https://x.example/n/1", "type": "Note",
        "to": [PUBLIC, 7, null],
        "tag": [{"type": "Mention"}, {"type": "Mention", "href": "https://y.example/u/b"}, {"type": "Future"}, "junk"],
        "contentMap": {"en": "<p>hi</p>", "xx": null}
    });
    let Object::Post(post) = Object::from_value(v).unwrap() else { panic!() };
    assert_eq!(post.to, [PUBLIC]);
    // A Mention without href is kept as Other, the good one parsed, the unknown kept, the
    // string dropped.
    assert_eq!(post.tag.len(), 3);
    assert!(matches!(&post.tag[0], Tag::Other(_)));
    assert_eq!(post.mentions().next().unwrap().href, "https://y.example/u/b");
    assert_eq!(post.content_map.len(), 1);
}

#[test]
fn type_arrays_pick_the_known_name() {
    let v = json!({"id": "https://x.example/u/a", "type": ["Service", "schema:Bot"], "inbox": "https://x.example/u/a/inbox"});
    let Object::Actor(actor) = Object::from_value(v).unwrap() else { panic!() };
    assert_eq!(actor.kind, ActorType::Service);
}

#[test]
fn unknown_types_and_missing_types_are_other() {
    let v = json!({"id": "https://x.example/e/1", "type": "Event", "name": "Party"});
    assert_eq!(Object::from_value(v.clone()).unwrap(), Object::Other(v));
    assert_eq!(Object::from_value(json!({"id": "x"})).unwrap().id(), Some("x"));
}

#[test]
fn a_known_type_missing_required_fields_is_an_error() {
    let err = Object::from_value(json!({"type": "Person", "id": "https://x.example/u/a"})).unwrap_err();
    assert!(err.to_string().contains("inbox"), "{err}");
    assert!(Object::from_value(json!({"type": "Note"})).is_err());
}

#[test]
fn object_may_be_an_id_or_embedded_and_flag_objects_are_lists() {
    let undo = json!({
        "id": "https://x.example/u/a#undo/1", "type": "Undo", "actor": "https://x.example/u/a",
        "object": {"id": "https://x.example/u/a#follow/1", "type": "Follow", "actor": "https://x.example/u/a", "object": "https://y.example/u/b"}
    });
    let Object::Activity(undo) = Object::from_value(undo).unwrap() else { panic!() };
    assert_eq!(undo.object_id(), Some("https://x.example/u/a#follow/1"));
    assert_eq!(undo.inner_activity().unwrap().kind, ActivityType::Follow);
    assert_eq!(undo.inner_activity().unwrap().object_id(), Some("https://y.example/u/b"));

    let flag = json!({
        "id": "https://x.example/f/1", "type": "Flag", "actor": "https://x.example/actor",
        "object": ["https://y.example/u/b", "https://y.example/n/9"], "content": "spam"
    });
    let Object::Activity(flag) = Object::from_value(flag.clone()).unwrap() else { panic!() };
    assert_eq!(flag.object.len(), 2);
    // Written back as a list, while a single object is written bare.
    assert_eq!(
        serde_json::to_value(&*flag).unwrap()["object"],
        json!(["https://y.example/u/b", "https://y.example/n/9"])
    );
    assert_eq!(serde_json::to_value(&*undo).unwrap()["object"]["type"], "Follow");
}

#[test]
fn contexts_of_every_shape_are_kept() {
    for context in [
        json!("https://www.w3.org/ns/activitystreams"),
        json!(["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/data-integrity/v1", {"toot": "http://joinmastodon.org/ns#"}]),
        json!({"@vocab": "https://www.w3.org/ns/activitystreams"}),
    ] {
        let v = json!({"@context": context, "id": "https://x.example/n/1", "type": "Note"});
        let Object::Post(post) = Object::from_value(v).unwrap() else { panic!() };
        assert_eq!(post.context.as_ref().unwrap().0, context);
    }
    assert!(Context::canteen().includes("https://w3id.org/security/v1"));
}

#[test]
fn public_addressing_has_three_spellings() {
    assert!(is_public(PUBLIC) && is_public("as:Public") && is_public("Public"));
    assert!(!is_public("https://x.example/u/a/followers"));
}

#[test]
fn a_source_may_be_a_bare_string_and_a_bad_one_is_dropped() {
    let base = serde_json::json!({"id": "https://p.example/n/1", "type": "Note", "content": "<p>x</p>"});
    let with = |source: serde_json::Value| {
        let mut v = base.clone();
        v["source"] = source;
        match Object::from_value(v).expect("the post still parses") {
            Object::Post(p) => p.source,
            other => panic!("not a post: {other:?}"),
        }
    };
    assert_eq!(with(serde_json::json!("plain *text*")).map(|s| s.content), Some("plain *text*".to_string()));
    let object = with(serde_json::json!({"content": "md", "mediaType": "text/markdown"})).unwrap();
    assert_eq!(object.media_type.as_deref(), Some("text/markdown"));
    assert_eq!(with(serde_json::json!(42)), None);
}
