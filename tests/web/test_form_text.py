"""No NUL reaches any database through a web form either (PostgreSQL refused it with a 500)."""
import re


def csrf_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_nul_in_a_sign_in_form_is_refused_by_name(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client),
                                           "username": "admin\x00", "password": "x"})
    assert response.status_code == 422
    assert "username" in response.get_data(as_text=True)
