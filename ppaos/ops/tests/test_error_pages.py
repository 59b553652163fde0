"""With DEBUG off, errors are the project's own pages: in Thai, with nothing internal."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.django_db
def test_a_missing_page_is_the_thai_404_without_the_url_list(client, login, volunteer_a):
    response = login(volunteer_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "ไม่พบหน้านี้" in response.text and "อยู่นอกพื้นที่" in response.text
    assert "URLconf" not in response.text and "Page not found" not in response.text


def test_a_server_error_is_the_thai_500_without_a_traceback():
    with translation.override("th"):
        response = server_error(RequestFactory().get("/households/1/"))
    text = response.content.decode()
    assert response.status_code == 500 and "ระบบขัดข้องชั่วคราว" in text
    assert "Traceback" not in text and "Something went wrong" not in text


@pytest.mark.django_db
def test_the_english_pages_follow_the_language_switch(client):
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.text
