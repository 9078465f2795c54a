//! Who is looking: the signed-in account's relationships, loaded once per request, so the
//! audience rule (`canteen_domain::audience::may_see_status`) can be asked for every post
//! in a page without a query per post.

use std::collections::{HashMap, HashSet};

use canteen_domain::Id;
use canteen_domain::account::Account;
use canteen_domain::audience::{Relation, may_see_status};
use canteen_domain::status::{Status, Visibility};
use canteen_store::Exec;
use canteen_store::relationships as rel;

use crate::clock::now_ms;
use crate::{App, Result};

#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// `None` for anonymous readers.
    pub account_id: Option<Id>,
    following: HashSet<Id>,
    followers: HashSet<Id>,
    block_partners: HashSet<Id>,
    /// Muted accounts → whether their notifications are muted too.
    muted: HashMap<Id, bool>,
    circles: HashSet<Id>,
    exclusive_list_members: Vec<Id>,
    /// Followed authors whose posts home reads merge in (decision 0004).
    pulled_following: Vec<Id>,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer::default()
    }

    pub async fn load(app: &App, account: Option<&Account>) -> Result<Viewer> {
        match account {
            Some(me) => Viewer::load_on(app.store.reader(), me).await,
            None => Ok(Viewer::anonymous()),
        }
    }

    /// Loads on a given connection (inside a transaction, to see its uncommitted rows).
    pub async fn load_on(e: Exec<'_>, me: &Account) -> Result<Viewer> {
        Ok(Viewer::from_sets(me, rel::viewer_sets(e, me.id, now_ms()).await?))
    }

    fn from_sets(me: &Account, sets: rel::ViewerSets) -> Viewer {
        Viewer {
            account_id: Some(me.id),
            following: sets.following.into_iter().collect(),
            followers: sets.followers.into_iter().collect(),
            block_partners: sets.block_partners.into_iter().collect(),
            muted: sets.muted.into_iter().collect(),
            circles: sets.circles.into_iter().collect(),
            exclusive_list_members: sets.exclusive_list_members,
            pulled_following: sets.pulled_following,
        }
    }

    /// Followed accounts too widely followed to fan out to, whose posts home reads merge in.
    pub fn pulled_following(&self) -> &[Id] {
        &self.pulled_following
    }

    /// Members of this viewer's exclusive lists: their posts stay out of the home timeline.
    pub fn exclusive_list_members(&self) -> &[Id] {
        &self.exclusive_list_members
    }

    pub fn is(&self, id: Id) -> bool {
        self.account_id == Some(id)
    }

    pub fn follows(&self, id: Id) -> bool {
        self.following.contains(&id)
    }

    /// The accounts this viewer follows (accepted follows only).
    pub fn following_ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.following.iter().copied()
    }

    /// The circles (lists of other people) this viewer is a member of.
    pub fn circle_ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.circles.iter().copied()
    }

    pub fn followed_by(&self, id: Id) -> bool {
        self.followers.contains(&id)
    }

    pub fn blocks_or_blocked_by(&self, id: Id) -> bool {
        self.block_partners.contains(&id)
    }

    pub fn mutes(&self, id: Id) -> bool {
        self.muted.contains_key(&id)
    }

    pub fn mutes_notifications_from(&self, id: Id) -> bool {
        self.muted.get(&id).copied().unwrap_or(false)
    }

    /// How this viewer stands to a post's author, for the audience rule.
    pub fn relation(&self, status: &Status, mentioned: &[Id]) -> Option<Relation> {
        let me = self.account_id?;
        let author = status.account_id;
        Some(Relation {
            is_author: me == author,
            follows_author: self.follows(author),
            author_follows_viewer: self.followed_by(author),
            in_circle: matches!(status.visibility, Visibility::Circle(list) if self.circles.contains(&list)),
            mentioned: mentioned.contains(&me),
            blocked: self.blocks_or_blocked_by(author),
        })
    }

    /// The audience rule, for this viewer.
    pub fn may_see(&self, status: &Status, mentioned: &[Id], author_suspended: bool) -> bool {
        may_see_status(status.visibility, author_suspended, self.relation(status, mentioned).as_ref())
    }
}
