//! Documents in the shapes Mastodon, GoToSocial, Misskey, Pleroma/Akkoma, Mitra, Fedify and Lemmy
//! send (written for these tests from their documentation and observed shapes, not copied): each
//! is parsed, checked, written back and read again to the same value.

use canteen_federation::audience::{IncomingVisibility, incoming_visibility};
use canteen_federation::vocab::{
    Activity, ActivityType, Actor, ActorType, Attachment, Object, PUBLIC, Post, PostType, Reference, Tag,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Parses, writes back, parses again: the two readings must be equal.
fn round_trip(v: Value) -> Object {
    let first = Object::from_value(v).expect("parses");
    let written = serde_json::to_value(&first).unwrap();
    let second = Object::from_value(written.clone()).expect("re-parses");
    assert_eq!(first, second, "round trip changed the object; written: {written:#}");
    first
}

fn actor(o: Object) -> Actor {
    match o {
        Object::Actor(a) => *a,
        other => panic!("not an actor: {other:?}"),
    }
}

fn post(o: Object) -> Post {
    match o {
        Object::Post(p) => *p,
        other => panic!("not a post: {other:?}"),
    }
}

fn activity(o: Object) -> Activity {
    match o {
        Object::Activity(a) => *a,
        other => panic!("not an activity: {other:?}"),
    }
}

fn embedded_post(a: &Activity) -> &Post {
    match a.embedded_object() {
        Some(Object::Post(p)) => p,
        other => panic!("no embedded post: {other:?}"),
    }
}

#[test]
fn mastodon_person() {
    let a = actor(round_trip(load("mastodon_person.json")));
    assert_eq!(a.kind, ActorType::Person);
    assert_eq!(a.preferred_username.as_deref(), Some("nurse_jo"));
    assert_eq!(a.url.html(), Some("https://mastodon.example/@nurse_jo"));
    assert_eq!(a.preferred_inbox(), "https://mastodon.example/inbox");
    assert!(a.manually_approves_followers);
    assert_eq!((a.discoverable, a.indexable), (Some(true), Some(false)));
    let key = a.public_key.as_ref().unwrap();
    assert_eq!(key.id, "https://mastodon.example/users/nurse_jo#main-key");
    assert_eq!(key.owner, a.id);
    assert!(key.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(a.featured.as_deref(), Some("https://mastodon.example/users/nurse_jo/collections/featured"));
    assert_eq!(a.also_known_as, ["https://old.example/users/jo"]);
    let fields: Vec<(&str, &str)> = a
        .attachment
        .iter()
        .filter_map(
            |f| if let Attachment::PropertyValue(p) = f { Some((p.name.as_str(), p.value.as_str())) } else { None },
        )
        .collect();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0], ("Pronouns", "she/her"));
    assert!(matches!(&a.tag[0], Tag::Emoji(e) if e.name == ":stethoscope:"));
    assert_eq!(a.icon.as_ref().unwrap().url, "https://files.mastodon.example/accounts/avatars/1.jpg");
    assert_eq!(a.image.as_ref().unwrap().media_type.as_deref(), Some("image/png"));
}

#[test]
fn mastodon_create_note_with_everything() {
    let create = activity(round_trip(load("mastodon_create_note.json")));
    assert_eq!(create.kind, ActivityType::Create);
    assert_eq!(create.actor_id(), Some("https://mastodon.example/users/nurse_jo"));
    let note = embedded_post(&create);
    assert_eq!(note.kind, PostType::Note);
    assert_eq!(note.author(), Some("https://mastodon.example/users/nurse_jo"));
    assert_eq!(note.summary.as_deref(), Some("night shift"));
    assert!(note.sensitive);
    assert_eq!(
        note.in_reply_to.as_ref().and_then(Reference::id),
        Some("https://canteen.example/users/alice/statuses/7000")
    );
    assert_eq!(note.content_map.get("en"), note.content.as_ref());
    assert_eq!(note.updated.as_deref(), Some("2026-11-20T21:10:00Z"));
    assert_eq!(note.mentions().map(|m| m.href.as_str()).collect::<Vec<_>>(), ["https://canteen.example/users/alice"]);
    assert_eq!(note.hashtags().next().unwrap().name, "#nhs");
    assert_eq!(note.emojis().next().unwrap().icon.url, "https://files.mastodon.example/custom_emojis/4242.png");
    let Attachment::Media(media) = &note.attachment[0] else { panic!("no media") };
    assert_eq!(media.kind, "Document");
    assert_eq!(media.media_type.as_deref(), Some("image/jpeg"));
    assert_eq!(media.name.as_deref(), Some("A rota printed on A3 pinned to a corkboard"));
    assert_eq!(media.blurhash.as_deref(), Some("UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"));
    assert_eq!((media.width, media.height), (Some(1600), Some(1200)));
    assert_eq!(media.focal_point, Some([0.0, -0.25]));
    assert_eq!(
        incoming_visibility(&note.to, &note.cc, Some("https://mastodon.example/users/nurse_jo/followers")),
        IncomingVisibility::Public
    );
}

#[test]
fn mastodon_poll() {
    let q = post(round_trip(load("mastodon_question.json")));
    assert_eq!(q.kind, PostType::Question);
    assert!(q.is_poll());
    assert_eq!(
        q.one_of.iter().map(|o| (o.name.as_str(), o.votes())).collect::<Vec<_>>(),
        [("SBAR", 9), ("Free text", 3)]
    );
    assert_eq!(q.voters_count, Some(12));
    assert_eq!(q.end_time.as_deref(), Some("2026-11-22T08:00:00Z"));
    assert_eq!(
        incoming_visibility(&q.to, &q.cc, Some("https://mastodon.example/users/nurse_jo/followers")),
        IncomingVisibility::Private
    );
}

#[test]
fn mastodon_follow_accept_undo_announce_delete_flag_block_move_reject() {
    let Value::Array(items) = load("mastodon_misc_activities.json") else { panic!() };
    let acts: Vec<Activity> = items.into_iter().map(|v| activity(round_trip(v))).collect();
    let kinds: Vec<&str> = acts.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["Follow", "Accept", "Undo", "Announce", "Delete", "Delete", "Flag", "Block", "Move", "Reject"]);

    assert_eq!(acts[0].object_id(), Some("https://canteen.example/users/alice"));
    assert_eq!(acts[1].inner_activity().map(|f| f.kind.clone()), Some(ActivityType::Follow));
    assert_eq!(acts[1].object_id(), Some("https://mastodon.example/users/nurse_jo#follows/311"));
    assert_eq!(acts[2].inner_activity().unwrap().kind, ActivityType::Like);
    assert_eq!(acts[3].object_id(), Some("https://canteen.example/users/alice/statuses/7000"));
    assert_eq!(acts[3].to, [PUBLIC]);
    assert!(matches!(acts[4].embedded_object(), Some(Object::Tombstone(t)) if t.id.ends_with("113500000000000001")));
    assert_eq!(acts[5].object_id(), acts[5].actor_id());
    assert_eq!(acts[6].object.len(), 2);
    assert_eq!(acts[6].content.as_deref(), Some("Posting patient details"));
    assert_eq!(acts[8].target.as_ref().and_then(Reference::id), Some("https://mastodon.example/users/nurse_jo"));
    assert_eq!(acts[9].object_id(), Some("https://mastodon.example/users/nurse_jo#follows/311"));
}

#[test]
fn gotosocial_person_and_note() {
    let a = actor(round_trip(load("gotosocial_person.json")));
    assert_eq!(a.public_key.as_ref().unwrap().id, "https://gts.example/users/pharm_sam/main-key");
    assert_eq!(a.preferred_inbox(), "https://gts.example/sharedInbox");
    assert_eq!(a.discoverable, Some(false));
    assert!(a.tag.is_empty());

    let n = post(round_trip(load("gotosocial_note.json")));
    // Single values where Mastodon writes arrays.
    assert_eq!(n.to, [PUBLIC]);
    assert_eq!(n.cc, ["https://gts.example/users/pharm_sam/followers"]);
    assert_eq!(n.hashtags().count(), 1);
    let Attachment::Media(m) = &n.attachment[0] else { panic!() };
    assert_eq!(m.kind, "Image");
    assert_eq!(m.name.as_deref(), Some("Chart of dispensing times by hour"));
    assert_eq!(n.summary.as_deref(), Some(""));
}

#[test]
fn misskey_person_note_and_reaction() {
    let a = actor(round_trip(load("misskey_person.json")));
    assert_eq!(a.name.as_deref(), Some("ねこ先生"));
    assert!(a.image.is_none(), "image: null is no image");
    assert_eq!(a.icon.as_ref().unwrap().url, "https://misskey.example/files/avatar.webp");
    assert!(matches!(&a.attachment[0], Attachment::PropertyValue(p) if p.name == "Website"));
    assert!(matches!(&a.attachment[1], Attachment::Other(v) if v["type"] == "IdentityProof"));

    let Value::Array(items) = load("misskey_activities.json") else { panic!() };
    let acts: Vec<Activity> = items.into_iter().map(|v| activity(round_trip(v))).collect();
    let note = embedded_post(&acts[0]);
    assert_eq!(note.source.as_ref().unwrap().media_type.as_deref(), Some("text/x.misskeymarkdown"));
    assert!(note.in_reply_to.is_none());
    assert!(matches!(&note.attachment[0], Attachment::Media(m) if m.sensitive == Some(true) && m.name.is_none()));
    assert_eq!(note.emojis().count(), 1);
    assert!(matches!(&note.tag[1], Tag::Other(v) if v["type"] == "Link"), "the quote link is kept");

    let like = &acts[1];
    assert_eq!(like.kind, ActivityType::Like);
    assert_eq!(like.content.as_deref(), Some(":blobcat_ok:"));
    assert!(matches!(&like.tag[0], Tag::Emoji(_)));
}

#[test]
fn fedify_organisation_with_extra_contexts_and_a_proof() {
    let a = actor(round_trip(load("fedify_person.json")));
    assert_eq!(a.kind, ActorType::Organization);
    assert!(a.context.as_ref().unwrap().includes("https://w3id.org/security/data-integrity/v1"));
    assert_eq!(a.url.html(), Some("https://college.example/@royalcollege"));
    assert_eq!(a.public_key.as_ref().unwrap().id, "https://college.example/ap/actors/royal-college#main-key");
    assert_eq!(a.preferred_inbox(), "https://college.example/ap/inbox");

    let create = activity(round_trip(load("fedify_create.json")));
    assert_eq!(create.to, [PUBLIC]);
    let note = embedded_post(&create);
    assert_eq!(note.url.html(), Some("https://college.example/posts/1"));
    assert_eq!(note.content_map.keys().collect::<Vec<_>>(), ["en-GB"]);
    let Attachment::Media(pdf) = &note.attachment[0] else { panic!() };
    assert_eq!(pdf.url, "https://college.example/files/guidance.pdf");
    assert_eq!(incoming_visibility(&note.to, &note.cc, a.followers.as_deref()), IncomingVisibility::Public);
}

#[test]
fn lemmy_group_and_page() {
    let Value::Array(items) = load("lemmy_group_page.json") else { panic!() };
    let mut objects = items.into_iter().map(round_trip);
    let group = actor(objects.next().unwrap());
    assert_eq!(group.kind, ActorType::Group);
    let page = post(objects.next().unwrap());
    assert_eq!(page.kind, PostType::Page);
    assert_eq!(page.name.as_deref(), Some("What do you eat on nights?"));
    assert!(matches!(&page.attachment[0], Attachment::Other(v) if v["type"] == "Link"));
}

#[test]
fn what_we_write_looks_like_mastodon() {
    use canteen_federation::vocab::{Context, Links, MediaAttachment, Mention};
    let note = Post {
        context: Some(Context::canteen()),
        id: "https://canteen.example/users/alice/statuses/1".into(),
        kind: PostType::Note,
        attributed_to: vec![Reference::from("https://canteen.example/users/alice")],
        content: Some("<p>hello</p>".into()),
        content_map: [("en".to_string(), "<p>hello</p>".to_string())].into(),
        source: None,
        name: None,
        summary: None,
        sensitive: false,
        in_reply_to: None,
        published: Some("2026-11-21T10:00:00Z".into()),
        updated: None,
        url: Links::one("https://canteen.example/@alice/1"),
        to: vec![PUBLIC.into()],
        cc: vec!["https://canteen.example/users/alice/followers".into()],
        tag: vec![Tag::Mention(Mention {
            href: "https://m.example/users/b".into(),
            name: Some("@b@m.example".into()),
        })],
        attachment: vec![Attachment::Media(MediaAttachment {
            kind: "Document".into(),
            media_type: Some("image/png".into()),
            url: "https://canteen.example/system/media/k".into(),
            name: Some("alt".into()),
            blurhash: None,
            width: Some(10),
            height: Some(10),
            focal_point: None,
            sensitive: None,
        })],
        conversation: None,
        one_of: vec![],
        any_of: vec![],
        end_time: None,
        closed: None,
        voters_count: None,
    };
    let v = serde_json::to_value(&note).unwrap();
    assert_eq!(v["type"], "Note");
    assert_eq!(v["attributedTo"], "https://canteen.example/users/alice");
    assert_eq!(v["url"], "https://canteen.example/@alice/1");
    assert_eq!(v["to"], serde_json::json!([PUBLIC]));
    assert_eq!(v["sensitive"], false);
    assert_eq!(v["tag"][0]["type"], "Mention");
    assert_eq!(v["attachment"][0]["type"], "Document");
    assert_eq!(v["@context"][0], "https://www.w3.org/ns/activitystreams");
    assert!(v.get("inReplyTo").is_none() && v.get("oneOf").is_none());
    assert_eq!(post(round_trip(v)), note);

    let follow = Activity::new(
        ActivityType::Follow,
        "https://canteen.example/follows/1",
        "https://canteen.example/users/alice",
        Reference::from("https://m.example/users/b"),
    );
    let v = serde_json::to_value(&follow).unwrap();
    assert_eq!(v["object"], "https://m.example/users/b");
    assert_eq!(activity(round_trip(v)), follow);
}

#[test]
fn pleroma_person_and_note_and_reaction() {
    let a = actor(round_trip(load("pleroma_person.json")));
    assert_eq!(a.kind, ActorType::Person);
    assert_eq!(a.preferred_username.as_deref(), Some("midwife_priya"));
    assert!(a.context.as_ref().unwrap().includes("https://pleroma.example/schemas/litepub-0.1.jsonld"));
    assert_eq!(a.url.html(), Some(a.id.as_str()), "Pleroma's profile page is the actor id");
    assert_eq!(a.preferred_inbox(), "https://pleroma.example/inbox", "the OAuth endpoints beside it are ignored");
    assert_eq!(a.discoverable, Some(true));
    assert!(!a.manually_approves_followers);
    let key = a.public_key.as_ref().unwrap();
    assert_eq!(key.id, "https://pleroma.example/users/midwife_priya#main-key");
    assert_eq!(key.owner, a.id);
    assert!(key.public_key_pem.ends_with("-----END PUBLIC KEY-----\n\n"), "Pleroma's PEM, kept byte for byte");
    assert_eq!(a.icon.as_ref().unwrap().url, "https://pleroma.example/media/3a9d0c5e-avatar.png");
    assert!(a.image.as_ref().unwrap().media_type.is_none());
    assert!(matches!(
        &a.attachment[..],
        [Attachment::PropertyValue(p), Attachment::PropertyValue(_)] if p.name == "Unit"
    ));
    assert!(a.tag.is_empty() && a.also_known_as.is_empty());

    let create = activity(round_trip(load("pleroma_create_note.json")));
    assert_eq!(create.kind, ActivityType::Create);
    assert_eq!(create.actor_id(), Some(a.id.as_str()));
    let note = embedded_post(&create);
    assert_eq!(note.kind, PostType::Note);
    assert_eq!(note.author(), Some(a.id.as_str()));
    assert_eq!(
        note.conversation.as_deref(),
        Some("tag:pleroma.example,2026-11-21:objectId=48213:objectType=Conversation")
    );
    assert_eq!(note.summary.as_deref(), Some(""), "an empty summary is no content warning, but kept as sent");
    assert!(!note.sensitive);
    assert_eq!(note.content_map.get("en"), note.content.as_ref());
    let source = note.source.as_ref().unwrap();
    assert_eq!(source.media_type.as_deref(), Some("text/markdown"));
    assert!(source.content.starts_with("@alice@canteen.example "));
    assert_eq!(note.mentions().map(|m| m.href.as_str()).collect::<Vec<_>>(), ["https://canteen.example/users/alice"]);
    assert_eq!(note.hashtags().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["#midwifery"]);
    let Attachment::Media(media) = &note.attachment[0] else { panic!("no media") };
    assert_eq!(media.kind, "Document");
    assert_eq!(media.url, "https://pleroma.example/media/e2c4a8f1-poster.jpg", "from a list of Links");
    assert_eq!(media.name.as_deref(), Some("A hand-drawn poster of the drop-in times taped to a clinic door"));
    assert_eq!((media.width, media.height), (Some(1200), Some(1600)));
    assert_eq!(incoming_visibility(&note.to, &note.cc, a.followers.as_deref()), IncomingVisibility::Public);

    let react = activity(round_trip(load("pleroma_emoji_react.json")));
    assert_eq!(react.kind, ActivityType::EmojiReact);
    assert_eq!(react.actor_id(), Some(a.id.as_str()));
    assert_eq!(react.object_id(), Some("https://canteen.example/users/alice/statuses/7000"));
    assert_eq!(react.content.as_deref(), Some("👍"));
    assert!(react.tag.is_empty(), "a Unicode emoji needs no Emoji tag");
}

#[test]
fn mitra_person_and_direct_note_with_a_proof() {
    let a = actor(round_trip(load("mitra_person.json")));
    assert_eq!(a.kind, ActorType::Person);
    assert_eq!(a.preferred_username.as_deref(), Some("pharmacist_lee"));
    let context = a.context.as_ref().unwrap();
    for iri in [
        "https://w3id.org/security/v1",
        "https://w3id.org/security/data-integrity/v1",
        "https://w3id.org/security/multikey/v1",
    ] {
        assert!(context.includes(iri), "{iri}");
    }
    assert_eq!(a.url.html(), Some("https://mitra.example/@pharmacist_lee"));
    assert!(a.manually_approves_followers);
    assert_eq!(a.preferred_inbox(), a.inbox, "no endpoints: the personal inbox");
    // The Multikeys in `assertionMethod` are not read; the RSA key in `publicKey` is.
    let key = a.public_key.as_ref().unwrap();
    assert_eq!(key.id, "https://mitra.example/users/pharmacist_lee#main-key");
    assert_eq!(key.owner, a.id);
    assert!(key.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let fields: Vec<(&str, &str)> = a
        .attachment
        .iter()
        .filter_map(
            |f| if let Attachment::PropertyValue(p) = f { Some((p.name.as_str(), p.value.as_str())) } else { None },
        )
        .collect();
    assert_eq!(fields, [("Specialty", "Antimicrobials"), ("Pronouns", "they/them")]);
    assert!(
        matches!(&a.attachment[1], Attachment::Other(v) if v["type"] == "VerifiableIdentityStatement"),
        "the identity proof is kept, in its place"
    );

    let v = load("mitra_create_note.json");
    assert_eq!(v["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let create = activity(round_trip(v));
    assert_eq!(create.kind, ActivityType::Create);
    assert_eq!(create.actor_id(), Some(a.id.as_str()));
    assert_eq!(create.to, ["https://canteen.example/users/alice"]);
    assert!(create.cc.is_empty());
    let note = embedded_post(&create);
    assert_eq!(note.author(), Some(a.id.as_str()));
    assert_eq!(
        note.in_reply_to.as_ref().and_then(Reference::id),
        Some("https://canteen.example/users/alice/statuses/7001")
    );
    assert_eq!(note.mentions().map(|m| m.href.as_str()).collect::<Vec<_>>(), ["https://canteen.example/users/alice"]);
    assert_eq!(note.hashtags().count(), 0);
    assert!(matches!(&note.tag[1], Tag::Other(v) if v["type"] == "Link"), "the quote link is kept");
    assert!(note.cc.is_empty());
    assert_eq!(incoming_visibility(&note.to, &note.cc, a.followers.as_deref()), IncomingVisibility::Direct);
}
