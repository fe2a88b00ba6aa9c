"""The field service's sign-in, sign-out and tablet lock (PIN, stale-tablet rule)."""
from __future__ import annotations

import json
import uuid

from shared import protocol as p
from shared.clock import isoformat

from .. import lock as gate
from ..sync import DISTRICT_ZONE_META, SyncEngine, upgrade_side
from ..transport import TransportError
from .models import Account, SignInError, UnsentChanges


class AccountMixin:
    """Part of :class:`~client.service.FieldService`: who uses this tablet, and may they."""

    # ---- account -------------------------------------------------------------------------

    @property
    def account(self) -> Account | None:
        raw = self.store.get_meta("account")
        return Account(**json.loads(raw)) if raw and self.store.get_meta("token") else None

    @property
    def signed_in(self) -> bool:
        return self.account is not None

    def remembered_sign_in(self) -> dict:
        """Server address, username and device name from the last sign-in (no password)."""
        raw = self.store.get_meta("remembered")
        return json.loads(raw) if raw else {}

    def _previous_account(self) -> dict | None:
        raw = self.store.get_meta("account")
        return json.loads(raw) if raw else None

    def sign_in(self, server_url: str, username: str, password: str,
                device_name: str, code: str | None = None) -> Account:
        """Sign in online. The same person again keeps the device (its id, its sequence, its
        unsent work); another person gets a fresh device, and may not sign in while the last
        person's changes are unsent (they would be sent in the wrong name). ``code``: the
        one-time code of a sign-in sheet instead of a password (``username`` is then what the
        form remembered, or empty: treated as another person while anything is unsent)."""
        if self.signed_in:
            raise SignInError("already_signed_in", "Already signed in; sign out first.")
        previous = self._previous_account()
        if previous and previous["username"] != username:
            unsent = self.unsent_count()
            if unsent:
                raise SignInError("unsent_of_another",
                                  f"{unsent} changes of {previous['display_name']} are not "
                                  f"sent yet; they must sign in to send them first.")
            self._wipe_keeping_remembered()  # another person: nothing of the last one stays
        device_id = self.store.get_meta("device_id") or str(uuid.uuid4())
        transport = self.transport_factory(server_url)
        # Retried with backoff like every sync request (a lost packet is no wrong password);
        # 429 is not retried: it answers the password, not the network.
        retry = SyncEngine(self.store, transport, clock=self.clock, **self.engine_options)
        attempt, fresh_id_taken = 0, False
        while True:
            try:
                credentials = {"code": code} if code else {"username": username,
                                                            "password": password}
                answer = transport.post(
                    "/api/v1/auth/provision" if code else "/api/v1/auth/login",
                    {"protocol": p.PROTOCOL_VERSION, **credentials, "device_id": device_id,
                     "device_name": device_name})
                break
            except TransportError as error:
                if (error.error == p.ERR_DEVICE_NOT_YOURS and not fresh_id_taken
                        and not self.unsent_count()):
                    # Someone else's device id (never made here): take a fresh one.
                    self._wipe_keeping_remembered()
                    device_id, fresh_id_taken = str(uuid.uuid4()), True
                    continue
                if not error.retryable or error.status == 429 or \
                        attempt == retry.max_attempts - 1:
                    raise self._sign_in_error(error) from None
                retry.sleep(retry.backoff(attempt, error.retry_after))
                attempt += 1
        person = answer["person"]
        account = Account(server_url=server_url, username=person["username"],
                          display_name=person["display_name"], role=person["role"],
                          person_id=person["id"], device_id=device_id, device_name=device_name)
        values = {
            **({DISTRICT_ZONE_META: answer["timezone"]} if answer.get("timezone") else {}),
            "device_id": device_id, "token": answer["token"],
            "account": json.dumps(account.__dict__, ensure_ascii=False),
            "remembered": json.dumps({"server_url": server_url, "username": username,
                                      "device_name": device_name}, ensure_ascii=False),
            "last_contact": isoformat(self.clock()), "signed_out_because": None,
            "wiped_stale": None}
        if isinstance(answer.get("policy"), dict):
            values["policy"] = json.dumps(answer["policy"])
        self.store.set_meta(values)
        self.lock.clear_pin()  # a new PIN after every online sign-in (a forgotten one too)
        self._engine = None
        return account

    def _wipe_keeping_remembered(self) -> None:
        remembered = self.store.get_meta("remembered")
        self.store.wipe()
        if remembered:
            self.store.set_meta({"remembered": remembered})
        self.lock.last_activity = None
        self._engine = None

    def _sign_in_error(self, error: TransportError) -> SignInError:
        if error.status is None:
            return SignInError("unreachable", error.message)
        if error.error in p.WIPE_CODES:
            self._wipe_keeping_remembered()  # a new device id on the next attempt
            return SignInError("device_revoked", error.message)
        if error.status == 426 or error.error == p.ERR_UPGRADE_REQUIRED:
            return SignInError("server_upgrade_required" if upgrade_side(error) == "server"
                               else "upgrade_required", error.message)
        code = {p.ERR_BAD_CREDENTIALS: "bad_credentials", p.ERR_THROTTLED: "throttled",
                p.ERR_DEVICE_NOT_YOURS: "device_not_yours",
                p.ERR_PROVISION_CODE_INVALID: "provision_code_invalid"}.get(error.error,
                                                                          "server_error")
        return SignInError(code, error.message)

    def sign_out(self, force: bool = False) -> None:
        """Wipe the device's data. Refuses while changes are unsent, unless forced."""
        unsent = self.unsent_count()
        if unsent and not force:
            raise UnsentChanges(unsent)
        self._wipe_keeping_remembered()

    # ---- the lock: PIN and stale-tablet rule (client.lock) ----------------------------------

    def gate(self) -> str:
        """What the app must show before anything else, checked on start, on resume and now
        and then: ``wiped`` (the tablet was away from the server for too long: its data is
        gone), ``sign_in`` (online sign-in needed), ``set_pin``, ``pin`` (idle: unlock
        first) or ``open``. Enforced here, offline too."""
        now = self.clock()
        action = self.lock.stale_action(now)
        if action == gate.WIPED:
            self._wipe_keeping_remembered()
            self.store.set_meta({"wiped_stale": "1"})
            return gate.WIPED
        if action == gate.SIGN_IN and self.store.get_meta("token"):
            self.store.set_meta({"token": None})
            self._engine = None
        if not self.signed_in:
            return gate.SIGN_IN
        if not self.lock.has_pin():
            return gate.SET_PIN
        if self.lock.pin_due(now):
            return gate.PIN
        return gate.OPEN

    def sign_in_reason(self) -> str | None:
        """Why the app is at the sign-in screen, when it was sent there (a message code)."""
        if self.store.get_meta("wiped_stale"):
            return "stale_wiped"
        if self.signed_in or not self.store.get_meta("account"):
            return None
        if self.lock.stale_action(self.clock()) == gate.SIGN_IN:
            return "stale_locked"
        return self.store.get_meta("signed_out_because")

    def set_pin(self, pin: str) -> None:
        self.lock.set_pin(pin, self.clock())

    def unlock(self, pin: str) -> bool:
        """True: unlocked. False: wrong; after the policy's number of wrong PINs in a row the
        token is forgotten and an online sign-in is needed (``gate()`` says ``sign_in``)."""
        if self.lock.check_pin(pin, self.clock()):
            return True
        if self.lock.attempts_left() == 0:
            self.store.set_meta({"token": None, "signed_out_because": "pin_attempts"})
            self.lock.clear_pin()
            self._engine = None
        return False

    def forget_pin(self) -> None:
        """The volunteer forgot the code: an online sign-in instead (a new code after it).
        The unsent work stays."""
        self.store.set_meta({"token": None, "signed_out_because": None})
        self.lock.clear_pin()
        self._engine = None

    def touch(self) -> None:
        """The volunteer did something: the idle time starts again."""
        self.lock.touch(self.clock())
