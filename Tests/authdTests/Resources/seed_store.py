"""The users table as the seed's Flask + SQLAlchemy + bcrypt service leaves it, and its password check.

  python3 seed_store.py create DB EMAIL PASSWORD COST [EMAIL PASSWORD COST ...]
      creates SQLAlchemy's table and adds each user with bcrypt.hashpw(password, bcrypt.gensalt(COST)),
      the hash stored as Python bytes (a BLOB), as the seed's add_user does
  python3 seed_store.py check DB EMAIL PASSWORD
      the seed's valid_login: bcrypt.checkpw on the stored bytes; prints the hash's first 7
      characters and "ok", or fails
"""
import sqlite3
import sys

import bcrypt

SCHEMA = (
    "CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(250) NOT NULL, "
    "hashed_password VARCHAR(250) NOT NULL, session_id VARCHAR(250), reset_token VARCHAR(250), "
    "PRIMARY KEY (id))"
)


def create(path: str, rows: list) -> None:
    db = sqlite3.connect(path)
    db.execute(SCHEMA)
    for email, password, cost in zip(rows[0::3], rows[1::3], rows[2::3]):
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(int(cost)))
        db.execute("INSERT INTO users (email, hashed_password) VALUES (?, ?)", (email, hashed))
    db.commit()
    db.close()


def check(path: str, email: str, password: str) -> None:
    db = sqlite3.connect(path)
    row = db.execute("SELECT hashed_password FROM users WHERE email = ? ORDER BY id LIMIT 1", (email,)).fetchone()
    db.close()
    assert row is not None, f"no user {email}"
    hashed = row[0]
    # The seed hands the column's value to checkpw as it comes: bytes for a BLOB (a str would raise).
    assert isinstance(hashed, bytes), f"hashed_password is {type(hashed).__name__}, not bytes"
    assert bcrypt.checkpw(password.encode(), hashed), "bcrypt.checkpw refused the password"
    print(hashed[:7].decode(), "ok")


if __name__ == "__main__":
    command, path, *rest = sys.argv[1:]
    if command == "create":
        create(path, rest)
    elif command == "check":
        check(path, *rest)
    else:
        sys.exit(f"unknown command {command}")
