"""The Settings screen: text sizes and the account's lines."""
from __future__ import annotations

from shared.punctuation import with_unit

from ..i18n import _, language
from .common import ROLE_LABELS, N_, label

TEXT_SIZES = (("normal", N_("Normal"), 1.0), ("large", N_("Large"), 1.2),
              ("huge", N_("Extra large"), 1.4))


def account_lines(account, encrypted: bool | None = None) -> list[tuple[str, str]]:
    if account is None:
        return []
    # 王晓丽（志愿者）: the role as an aside, in the language's brackets (LANGUAGE.md rule 2)
    who = with_unit(account.display_name, label(ROLE_LABELS, account.role), language())
    lines = [(_("Signed in as"), who),
             (_("Server"), account.server_url), (_("This tablet"), account.device_name)]
    if encrypted is not None:
        lines.append((_("Records on this tablet"), _("Encrypted") if encrypted else
                      _("Not encrypted: this tablet cannot encrypt them")))
    return lines
