//! Who may see what. Every read path asks these functions; none decides on its own.
//!
//! This objects are profiles; posts join in the social-core work, through the same module.

use crate::account::FieldVisibility;

/// How the viewer stands to the owner of the thing being looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Not signed in (or a search engine).
    Anonymous,
    /// Signed in, no relationship.
    Stranger,
    /// An accepted follower of the owner.
    Follower,
    /// The owner themself.
    Owner,
}

/// May this viewer see a profile field with this visibility?
pub fn may_see_field(visibility: FieldVisibility, viewer: Viewer) -> bool {
    match visibility {
        FieldVisibility::Public => true,
        FieldVisibility::Followers => matches!(viewer, Viewer::Follower | Viewer::Owner),
        FieldVisibility::OnlyMe => viewer == Viewer::Owner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldVisibility::*;
    use Viewer::*;

    #[test]
    fn field_visibility_matrix() {
        let cases = [
            (Public, [true, true, true, true]),
            (Followers, [false, false, true, true]),
            (OnlyMe, [false, false, false, true]),
        ];
        for (vis, expected) in cases {
            for (viewer, want) in [Anonymous, Stranger, Follower, Owner].into_iter().zip(expected) {
                assert_eq!(may_see_field(vis, viewer), want, "{vis:?} seen by {viewer:?}");
            }
        }
    }
}

/// How a signed-in viewer stands to a post's author, as the app layer found it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relation {
    pub is_author: bool,
    /// The viewer is an accepted follower of the author (a pending request is not).
    pub follows_author: bool,
    pub author_follows_viewer: bool,
    /// The viewer is a member of the circle the post is for.
    pub in_circle: bool,
    /// The viewer is mentioned in the post.
    pub mentioned: bool,
    /// Either has blocked the other.
    pub blocked: bool,
}

/// The one rule for who may see a post. `viewer` is `None` for anonymous readers (and
/// search engines). Every read path — single post, threads, timelines, notifications,
/// streaming, search, feeds, federation, export — asks this function.
pub fn may_see_status(
    visibility: crate::status::Visibility,
    author_suspended: bool,
    viewer: Option<&Relation>,
) -> bool {
    use crate::status::Visibility::*;
    let Some(r) = viewer else {
        return !author_suspended && matches!(visibility, Public | Unlisted);
    };
    if r.is_author {
        return true;
    }
    if author_suspended || r.blocked {
        return false;
    }
    match visibility {
        Public | Unlisted => true,
        Private => r.follows_author || r.mentioned,
        Mutuals => (r.follows_author && r.author_follows_viewer) || r.mentioned,
        Circle(_) => r.in_circle || r.mentioned,
        Direct => r.mentioned,
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;
    use crate::Id;
    use crate::status::Visibility::{self, *};

    fn rel(f: impl FnOnce(&mut Relation)) -> Option<Relation> {
        let mut r = Relation::default();
        f(&mut r);
        Some(r)
    }

    #[test]
    fn status_audience_matrix() {
        let viewers: Vec<(&str, Option<Relation>)> = vec![
            ("anonymous", None),
            ("stranger", rel(|_| {})),
            ("follower", rel(|r| r.follows_author = true)),
            ("followed-by-author only", rel(|r| r.author_follows_viewer = true)),
            (
                "mutual",
                rel(|r| {
                    r.follows_author = true;
                    r.author_follows_viewer = true
                }),
            ),
            ("circle member", rel(|r| r.in_circle = true)),
            ("mentioned", rel(|r| r.mentioned = true)),
            (
                "blocked follower",
                rel(|r| {
                    r.follows_author = true;
                    r.blocked = true
                }),
            ),
            ("author", rel(|r| r.is_author = true)),
        ];
        // Expected per viewer, in the order above.
        let table: Vec<(Visibility, [bool; 9])> = vec![
            (Public, [true, true, true, true, true, true, true, false, true]),
            (Unlisted, [true, true, true, true, true, true, true, false, true]),
            (Private, [false, false, true, false, true, false, true, false, true]),
            (Mutuals, [false, false, false, false, true, false, true, false, true]),
            (Circle(Id(1)), [false, false, false, false, false, true, true, false, true]),
            (Direct, [false, false, false, false, false, false, true, false, true]),
        ];
        for (vis, expected) in table {
            for ((who, r), want) in viewers.iter().zip(expected) {
                assert_eq!(may_see_status(vis, false, r.as_ref()), want, "{vis:?} seen by {who}");
            }
        }
        assert!(!may_see_status(Public, true, None), "suspended authors are hidden");
        assert!(may_see_status(Direct, true, rel(|r| r.is_author = true).as_ref()));
    }
}
