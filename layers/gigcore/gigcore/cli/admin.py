"""Grant or revoke the admin role (dispute resolution, refunds at any time). Nobody can sign up as an admin.

    python -m gigcore.cli.admin grant ada@example.com
    python -m gigcore.cli.admin revoke ada@example.com

The role is in the user's next access token (after a login or a refresh).
"""

from __future__ import annotations

import argparse
import sys

from gigcore import bootstrap
from gigcore.domain.errors import ConflictError, NotFoundError
from gigcore.ports.auth import UserRepository


def set_admin(users: UserRepository, email: str, *, admin: bool) -> tuple[str, ...]:
    """The user's roles after the change (idempotent); NotFoundError for an unknown email."""
    for _ in range(5):
        user = users.by_email(email.strip().lower())
        if user is None:
            raise NotFoundError(f"No user has the email {email}.")
        roles = tuple(r for r in user.roles if r != "admin") + (("admin",) if admin else ())
        if roles == user.roles and not admin:
            return roles  # a grant is saved again: it (re)indexes the admin among those told of disputes
        try:
            return users.save(user.changed(roles=roles)).roles
        except ConflictError:
            continue
    raise ConflictError("The user kept changing; try again.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("grant", "revoke"))
    parser.add_argument("email")
    args = parser.parse_args()
    try:
        roles = set_admin(bootstrap.container().users, args.email, admin=args.action == "grant")
    except NotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.email}: {', '.join(roles)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
