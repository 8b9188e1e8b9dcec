"""People by name: a login is shown as its unit and its person's name, the demo's clerks have real-looking names,
and nobody is ever shown by login."""
from __future__ import annotations

from workflows.accounts.users import create_user
from workflows.demo import demo_name
from workflows.directory.units import load_directory
from workflows.records.history import person, person_names


def test_the_demo_gives_each_units_clerk_a_real_looking_name_and_neighbours_differ():
    names = [demo_name(position) for position in range(60)]

    assert names[0] == "王立群" and all(len(name) == 3 for name in names)
    assert all(a != b for a, b in zip(names, names[1:]))


def test_a_login_is_shown_as_unit_and_person_and_an_unknown_one_never_as_its_code(db):
    load_directory(db)
    create_user(db, username="zuzhibu", unit_code="zuzhibu", role="unit", password="secret-password", display_name="王立群")
    create_user(db, username="zuzhibu2", unit_code="zuzhibu", role="unit", password="secret-password")  # no name: the unit's
    db.flush()
    people = person_names(db)

    assert person(people, "zuzhibu") == "区委组织部 王立群"
    assert person(people, "zuzhibu2") == "区委组织部"
    assert person(people, "demo") == "系统" and person(people, "gone") == "原用户" and person(people, None) == ""
