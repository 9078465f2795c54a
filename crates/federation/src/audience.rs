//! Canteen visibilities as ActivityPub addressing (`to`/`cc`) and back, and the inboxes a post
//! must be delivered to.
//!
//! | Canteen | `to` | `cc` |
//! |---|---|---|
//! | public | as:Public | followers, mentioned |
//! | unlisted | followers | as:Public, mentioned |
//! | private (followers only) | followers | mentioned |
//! | direct | mentioned | — |
//! | mutuals, circle | the explicit recipients and the mentioned | — |
//!
//! Mutuals and circle posts name each recipient and never as:Public or the followers
//! collection: a server that receives one delivers it to exactly those people, and one that
//! receives it through a shared inbox cannot widen it to all of the author's followers there.
//! Mentioned people are addressed in every audience because the audience rule lets them see
//! the post (`canteen_domain::audience`).

use std::collections::{BTreeSet, HashMap};

use canteen_domain::status::Visibility;

use crate::vocab::{PUBLIC, is_public};

/// The addressing of an outgoing post or activity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Addressing {
    pub to: Vec<String>,
    pub cc: Vec<String>,
}

/// Who a post is for, beyond its visibility.
#[derive(Debug, Clone, Copy)]
pub struct Recipients<'a> {
    /// The author's followers collection id.
    pub followers: &'a str,
    /// Actor ids of the people the post mentions.
    pub mentioned: &'a [String],
    /// For `mutuals` and `circle`: the actor ids of everyone in the audience (the mutual
    /// follows, or the circle's members), resolved by the caller. Ignored otherwise.
    pub explicit: &'a [String],
}

/// The `to`/`cc` for a post of `visibility`. Entries are de-duplicated, first place wins.
pub fn addressing(visibility: Visibility, r: Recipients<'_>) -> Addressing {
    let followers = r.followers.to_string();
    let mentioned = r.mentioned.iter().cloned();
    let (to, cc): (Vec<String>, Vec<String>) = match visibility {
        Visibility::Public => (vec![PUBLIC.into()], std::iter::once(followers).chain(mentioned).collect()),
        Visibility::Unlisted => (vec![followers], std::iter::once(PUBLIC.to_string()).chain(mentioned).collect()),
        Visibility::Private => (vec![followers], mentioned.collect()),
        Visibility::Direct => (mentioned.collect(), Vec::new()),
        Visibility::Mutuals | Visibility::Circle(_) => {
            // Never the public, never the followers collection, whatever the caller passed.
            let explicit = r.explicit.iter().cloned().chain(mentioned);
            (explicit.filter(|a| !is_public(a) && *a != r.followers).collect(), Vec::new())
        }
    };
    let mut seen = BTreeSet::new();
    let to: Vec<String> = to.into_iter().filter(|a| seen.insert(a.clone())).collect();
    let cc: Vec<String> = cc.into_iter().filter(|a| seen.insert(a.clone())).collect();
    Addressing { to, cc }
}

/// The visibility Mastodon would show for an incoming post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingVisibility {
    Public,
    Unlisted,
    /// Followers only.
    Private,
    /// Only the addressed people. Canteen mutuals and circle posts from other Canteen servers
    /// arrive as this, which is what they are to everyone else.
    Direct,
}

impl IncomingVisibility {
    /// As a Canteen visibility.
    pub fn visibility(self) -> Visibility {
        match self {
            IncomingVisibility::Public => Visibility::Public,
            IncomingVisibility::Unlisted => Visibility::Unlisted,
            IncomingVisibility::Private => Visibility::Private,
            IncomingVisibility::Direct => Visibility::Direct,
        }
    }
}

/// Mastodon's rule: as:Public in `to` is public, in `cc` unlisted; else the author's followers
/// collection anywhere makes it followers-only; else it is direct. `author_followers` is the
/// author's `followers` id from their actor document (unknown: nothing matches it).
pub fn incoming_visibility(to: &[String], cc: &[String], author_followers: Option<&str>) -> IncomingVisibility {
    if to.iter().any(|a| is_public(a)) {
        IncomingVisibility::Public
    } else if cc.iter().any(|a| is_public(a)) {
        IncomingVisibility::Unlisted
    } else if author_followers.is_some_and(|f| to.iter().chain(cc).any(|a| a == f)) {
        IncomingVisibility::Private
    } else {
        IncomingVisibility::Direct
    }
}

/// Where a remote actor takes deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxInfo {
    pub inbox: String,
    pub shared_inbox: Option<String>,
}

/// The inboxes to deliver to, and the recipients whose inbox is not known yet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryPlan {
    /// De-duplicated, sorted: one delivery job each.
    pub inboxes: Vec<String>,
    /// Recipients missing from the directory: fetch their actor documents, then plan again.
    pub unresolved: Vec<String>,
}

/// The inboxes that reach `recipients` (remote actor ids: the post's addressed people with
/// collections already expanded to their members, local accounts left out). A shared inbox
/// is preferred, so a server gets one copy however many recipients it has — and a server with
/// no recipient gets nothing.
pub fn delivery_plan<'a>(
    recipients: impl IntoIterator<Item = &'a str>,
    directory: &HashMap<String, InboxInfo>,
) -> DeliveryPlan {
    let mut inboxes = BTreeSet::new();
    let mut unresolved = BTreeSet::new();
    for actor in recipients {
        if is_public(actor) {
            continue;
        }
        match directory.get(actor) {
            Some(info) => {
                inboxes
                    .insert(info.shared_inbox.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| info.inbox.clone()));
            }
            None => {
                unresolved.insert(actor.to_string());
            }
        }
    }
    DeliveryPlan { inboxes: inboxes.into_iter().collect(), unresolved: unresolved.into_iter().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use canteen_domain::Id;

    const FOLLOWERS: &str = "https://c.example/users/ann/followers";

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn addr(visibility: Visibility, mentioned: &[&str], explicit: &[&str]) -> Addressing {
        addressing(visibility, Recipients { followers: FOLLOWERS, mentioned: &s(mentioned), explicit: &s(explicit) })
    }

    const BOB: &str = "https://m.example/users/bob";
    const CAT: &str = "https://g.example/users/cat";

    #[test]
    fn each_visibility_addresses_as_the_table_says() {
        assert_eq!(addr(Visibility::Public, &[BOB], &[]), Addressing { to: s(&[PUBLIC]), cc: s(&[FOLLOWERS, BOB]) });
        assert_eq!(addr(Visibility::Unlisted, &[BOB], &[]), Addressing { to: s(&[FOLLOWERS]), cc: s(&[PUBLIC, BOB]) });
        assert_eq!(addr(Visibility::Private, &[BOB], &[]), Addressing { to: s(&[FOLLOWERS]), cc: s(&[BOB]) });
        assert_eq!(addr(Visibility::Direct, &[BOB, CAT], &[]), Addressing { to: s(&[BOB, CAT]), cc: vec![] });
        assert_eq!(addr(Visibility::Mutuals, &[BOB], &[CAT, BOB]), Addressing { to: s(&[CAT, BOB]), cc: vec![] });
        assert_eq!(addr(Visibility::Circle(Id(7)), &[], &[CAT]), Addressing { to: s(&[CAT]), cc: vec![] });
    }

    #[test]
    fn mutuals_and_circles_never_reach_the_public_or_the_followers_collection() {
        for v in [Visibility::Mutuals, Visibility::Circle(Id(1))] {
            let a = addr(v, &[PUBLIC], &[FOLLOWERS, "as:Public", CAT]);
            assert_eq!(a, Addressing { to: s(&[CAT]), cc: vec![] });
        }
    }

    #[test]
    fn every_visibility_maps_back_to_what_mastodon_shows() {
        let back = |v| {
            let a = addr(v, &[BOB], &[CAT]);
            incoming_visibility(&a.to, &a.cc, Some(FOLLOWERS))
        };
        assert_eq!(back(Visibility::Public), IncomingVisibility::Public);
        assert_eq!(back(Visibility::Unlisted), IncomingVisibility::Unlisted);
        assert_eq!(back(Visibility::Private), IncomingVisibility::Private);
        assert_eq!(back(Visibility::Direct), IncomingVisibility::Direct);
        assert_eq!(back(Visibility::Mutuals), IncomingVisibility::Direct);
        assert_eq!(back(Visibility::Circle(Id(3))), IncomingVisibility::Direct);
    }

    #[test]
    fn incoming_rules_follow_mastodon() {
        assert_eq!(incoming_visibility(&s(&["as:Public"]), &[], None), IncomingVisibility::Public);
        assert_eq!(incoming_visibility(&s(&[BOB]), &s(&["Public"]), None), IncomingVisibility::Unlisted);
        // Followers in cc (some servers) is followers-only all the same.
        assert_eq!(incoming_visibility(&s(&[BOB]), &s(&[FOLLOWERS]), Some(FOLLOWERS)), IncomingVisibility::Private);
        // Someone else's followers collection does not make it followers-only.
        assert_eq!(
            incoming_visibility(&s(&["https://x.example/users/z/followers"]), &[], Some(FOLLOWERS)),
            IncomingVisibility::Direct
        );
        assert_eq!(incoming_visibility(&[], &[], None), IncomingVisibility::Direct);
        assert_eq!(IncomingVisibility::Private.visibility(), Visibility::Private);
    }

    #[test]
    fn delivery_prefers_shared_inboxes_and_reaches_only_servers_with_recipients() {
        let mut dir = HashMap::new();
        let info =
            |inbox: &str, shared: Option<&str>| InboxInfo { inbox: inbox.into(), shared_inbox: shared.map(Into::into) };
        dir.insert(BOB.to_string(), info("https://m.example/users/bob/inbox", Some("https://m.example/inbox")));
        dir.insert(
            "https://m.example/users/dan".into(),
            info("https://m.example/users/dan/inbox", Some("https://m.example/inbox")),
        );
        dir.insert(CAT.to_string(), info("https://g.example/users/cat/inbox", None));
        dir.insert("https://q.example/users/eve".into(), info("https://q.example/users/eve/inbox", Some("")));
        dir.insert("https://unrelated.example/users/x".into(), info("https://unrelated.example/inbox", None));

        let plan = delivery_plan(
            [
                BOB,
                "https://m.example/users/dan",
                CAT,
                "https://q.example/users/eve",
                PUBLIC,
                "https://new.example/u/f",
                BOB,
            ],
            &dir,
        );
        assert_eq!(
            plan.inboxes,
            s(&["https://g.example/users/cat/inbox", "https://m.example/inbox", "https://q.example/users/eve/inbox"])
        );
        assert_eq!(plan.unresolved, s(&["https://new.example/u/f"]));
        assert_eq!(delivery_plan([], &dir), DeliveryPlan::default());
    }
}
