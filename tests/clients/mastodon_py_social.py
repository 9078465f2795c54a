"""A two-person flow through Mastodon.py, unchanged: follow a locked account and get
approved, post in each visibility, reply, re-post, like, read home and notifications.

Usage: python mastodon_py_social.py BASE_URL GPS_JPEG_PATH
Both people are created by the caller as `nurse_a` / `nurse_b` with password "a good password".
GPS_JPEG_PATH is a JPEG carrying EXIF with a GPS position, which must come back without it.
"""
import sys
import time

import requests
from mastodon import Mastodon, StreamListener


class Catcher(StreamListener):
    def __init__(self):
        super().__init__()
        self.updates = []

    def on_update(self, status):
        self.updates.append(status)


def sign_in(base, email):
    cid, secret = Mastodon.create_app("social check", api_base_url=base, scopes=["read", "write", "follow"])
    api = Mastodon(client_id=cid, client_secret=secret, api_base_url=base)
    api.log_in(username=email, password="a good password", scopes=["read", "write", "follow"], allow_http=True)
    return api


def main() -> None:
    base, gps_jpeg = sys.argv[1], sys.argv[2]
    a = sign_in(base, "a@nhs.net")
    b = sign_in(base, "b@nhs.net")
    b.account_update_credentials(locked=True)
    b_id = b.me().id
    a_id = a.me().id

    rel = a.account_follow(b_id)
    assert rel.requested and not rel.following, rel
    pending = b.follow_requests()
    assert [r.id for r in pending] == [a_id], pending
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
    for _ in range(300):
        home = a.timeline_home()
        if len(home) >= 5:
            break
        time.sleep(0.1)
    seen = {s.id for s in home}
    for vis in ["public", "unlisted", "private", "direct"]:
        assert posted[vis].id in seen, (vis, [s.content for s in home])

    # Search (search_v2 and account_search): posts by a word once indexed, people, hashtags.
    tagged = b.status_post("Sarcoma support group meets on Thursday #SarcomaUK")
    for _ in range(300):
        found = a.search_v2("sarcoma", result_type="statuses")
        if any(s.id == tagged.id for s in found.statuses):
            break
        time.sleep(0.1)
    assert [s.id for s in found.statuses] == [tagged.id], found
    people = a.search_v2("nurse_b", result_type="accounts")
    assert [p.acct for p in people.accounts] == ["nurse_b"], people
    tags = a.search_v2("#sarcom", result_type="hashtags")
    assert [t.name for t in tags.hashtags] == ["sarcomauk"], tags
    assert "nurse_b" in [p.acct for p in a.account_search("nurse")]
    private_hit = a.search_v2("private", result_type="statuses")
    assert [s.id for s in private_hit.statuses] == [posted["private"].id], private_hit

    kinds = sorted({n.type for n in b.notifications()})
    assert kinds == ["favourite", "follow", "reblog"], kinds
    mentions = a.notifications(types=["mention"])
    assert [n.status.id for n in mentions] == [posted["direct"].id], mentions
    assert b.status(posted["private"].id).visibility == "private"

    # A poll: B asks, A votes, the counts come back.
    asked = b.status_post("Quick straw poll: the new guidelines?", poll=b.make_poll(["Clearer", "Worse"], expires_in=3600))
    voted = a.poll_vote(asked.poll.id, [0])
    assert voted.voted and voted.own_votes == [0], voted
    assert b.poll(asked.poll.id).options[0].votes_count == 1

    # A photo with a GPS position in its EXIF comes back without any EXIF.
    with open(gps_jpeg, "rb") as f:
        original = f.read()
    assert b"Exif" in original
    media = b.media_post(gps_jpeg, mime_type="image/jpeg", description="The new garden")
    stored = requests.get(media.url, timeout=10).content
    assert b"Exif" not in stored and len(stored) > 100, len(stored)

    # Live: A hears B's next post over the user stream (Server-Sent Events).
    catcher = Catcher()
    handle = a.stream_user(catcher, run_async=True)
    for _ in range(100):
        if handle.is_receiving():
            break
        time.sleep(0.1)
    time.sleep(0.3)
    live = b.status_post("live from the ward")
    for _ in range(300):
        if any(u.id == live.id for u in catcher.updates):
            break
        time.sleep(0.1)
    handle.close()
    assert any(u.id == live.id for u in catcher.updates), catcher.updates
    print("mastodon.py social: ok")


if __name__ == "__main__":
    main()
