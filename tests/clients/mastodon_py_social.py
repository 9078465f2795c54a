"""A two-person flow through Mastodon.py, unchanged: follow a locked account and get
approved, post in each visibility, reply, re-post, like, read home and notifications.

Usage: python mastodon_py_social.py BASE_URL
Both people are created by the caller as `nurse_a` / `nurse_b` with password "a good password".
"""
import sys

from mastodon import Mastodon


def sign_in(base, email):
    cid, secret = Mastodon.create_app("social check", api_base_url=base, scopes=["read", "write", "follow"])
    api = Mastodon(client_id=cid, client_secret=secret, api_base_url=base)
    api.log_in(username=email, password="a good password", scopes=["read", "write", "follow"], allow_http=True)
    return api


def main() -> None:
    base = sys.argv[1]
    a = sign_in(base, "a@nhs.net")
    b = sign_in(base, "b@nhs.net")
    b.account_update_credentials(locked=True)
    b_id = b.me().id
    a_id = a.me().id

    rel = a.account_follow(b_id)
    assert rel.requested and not rel.following, rel
    requests = b.follow_requests()
    assert [r.id for r in requests] == [a_id], requests
    b.follow_request_authorize(a_id)
    assert a.account_relationships([b_id])[0].following is True

    posted = {}
    for vis in ["public", "unlisted", "private", "direct"]:
        text = f"{vis} post" if vis != "direct" else "@nurse_a a direct word"
        posted[vis] = b.status_post(text, visibility=vis)
        assert posted[vis].visibility == vis, posted[vis]

    reply = a.status_post("A reply", in_reply_to_id=posted["public"].id)
    assert reply.in_reply_to_id == posted["public"].id
    boosted = a.status_reblog(posted["public"].id)
    assert boosted.reblog.id == posted["public"].id
    faved = a.status_favourite(posted["unlisted"].id)
    assert faved.favourited is True and faved.favourites_count == 1
    ctx = b.status_context(posted["public"].id)
    assert [s.id for s in ctx.descendants] == [reply.id], ctx

    # Fan-out runs in the server's job worker; give it a moment.
    import time
    for _ in range(50):
        home = a.timeline_home()
        if len(home) >= 5:
            break
        time.sleep(0.1)
    seen = {s.id for s in home}
    for vis in ["public", "unlisted", "private", "direct"]:
        assert posted[vis].id in seen, (vis, [s.content for s in home])

    kinds = sorted({n.type for n in b.notifications()})
    assert kinds == ["favourite", "follow", "reblog"], kinds
    mentions = a.notifications(types=["mention"])
    assert [n.status.id for n in mentions] == [posted["direct"].id], mentions
    assert b.status(posted["private"].id).visibility == "private"
    print("mastodon.py social: ok")


if __name__ == "__main__":
    main()
