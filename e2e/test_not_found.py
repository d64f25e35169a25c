"""A path the console has no page for: "Page not found" inside the frame, with the path and a way back."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

MISSING = "/no/such/page"


def test_a_signed_out_person_signs_in_first_then_sees_not_found_in_the_frame(page: Page, sign_in, console_url: str):
    sign_in(page, "sre", path=MISSING)  # the guard sends them to the IdP's login form, then back here
    expect(page).to_have_url(f"{console_url}{MISSING}")
    expect(page).to_have_title(re.compile("Page not found"))
    expect(page.get_by_test_id("not-found-title")).to_have_text("Page not found")
    expect(page.get_by_test_id("not-found-path")).to_have_text(MISSING)
    expect(page.get_by_test_id("sidebar")).to_be_visible()
    expect(page.get_by_test_id("sovereign-fqdn")).to_be_visible()
    expect(page.get_by_test_id("identity-tier")).to_have_text("operator")
    expect(page.get_by_test_id("scope-picker")).to_be_visible()


def test_the_way_back_leads_to_the_cloud(page: Page, sign_in, console_url: str):
    sign_in(page, "sre", path=f"{MISSING}/deeper")
    expect(page.get_by_test_id("not-found-path")).to_have_text(f"{MISSING}/deeper")
    page.get_by_test_id("not-found-back").click()
    # a bare /cloud reopens the view used last: the graph, the first time
    expect(page).to_have_url(re.compile(r"/cloud\?view=graph$"))
    expect(page.locator('[data-testid="graph-view"][data-painted="1"]')).to_be_attached()
