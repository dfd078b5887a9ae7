"""The API docs page works offline: Swagger UI comes from the app's own files, under the strict
Content-Security-Policy (a violation would be a console error), and shows the operations by name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import new_context

pytestmark = pytest.mark.browser


def test_the_api_docs_render_offline_under_the_strict_policy(browser: Any, base_url: str) -> None:
    context = new_context(browser)
    elsewhere: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:  # offline: nothing from another origin
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base_url}/docs")
        page.locator(".opblock-tag", has_text="triggers").first.click()  # the tags start folded
        fire = page.locator(".opblock", has_text="/api/v1/reviews/{review_id}/triggers/{trigger}").first
        fire.wait_for()
        assert fire.locator(".opblock-summary-operation-id").inner_text() == "fire_trigger"
        fire.locator(".opblock-summary").click()
        example = fire.locator(".body-param__example, .microlight").first  # the request body's example
        example.wait_for()
        assert "school nursing" in example.inner_text()  # TriggerParams' example, from the schema
        assert errors == [] and elsewhere == []
    finally:
        context.close()
