"""The seed's integration test (main.py) through a client generated from openapi.json.

Run: python3 generated_client_flow.py FOLDER http://127.0.0.1:PORT, where FOLDER holds the package
`authd_client` that `openapi-python-client generate --path openapi.json --meta none --output-path
FOLDER/authd_client` wrote. Prints "generated client flow: ok" or fails an assert. Only the
generated package talks to authd: its operations, its models and its clients.
"""
import sys

sys.path.insert(0, sys.argv[1])

from authd_client import AuthenticatedClient, Client  # noqa: E402
from authd_client.api.seed import (  # noqa: E402
    login,
    logout,
    profile,
    register,
    request_reset_token,
    update_password,
)
from authd_client.models import (  # noqa: E402
    Credentials,
    CredentialsJSON,
    Error,
    LoggedIn,
    LoggedOut,
    LoginCredentials,
    LoginCredentialsMultipart,
    PasswordUpdate,
    PasswordUpdated,
    Profile,
    ResetToken,
    ResetTokenRequest,
    UserCreated,
)

URL = sys.argv[2]
EMAIL = "guillaume@holberton.io"
PASSWD = "b4l0u"
NEW_PASSWD = "t4rt1fl3tt3"

# An undocumented status raises: every answer below must be one the document names.
anonymous = Client(base_url=URL, raise_on_unexpected_status=True)


def session_client(session_id: str) -> AuthenticatedClient:
    """The generated client for the routes of the document's `session` scheme (an API key in the
    `session_id` cookie): it carries its token in the header it is told to, here that cookie."""
    return AuthenticatedClient(
        base_url=URL,
        token=f"session_id={session_id}",
        prefix="",
        auth_header_name="Cookie",
        raise_on_unexpected_status=True,
    )


def register_user(email: str, password: str) -> None:
    r = register.sync_detailed(client=anonymous, body=Credentials(email=email, password=password))
    assert r.status_code == 200, r.content
    assert isinstance(r.parsed, UserCreated), r.parsed
    assert (r.parsed.email, r.parsed.message) == (email, "user created")
    # The same again, as JSON this time: the document's error body.
    r = register.sync_detailed(client=anonymous, body=CredentialsJSON(email=email, password=password))
    assert r.status_code == 400, r.content
    assert isinstance(r.parsed, Error) and r.parsed.message == "email already registered", r.parsed


def log_in_wrong_password(email: str, password: str) -> None:
    r = login.sync_detailed(client=anonymous, body=LoginCredentials(email=email, password=password))
    assert r.status_code == 401, r.content
    assert isinstance(r.parsed, Error), r.parsed


def profile_unlogged() -> None:
    r = profile.sync_detailed(client=session_client(""))
    assert r.status_code == 403, r.content
    assert isinstance(r.parsed, Error) and r.parsed.message == "no valid session", r.parsed


def log_in(email: str, password: str, body=LoginCredentials) -> str:
    client = Client(base_url=URL, raise_on_unexpected_status=True)
    r = login.sync_detailed(client=client, body=body(email=email, password=password))
    assert r.status_code == 200, r.content
    assert isinstance(r.parsed, LoggedIn), r.parsed
    assert (r.parsed.email, r.parsed.message) == (email, "logged in")
    # The Set-Cookie the document names, as the client's cookie jar took it.
    session_id = client.get_httpx_client().cookies.get("session_id")
    assert session_id, r.headers
    return session_id


def profile_logged(session_id: str) -> None:
    r = profile.sync_detailed(client=session_client(session_id))
    assert r.status_code == 200, r.content
    assert isinstance(r.parsed, Profile) and r.parsed.email == EMAIL, r.parsed


def log_out(session_id: str) -> None:
    r = logout.sync_detailed(client=session_client(session_id))
    # The seed's 302 to `/`, with its body; the generated client does not follow it.
    assert r.status_code == 302, r.content
    assert r.headers["location"] == "/"
    assert isinstance(r.parsed, LoggedOut) and r.parsed.message == "logged out", r.parsed
    r = profile.sync_detailed(client=session_client(session_id))
    assert r.status_code == 403, r.content


def reset_password_token(email: str) -> str:
    r = request_reset_token.sync_detailed(client=anonymous, body=ResetTokenRequest(email=email))
    assert r.status_code == 200, r.content
    assert isinstance(r.parsed, ResetToken) and r.parsed.email == email, r.parsed
    return r.parsed.reset_token


def update_password_with(email: str, reset_token: str, new_password: str) -> None:
    body = PasswordUpdate(email=email, reset_token=reset_token, new_password=new_password)
    r = update_password.sync_detailed(client=anonymous, body=body)
    assert r.status_code == 200, r.content
    assert isinstance(r.parsed, PasswordUpdated), r.parsed
    assert (r.parsed.email, r.parsed.message) == (email, "Password updated")


if __name__ == "__main__":
    register_user(EMAIL, PASSWD)
    log_in_wrong_password(EMAIL, NEW_PASSWD)
    profile_unlogged()
    session_id = log_in(EMAIL, PASSWD)
    profile_logged(session_id)
    log_out(session_id)
    reset_token = reset_password_token(EMAIL)
    update_password_with(EMAIL, reset_token, NEW_PASSWD)
    profile_logged(log_in(EMAIL, NEW_PASSWD, body=LoginCredentialsMultipart))
    print("generated client flow: ok")
