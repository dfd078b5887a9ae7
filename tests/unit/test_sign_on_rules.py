"""Which global role the claims of an ID token give, and how a claim's values are read."""

from __future__ import annotations

from workflow.sign_on import claim_values, role_from_claims

ROLES = {"TV.Admin": "admin", "TV.Coordinator": "coordinator", "TV.Chair": "chair", "TV.Member": "member"}


def test_the_most_powerful_mapped_role_wins_whatever_the_order():
    assert role_from_claims(["TV.Chair", "TV.Admin", "TV.Member"], ROLES) == "admin"
    assert role_from_claims(["TV.Member", "TV.Chair"], ROLES) == "chair"


def test_with_a_role_map_and_no_matching_value_the_role_is_member():
    assert role_from_claims(["Another.App"], ROLES) == "member"
    assert role_from_claims([], ROLES) == "member"


def test_without_a_role_map_the_claims_give_no_role():
    assert role_from_claims(["TV.Admin"], {}) is None


def test_claim_values_are_a_list_a_space_separated_string_or_a_dotted_path():
    claims = {"roles": ["a", "b"], "scp": "x y", "realm_access": {"roles": ["r"]}, "groups": 7}
    assert claim_values(claims, "roles") == ("a", "b")
    assert claim_values(claims, "scp") == ("x", "y")
    assert claim_values(claims, "realm_access.roles") == ("r",)
    assert claim_values(claims, "groups") == ()
    assert claim_values(claims, "missing.path") == ()
