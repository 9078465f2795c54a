#!/usr/bin/env python3
"""Regenerates lists/given_names_extra.txt and lists/surnames_extra.txt.

Needs Faker (MIT licence; `pip install faker`, the lists were made with 40.54.0) and the
wbritish word list (`apt-get install wbritish`, used only to drop names that are also
lower-case English words; nothing from it is shipped). Run from crates/guard:

    python3 tools/name_lists.py
"""
import importlib

WORDS = {l.strip() for l in open('/usr/share/dict/british-english') if l.strip() and l.strip().islower()}


def load(f):
    return {l.strip().lower() for l in open('lists/' + f) if l.strip() and not l.startswith('#')}


cur, amb, nn = load('given_names.txt'), load('given_names_ambiguous.txt'), load('not_names.txt')
sur, roles, pf = load('surnames.txt'), load('roles.txt'), load('public_figures.txt')
places = {l.split('|')[0].strip() for l in load('places.txt')}
ep = {x.split()[0] for x in load('eponyms.txt')}
cues = set(open('lists/cues.txt').read().lower().split())
given, last = set(), set()
for loc in ['en_GB', 'en_US', 'en_IE', 'en_NZ', 'en_NG', 'en_IN', 'en_PK', 'en_KE', 'en']:
    P = importlib.import_module('faker.providers.person.' + loc).Provider
    for a in ('first_names_male', 'first_names_female', 'first_names'):
        given |= {x.lower() for x in getattr(P, a, ())}
    if loc in ('en_GB', 'en_US', 'en_IE'):
        last |= {x.lower() for x in getattr(P, 'last_names', ())}


def ok(n):
    return (n.isascii() and n.isalpha() and len(n) >= 3 and n not in WORDS and n not in nn and n not in roles
            and n not in places and n not in ep and n not in cues and n not in pf)


new_given = sorted(n for n in given - cur - amb if ok(n))
new_last = sorted(n for n in last - sur if ok(n) and n not in given and n not in cur and n not in amb)
HEADER = open('lists/given_names_extra.txt').read().split('\n#\n')[1].split('\n\n')[0]
for path, what, locs, names in [
    ('lists/given_names_extra.txt', 'Given names', 'en, en_GB, en_US, en_IE, en_NZ, en_NG, en_IN, en_PK, en_KE', new_given),
    ('lists/surnames_extra.txt', 'Family names', 'en_GB, en_US, en_IE', new_last),
]:
    head = (f"# {what}, from the person-name provider lists of Faker 40.x (https://github.com/joke2k/faker,\n"
            f"# providers/person/{locs}), which Faker compiled from public name statistics (ONS, US Census\n"
            "# and SSA, and others). Lower-cased; names that are also lower-case English words (checked\n"
            "# against the wbritish word list), shorter than three letters, or already in the guard's own\n"
            "# lists were dropped. Regenerate with crates/guard/tools/ (see docs/guard.md).\n#\n")
    open(path, 'w').write(head + HEADER + '\n' + '\n'.join(names) + '\n')
    print(path, len(names))
