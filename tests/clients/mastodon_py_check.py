"""Drives a running Canteen with Mastodon.py, unchanged, as an app would.

Usage: python mastodon_py_check.py BASE_URL USERNAME EMAIL PASSWORD
Exits non-zero with a message on the first thing that does not work.
"""
import sys

from mastodon import Mastodon


def main() -> None:
    base, username, email, password = sys.argv[1:5]
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py check",
        api_base_url=base,
        scopes=["read", "write", "follow"],
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    token = api.log_in(username=email, password=password, scopes=["read", "write", "follow"], allow_http=True)
    assert token, "no token"

    me = api.account_verify_credentials()
    assert me.username == username, me
    assert me.acct == username, me
    assert isinstance(me.id, int) or str(me.id).isdigit(), me.id

    updated = api.account_update_credentials(
        display_name="Nurse Jo",
        note="Ward 7. Views my own.",
        fields=[("Pronouns", "she/her"), ("Profession", "Nursing")],
        locked=True,
    )
    assert updated.display_name == "Nurse Jo", updated
    assert updated.locked is True, updated
    assert [f.name for f in updated.fields] == ["Pronouns", "Profession"], updated.fields
    again = api.account_verify_credentials()
    assert again.source.note == "Ward 7. Views my own.", again.source

    v1 = api.instance_v1()
    assert v1.uri, v1
    assert v1.configuration.statuses.max_characters == 500, v1.configuration
    v2 = api.instance_v2()
    assert v2.domain == v1.uri, (v2.domain, v1.uri)
    assert v2.configuration.statuses.max_characters == 500, v2.configuration
    assert api.account(me.id).display_name == "Nurse Jo"
    assert api.account_lookup(username).id == me.id
    rel = api.account_relationships([me.id])
    assert len(rel) == 1 and rel[0].following is False, rel
    prefs = api.preferences()
    assert "posting:default:visibility" in prefs, prefs
    print("mastodon.py: ok")


if __name__ == "__main__":
    main()
