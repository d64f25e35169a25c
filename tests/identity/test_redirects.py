import pytest

from console.identity.redirects import safe_next


@pytest.mark.parametrize(
    "requested",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/cloud",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "cloud",
        "",
        None,
        "/cloud\n",
        " //evil.example",
    ],
)
def test_anything_but_a_same_origin_path_lands_on_home(requested):
    assert safe_next(requested) == "/"


@pytest.mark.parametrize("requested", ["/", "/cloud?view=list&kind=pods", "/cloud/resource/pods/shop/web-0/logs"])
def test_same_origin_paths_are_kept(requested):
    assert safe_next(requested) == requested
