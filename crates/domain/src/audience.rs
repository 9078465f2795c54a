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
            for (viewer, want) in [Anonymous, Stranger, Follower, Owner]
                .into_iter()
                .zip(expected)
            {
                assert_eq!(
                    may_see_field(vis, viewer),
                    want,
                    "{vis:?} seen by {viewer:?}"
                );
            }
        }
    }
}
