//! Use cases of the web app (`crates/web`): browser sessions, their CSRF tokens, and the
//! public profile page. A session acts as one profile, like a token, and is checked against
//! the same sign-in rules on every request.

use canteen_domain::Id;
use canteen_domain::account::{Account, User};
use canteen_domain::scope::Scopes;
use canteen_store::web_sessions::{self, SessionRecord};
use canteen_store::{accounts, users};

use crate::auth::{Auth, check_may_sign_in};
use crate::clock::now_ms;
use crate::secrets::{constant_time_eq, random_token, sha256_hex};
use crate::timelines::{self, Page, Source};
use crate::viewer::Viewer;
use crate::views::StatusView;
use crate::{App, AppError, Result};

/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// The scopes a browser session holds (everything a person may do through the web app).
const SESSION_SCOPES: &str = "read write follow";

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub id: i64,
    pub user: User,
    pub account: Account,
    /// The token every form posted in this session must carry.
    pub csrf_token: String,
    /// When the session ends (epoch ms).
    pub expires_at: i64,
}

impl WebSession {
    /// The session as the caller of a use case.
    pub fn auth(&self) -> Result<Auth> {
        Ok(Auth {
            token_id: 0,
            app_id: 0,
            scopes: Scopes::parse(SESSION_SCOPES).map_err(|e| AppError::Internal(e.to_string()))?,
            user: Some(self.user.clone()),
            account: Some(self.account.clone()),
            expires_at: None,
        })
    }
}

/// The CSRF token bound to a session token: derived from the (secret, HttpOnly) session
/// token, so it cannot be guessed without it and needs no storage.
fn csrf_for(session_token: &str) -> String {
    sha256_hex(&format!("canteen-web-csrf:{session_token}"))
}

/// Whether `given` is this session's CSRF token (constant time).
pub fn csrf_matches(session: &WebSession, given: &str) -> bool {
    !given.is_empty() && constant_time_eq(&session.csrf_token, given)
}

/// A fresh random token for signed-out forms (double-submit: a cookie and a form field).
pub fn new_form_token() -> Result<String> {
    random_token()
}

/// Whether a signed-out form's field matches its cookie (constant time, both non-empty).
pub fn form_token_matches(cookie: &str, field: &str) -> bool {
    !cookie.is_empty() && !field.is_empty() && constant_time_eq(cookie, field)
}

/// Checks email (or username) and password with the same rules as every other sign-in,
/// and opens a session. Returns the token for the cookie and the session.
pub async fn sign_in(app: &App, login: &str, password: &str) -> Result<(String, WebSession)> {
    let (user, account) = crate::oauth::sign_in(app, login, password).await?;
    open_session(app, user, account).await
}

/// What became of a sign-up from the web.
pub enum SignedUp {
    /// The login may act at once: here is its session's token (for the cookie).
    SignedIn(String),
    /// The login waits for an admin's approval (`approval` registration mode).
    AwaitingApproval,
}

/// Signs up under the registration mode and allow-list (the same rules as the API), and
/// signs the new login in when it may act at once.
pub async fn sign_up(app: &App, username: &str, email: &str, password: &str, agreement: bool) -> Result<SignedUp> {
    let (user, account) =
        crate::accounts::register(app, username.trim(), email.trim(), password, agreement, None, None).await?;
    if check_may_sign_in(&user, &account).is_err() {
        return Ok(SignedUp::AwaitingApproval);
    }
    let (token, _) = open_session(app, user, account).await?;
    Ok(SignedUp::SignedIn(token))
}

async fn open_session(app: &App, user: User, account: Account) -> Result<(String, WebSession)> {
    let token = random_token()?;
    let now = now_ms();
    web_sessions::delete_expired(app.store.writer(), user.id.0, now).await?;
    let record = SessionRecord {
        id: app.next_id().0,
        token_hash: sha256_hex(&token),
        user_id: user.id.0,
        account_id: account.id.0,
        created_at: now,
        last_seen_at: now,
        expires_at: now + SESSION_LIFETIME_MS,
    };
    web_sessions::insert(app.store.writer(), &record).await?;
    let csrf_token = csrf_for(&token);
    Ok((token, WebSession { id: record.id, user, account, csrf_token, expires_at: record.expires_at }))
}

/// The session a cookie names, if it exists, has not expired and its login may still act.
pub async fn resolve(app: &App, token: &str) -> Result<Option<WebSession>> {
    if token.is_empty() {
        return Ok(None);
    }
    let Some(rec) = web_sessions::by_token_hash(app.store.reader(), &sha256_hex(token)).await? else {
        return Ok(None);
    };
    let now = now_ms();
    if rec.expires_at <= now {
        return Ok(None);
    }
    let Some(user) = users::by_id(app.store.reader(), Id(rec.user_id)).await? else { return Ok(None) };
    let Some(account) = accounts::by_id(app.store.reader(), Id(rec.account_id)).await? else { return Ok(None) };
    if check_may_sign_in(&user, &account).is_err() {
        return Ok(None);
    }
    // Recording use costs a write; do it at most once a minute per session.
    if rec.last_seen_at < now - 60_000 {
        web_sessions::touch(app.store.writer(), rec.id, now).await?;
    }
    Ok(Some(WebSession { id: rec.id, user, account, csrf_token: csrf_for(token), expires_at: rec.expires_at }))
}

/// Ends the session a cookie names (nothing happens for an unknown token).
pub async fn sign_out(app: &App, token: &str) -> Result<()> {
    web_sessions::delete(app.store.writer(), &sha256_hex(token)).await?;
    app.access_changed();
    Ok(())
}

/// The most posts one web page shows (`?limit=`; 20 when not asked).
pub const MAX_PAGE_POSTS: i64 = 40;

/// A page size as asked for, within 1..=`MAX_PAGE_POSTS` (20 when not asked).
pub fn page_size(asked: Option<i64>) -> i64 {
    asked.unwrap_or(timelines::DEFAULT_LIMIT).clamp(1, MAX_PAGE_POSTS)
}

/// One page (`limit` posts) of the signed-in profile's home timeline, older than `max_id`.
pub async fn home(app: &App, session: &WebSession, max_id: Option<Id>, limit: i64) -> Result<Vec<StatusView>> {
    let page = Page { max_id: max_id.map(|i| i.0), since_id: None, min_id: None, limit: page_size(Some(limit)) };
    timelines::home(app, &session.auth()?, page).await
}

/// Which part of a profile a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileTab {
    /// Posts and re-posts, without replies.
    Posts,
    /// Posts, re-posts and replies.
    Replies,
    /// Own posts with pictures.
    Media,
    Followers,
    Following,
}

impl ProfileTab {
    pub fn parse(s: &str) -> Option<ProfileTab> {
        Some(match s {
            "posts" => ProfileTab::Posts,
            "replies" => ProfileTab::Replies,
            "media" => ProfileTab::Media,
            "followers" => ProfileTab::Followers,
            "following" => ProfileTab::Following,
            _ => return None,
        })
    }
}

/// A local profile as one viewer sees it: its details each as their visibility allows,
/// one page of the chosen tab (posts the viewer may see, or people), and how the viewer
/// stands to it.
pub struct ProfileView {
    pub account: Account,
    /// (label, value) of the professional details this viewer may see.
    pub details: Vec<(&'static str, String)>,
    pub posts: Vec<StatusView>,
    /// The followers or followings tab: one page of people, and the cursor of the next.
    pub people: Vec<Account>,
    pub people_next: Option<i64>,
    /// (followers, following), or `None` when the owner hides them from this viewer (the
    /// lists are hidden too: people guess an employer from them).
    pub counts: Option<(i64, i64)>,
    /// `None` for a signed-out viewer and for the owner.
    pub relationship: Option<crate::follows::Relationship>,
    pub is_owner: bool,
}

/// How many people one page of followers or followings shows.
const PEOPLE_PAGE: i64 = 40;

/// A local profile seen by `session` (`None`: anyone on the internet, or a search engine —
/// also the owner's "see my profile as a stranger"). Unknown and suspended profiles, and
/// remote handles, are not found; a profile that blocked the viewer is not found either.
/// `max_id` pages back: a post id for post tabs, a row cursor for people.
pub async fn profile(
    app: &App,
    session: Option<&WebSession>,
    username: &str,
    tab: ProfileTab,
    max_id: Option<i64>,
) -> Result<ProfileView> {
    let (account, audience, viewer) = visible_profile(app, session, username).await?;
    let me = session.map(|s| &s.account);
    let d = &account.details;
    let p = &account.privacy;
    let details = [
        ("Job title", &d.job_title, p.job_title_visibility),
        ("Profession", &d.profession, p.profession_visibility),
        ("Employer", &d.employer, p.employer_visibility),
        ("Seniority", &d.seniority, p.seniority_visibility),
        ("Location", &d.location, p.location_visibility),
    ]
    .into_iter()
    .filter(|(_, value, vis)| !value.trim().is_empty() && canteen_domain::audience::may_see_field(*vis, audience))
    .map(|(label, value, _)| (label, value.clone()))
    .collect();
    let is_owner = me.is_some_and(|m| m.id == account.id);
    let hidden = account.privacy.hide_collections && !is_owner;
    let counts = if hidden { None } else { Some(crate::follows::counts(app, me.map(|m| m.id), &account).await?) };
    let (mut posts, mut people, mut people_next) = (Vec::new(), Vec::new(), None);
    match tab {
        ProfileTab::Followers | ProfileTab::Following => {
            if !hidden {
                let auth = session.map(WebSession::auth).transpose()?;
                let followers = tab == ProfileTab::Followers;
                let rows =
                    crate::follows::collection(app, auth.as_ref(), account.id, followers, max_id, PEOPLE_PAGE).await?;
                people_next = rows.last().filter(|_| rows.len() as i64 >= PEOPLE_PAGE).map(|(c, _)| *c);
                people = rows.into_iter().map(|(_, a)| a).collect();
            }
        }
        ProfileTab::Posts | ProfileTab::Replies | ProfileTab::Media => {
            let source = Source::Account {
                id: account.id,
                pinned: false,
                exclude_replies: tab == ProfileTab::Posts,
                exclude_reblogs: tab == ProfileTab::Media,
                tagged: None,
            };
            let page = Page { max_id, since_id: None, min_id: None, limit: timelines::DEFAULT_LIMIT };
            posts = timelines::read(app, &viewer, &source, page, tab == ProfileTab::Media).await?;
        }
    }
    let relationship = match me {
        Some(m) if !is_owner => Some(crate::follows::relationship(app, m.id, account.id).await?),
        _ => None,
    };
    Ok(ProfileView { account, details, posts, people, people_next, counts, relationship, is_owner })
}

/// A local profile by username as `session` may find it, with how the viewer stands to it.
/// Unknown and suspended profiles, remote handles, and a profile either side has blocked
/// are not found.
async fn visible_profile(
    app: &App,
    session: Option<&WebSession>,
    username: &str,
) -> Result<(Account, canteen_domain::audience::Viewer, Viewer)> {
    if username.is_empty() || username.contains('@') {
        return Err(AppError::NotFound("Record not found".into()));
    }
    let auth = session.map(WebSession::auth).transpose()?;
    let (account, audience) = crate::accounts::lookup(app, auth.as_ref(), username).await?;
    let viewer = Viewer::load(app, session.map(|s| &s.account)).await?;
    if viewer.blocks_or_blocked_by(account.id) && !viewer.is(account.id) {
        return Err(AppError::NotFound("Record not found".into()));
    }
    Ok((account, audience, viewer))
}

/// The profile a follow or unfollow button names (the same rules as the profile page,
/// without reading its posts).
pub async fn profile_account(app: &App, session: &WebSession, username: &str) -> Result<Account> {
    Ok(visible_profile(app, Some(session), username).await?.0)
}

/// The signed-in profile's pending follow requests, oldest first.
pub async fn follow_requests(app: &App, session: &WebSession) -> Result<Vec<Account>> {
    let found = crate::follows::requests(app, &session.auth()?, None, 80).await?;
    Ok(found.into_iter().map(|(_, a)| a).collect())
}

/// Which public timeline a page shows.
pub enum PublicTimeline {
    /// Posts from this server.
    Local,
    /// Posts from this server and the others it knows.
    Federated,
    /// Posts with a hashtag.
    Tag(String),
}

/// One page of a public timeline as the session (or a signed-out visitor) may see it.
pub async fn public_timeline(
    app: &App,
    session: Option<&WebSession>,
    which: &PublicTimeline,
    max_id: Option<Id>,
    limit: i64,
) -> Result<Vec<StatusView>> {
    let viewer = Viewer::load(app, session.map(|s| &s.account)).await?;
    let source = match which {
        PublicTimeline::Local => Source::Public { local: true },
        PublicTimeline::Federated => Source::Public { local: false },
        PublicTimeline::Tag(tag) => Source::Tag {
            tag: tag.trim_start_matches('#').to_lowercase(),
            any: Vec::new(),
            all: Vec::new(),
            none: Vec::new(),
        },
    };
    let page = Page { max_id: max_id.map(|i| i.0), since_id: None, min_id: None, limit: page_size(Some(limit)) };
    timelines::read(app, &viewer, &source, page, false).await
}

/// A post with the posts before it in its thread and the replies after it, each as the
/// viewer may see them. A post the viewer may not see is not found.
pub async fn thread(
    app: &App,
    session: Option<&WebSession>,
    id: Id,
) -> Result<(Vec<StatusView>, StatusView, Vec<StatusView>)> {
    let auth = session.map(WebSession::auth).transpose()?;
    let focus = crate::statuses::get(app, auth.as_ref(), id).await?;
    let (ancestors, descendants) = crate::statuses::context(app, auth.as_ref(), id).await?;
    Ok((ancestors, focus, descendants))
}

/// One page of the session's notifications, newest first.
pub async fn notifications(
    app: &App,
    session: &WebSession,
    max_id: Option<i64>,
) -> Result<Vec<crate::notifications::NotificationView>> {
    let page = Page { max_id, since_id: None, min_id: None, limit: timelines::DEFAULT_LIMIT };
    crate::notifications::list(app, &session.auth()?, page, &Default::default()).await
}

/// What a button under a post does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAction {
    Like,
    Unlike,
    Repost,
    UndoRepost,
    Bookmark,
    RemoveBookmark,
}

impl PostAction {
    /// The action a URL names (`/posts/{id}/{action}`).
    pub fn parse(s: &str) -> Option<PostAction> {
        Some(match s {
            "like" => PostAction::Like,
            "unlike" => PostAction::Unlike,
            "repost" => PostAction::Repost,
            "undo-repost" => PostAction::UndoRepost,
            "bookmark" => PostAction::Bookmark,
            "remove-bookmark" => PostAction::RemoveBookmark,
            _ => return None,
        })
    }
}

/// Likes, re-posts or bookmarks (or undoes it) a post the session may see, through the same
/// use cases as the API (so notifications, federation and the audience rule all apply). A
/// post the session may not see is not found; a re-post its audience forbids is refused.
pub async fn act_on_post(app: &App, session: &WebSession, id: Id, action: PostAction) -> Result<StatusView> {
    use canteen_store::interactions::Kind;
    let auth = session.auth()?;
    match action {
        PostAction::Like => crate::statuses::mark(app, &auth, id, Kind::Favourite, true).await,
        PostAction::Unlike => crate::statuses::mark(app, &auth, id, Kind::Favourite, false).await,
        PostAction::Bookmark => crate::statuses::mark(app, &auth, id, Kind::Bookmark, true).await,
        PostAction::RemoveBookmark => crate::statuses::mark(app, &auth, id, Kind::Bookmark, false).await,
        PostAction::Repost => crate::statuses::reblog(app, &auth, id, None).await,
        PostAction::UndoRepost => crate::statuses::unreblog(app, &auth, id).await,
    }
}

/// Which of one's marked posts a page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marked {
    Bookmarks,
    Likes,
}

/// One page of the session's bookmarks or liked posts, newest mark first, as the session may
/// still see them, with the cursor of the next page when there may be one.
pub async fn marked(
    app: &App,
    session: &WebSession,
    which: Marked,
    max_id: Option<i64>,
) -> Result<(Vec<StatusView>, Option<i64>)> {
    use canteen_store::interactions::Kind;
    let kind = match which {
        Marked::Bookmarks => Kind::Bookmark,
        Marked::Likes => Kind::Favourite,
    };
    let page = Page { max_id, since_id: None, min_id: None, limit: timelines::DEFAULT_LIMIT };
    let (posts, cursors) = timelines::marked(app, &session.auth()?, kind, page).await?;
    let Some((_, oldest)) = cursors else { return Ok((posts, None)) };
    // Offer an older page only when there is an older mark (counted by rows, as some marked
    // posts may no longer be visible).
    let older = Page { max_id: Some(oldest), since_id: None, min_id: None, limit: 1 };
    let more =
        !canteen_store::interactions::page(app.store.reader(), kind, session.account.id, older).await?.is_empty();
    Ok((posts, more.then_some(oldest)))
}

/// A list with its members and one page of its timeline, for its page.
pub struct ListPage {
    pub list: crate::lists::ListRecord,
    pub members: Vec<Account>,
    pub posts: Vec<StatusView>,
}

/// One of the session's lists (another's is not found), its members and newest posts.
pub async fn list_page(app: &App, session: &WebSession, id: Id, max_id: Option<Id>) -> Result<ListPage> {
    let auth = session.auth()?;
    let list = crate::lists::own(app, &auth, id).await?;
    let members = crate::lists::members(app, &auth, id).await?;
    let page = Page { max_id: max_id.map(|i| i.0), since_id: None, min_id: None, limit: timelines::DEFAULT_LIMIT };
    let posts = timelines::list(app, &auth, id, page).await?;
    Ok(ListPage { list, members, posts })
}

/// Adds someone the session follows to one of its lists, by handle (`alice`, `@alice` or
/// `@alice@other.example`). Anyone else (unknown, or not followed) is refused with the
/// reason, on the `account` field.
pub async fn add_to_list(app: &App, session: &WebSession, id: Id, handle: &str) -> Result<Account> {
    use canteen_domain::validation::Invalid;
    let auth = session.auth()?;
    crate::lists::own(app, &auth, id).await?;
    let handle = handle.trim().trim_start_matches('@');
    let problem = |message: &str| AppError::invalid(Invalid::new("account", "ERR_INVALID", message));
    if handle.is_empty() {
        return Err(problem("Enter the username of someone you follow"));
    }
    let account = match crate::accounts::lookup(app, Some(&auth), handle).await {
        Ok((account, _)) => account,
        Err(AppError::NotFound(_)) => return Err(problem(&format!("There is no one called @{handle} here"))),
        Err(e) => return Err(e),
    };
    if !canteen_store::relationships::is_following(app.store.reader(), session.account.id, account.id).await? {
        return Err(problem(&format!("You can only add people you follow. Follow @{handle} first.")));
    }
    crate::lists::add(app, &auth, id, &[account.id]).await?;
    Ok(account)
}

/// The profiles of the session's login, oldest first (the one in use among them).
pub async fn profiles(app: &App, session: &WebSession) -> Result<Vec<Account>> {
    crate::profiles::list(app, &session.auth()?).await
}

/// Makes the session act as another of its login's profiles. Another login's profile is not
/// found; a suspended one is refused by the sign-in rules.
pub async fn switch_profile(app: &App, session: &WebSession, profile_id: Id) -> Result<Account> {
    let target = accounts::by_id(app.store.reader(), profile_id).await?;
    let Some(target) = target.filter(|a| a.user_id == Some(session.user.id)) else {
        return Err(AppError::NotFound("Record not found".into()));
    };
    check_may_sign_in(&session.user, &target)?;
    web_sessions::set_account(app.store.writer(), session.id, session.user.id.0, target.id.0).await?;
    app.access_changed();
    Ok(target)
}

/// Adds a profile to the session's login (the same rules as the API: a free username, at
/// most `profiles::MAX_PROFILES`), and switches the session to it.
pub async fn add_profile(
    app: &App,
    session: &WebSession,
    username: &str,
    display_name: &str,
    mode: canteen_domain::account::ProfileMode,
) -> Result<Account> {
    let name = Some(display_name.trim()).filter(|n| !n.is_empty());
    let created = crate::profiles::create(app, &session.auth()?, username.trim(), name, mode).await?;
    switch_profile(app, session, created.id).await
}

/// Whether a newly listed post belongs on an open public timeline page for `me` (`None`:
/// signed out): on that timeline (from here, for `Local`; with the hashtag, for `Tag`), within
/// its audience and not by someone `me` muted — the same rule as the API's public streams.
pub async fn public_live_item(
    app: &App,
    me: Option<&Account>,
    which: &PublicTimeline,
    status: Id,
    tags: &[String],
) -> Result<bool> {
    if let PublicTimeline::Tag(tag) = which
        && !tags.iter().any(|t| t.eq_ignore_ascii_case(tag.trim_start_matches('#')))
    {
        return Ok(false);
    }
    let Some(item) = crate::live::item(app, me, status, None).await? else { return Ok(false) };
    Ok(match which {
        PublicTimeline::Local => item.view().account.is_local(),
        PublicTimeline::Federated | PublicTimeline::Tag(_) => true,
    })
}

/// Votes in a poll on a post the session may see (the same rules as the API: once, before it
/// ends, never in one's own; a vote on another server's poll is sent there).
pub async fn vote(app: &App, session: &WebSession, poll: Id, choices: &[i64]) -> Result<()> {
    crate::polls::vote(app, &session.auth()?, poll, choices).await.map(|_| ())
}
