"""Whatever reaches the grant form (typed, pasted or forged over the event socket) is used or refused in words:
a tier, scope keys and values, users. A scope that is accepted is one a namespace label could carry."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from console.pages.access.users_views import add_scope
from console.rbac.grants import Grantee, GrantRefused, checked_request
from console.rbac.scopes import SCOPE_KEYS, WILDCARD

FUZZ = settings(max_examples=300, deadline=None)
TYPED = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80) | st.from_regex(
    r"[\w.*<>\"'/ =-]{0,70}", fullmatch=True
)
KEYS = st.sampled_from(sorted(SCOPE_KEYS)) | st.sampled_from(["org", "application", "region"]) | TYPED
# What a Kubernetes label value is (apimachinery's validation), restated here rather than imported.
LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)")


@FUZZ
@given(key=KEYS, value=TYPED)
def test_a_typed_scope_becomes_a_chip_a_label_could_match_or_is_refused_in_words(key: str, value: str):
    chips, refusal = add_scope([], key, value)
    if refusal:
        assert chips == [] and "Traceback" not in refusal and len(refusal) < 300
        return
    [chip] = chips
    assert chip["value"] == WILDCARD or LABEL_VALUE.fullmatch(chip["value"])
    assert chip["key"] in SCOPE_KEYS


@FUZZ
@given(
    tier=st.sampled_from(["owner", "admin", "operator", "developer", "viewer"]) | TYPED,
    scopes=st.lists(st.fixed_dictionaries({"key": KEYS, "value": TYPED}), max_size=4),
    users=st.lists(st.tuples(TYPED, TYPED), max_size=3),
)
def test_a_grant_request_is_checked_whole_or_refused_in_words(tier: str, scopes: list, users: list):
    try:
        chosen, checked, grantees = checked_request(tier, scopes, [Grantee(subject, email) for subject, email in users])
    except GrantRefused as refused:
        assert str(refused) and "Traceback" not in str(refused)
        return
    assert chosen.name == tier
    assert all(scope.value == WILDCARD or LABEL_VALUE.fullmatch(scope.value) for scope in checked)
    assert grantees and all(grantee.subject for grantee in grantees)
