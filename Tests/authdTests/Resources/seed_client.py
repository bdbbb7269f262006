"""The seed's integration test (main.py), as a client of the original Flask service wrote it.

Run: python3 seed_client.py http://127.0.0.1:PORT  — prints "seed flow: ok" or fails an assert.
"""
import sys

import requests

URL = sys.argv[1]
EMAIL = "guillaume@holberton.io"
PASSWD = "b4l0u"
NEW_PASSWD = "t4rt1fl3tt3"


def register_user(email: str, password: str) -> None:
    r = requests.post(f"{URL}/users", data={"email": email, "password": password})
    assert r.status_code == 200, r.text
    assert r.json() == {"email": email, "message": "user created"}
    r = requests.post(f"{URL}/users", data={"email": email, "password": password})
    assert r.status_code == 400
    assert r.json() == {"message": "email already registered"}


def log_in_wrong_password(email: str, password: str) -> None:
    r = requests.post(f"{URL}/sessions", data={"email": email, "password": password})
    assert r.status_code == 401


def log_in(email: str, password: str) -> str:
    r = requests.post(f"{URL}/sessions", data={"email": email, "password": password})
    assert r.status_code == 200, r.text
    assert r.json() == {"email": email, "message": "logged in"}
    return r.cookies.get("session_id")


def profile_unlogged() -> None:
    r = requests.get(f"{URL}/profile")
    assert r.status_code == 403


def profile_logged(session_id: str) -> None:
    r = requests.get(f"{URL}/profile", cookies={"session_id": session_id})
    assert r.status_code == 200
    assert r.json() == {"email": EMAIL}


def log_out(session_id: str) -> None:
    r = requests.delete(f"{URL}/sessions", cookies={"session_id": session_id})
    # requests follows the 302 with a GET /
    assert r.status_code == 200
    assert r.json() == {"message": "Bienvenue"}
    assert r.history and r.history[0].status_code == 302


def reset_password_token(email: str) -> str:
    r = requests.post(f"{URL}/reset_password", data={"email": email})
    assert r.status_code == 200
    assert r.json()["email"] == email
    return r.json()["reset_token"]


def update_password(email: str, reset_token: str, new_password: str) -> None:
    data = {"email": email, "reset_token": reset_token, "new_password": new_password}
    r = requests.put(f"{URL}/reset_password", data=data)
    assert r.status_code == 200
    assert r.json() == {"email": email, "message": "Password updated"}


if __name__ == "__main__":
    register_user(EMAIL, PASSWD)
    log_in_wrong_password(EMAIL, NEW_PASSWD)
    profile_unlogged()
    session_id = log_in(EMAIL, PASSWD)
    profile_logged(session_id)
    log_out(session_id)
    reset_token = reset_password_token(EMAIL)
    update_password(EMAIL, reset_token, NEW_PASSWD)
    log_in(EMAIL, NEW_PASSWD)
    print("seed flow: ok")
