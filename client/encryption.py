"""The tablet's local store, encrypted at rest with SQLCipher (docs/app.md, "Encryption").

The key is derived from a per-install random secret kept beside the database (``…-key``). On
Android that secret is itself sealed by a key in the Android Keystore, which never leaves the
device's secure hardware, so a copy of the app's files alone cannot open the store. Wiping the
tablet deletes the secret first: what is left in flash is unreadable.

Where the platform has no SQLCipher (``sqlcipher3`` not installed) the store is plain SQLite;
:func:`cipher_module` says which, and the app shows it on the settings screen.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

PLAIN_HEADER = b"SQLite format 3\x00"
SECRET_SUFFIX = "-key"
_KEY_CONTEXT = b"knockdoor local store key v1\n"


def cipher_module():
    """SQLCipher's DB-API module, or None where the platform does not have it."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        return None
    return dbapi2


def secret_path(database: Path) -> Path:
    return Path(f"{database}{SECRET_SUFFIX}")


class KeystoreSeal:
    """Android only: seals the install secret with an AES key held in the Android Keystore.

    The Keystore key cannot be exported; without this device's secure hardware the sealed
    secret (and so the store) cannot be opened."""

    ALIAS = "knockdoor-local-store"

    def __init__(self) -> None:
        from jnius import autoclass  # noqa: F401 - present in the Android build only
        self._autoclass = autoclass

    def _key(self):
        autoclass = self._autoclass
        key_store = autoclass("java.security.KeyStore").getInstance("AndroidKeyStore")
        key_store.load(None)
        if not key_store.containsAlias(self.ALIAS):
            spec_builder = autoclass("android.security.keystore.KeyGenParameterSpec$Builder")
            purposes = autoclass("android.security.keystore.KeyProperties")
            spec = (spec_builder(self.ALIAS, purposes.PURPOSE_ENCRYPT | purposes.PURPOSE_DECRYPT)
                    .setBlockModes([purposes.BLOCK_MODE_GCM])
                    .setEncryptionPaddings([purposes.ENCRYPTION_PADDING_NONE])
                    .setKeySize(256).build())
            generator = autoclass("javax.crypto.KeyGenerator").getInstance(
                purposes.KEY_ALGORITHM_AES, "AndroidKeyStore")
            generator.init(spec)
            generator.generateKey()
        return key_store.getKey(self.ALIAS, None)

    @staticmethod
    def _bytes(java_array) -> bytes:
        # pyjnius may hand back a Java byte[] as signed ints (-128..127)
        return bytes(value % 256 for value in java_array)

    def seal(self, secret: bytes) -> bytes:
        cipher = self._autoclass("javax.crypto.Cipher").getInstance("AES/GCM/NoPadding")
        cipher.init(1, self._key())  # ENCRYPT_MODE
        iv = self._bytes(cipher.getIV())
        return bytes([len(iv)]) + iv + self._bytes(cipher.doFinal(secret))

    def unseal(self, sealed: bytes) -> bytes:
        autoclass = self._autoclass
        iv_length = sealed[0]
        iv, body = sealed[1:1 + iv_length], sealed[1 + iv_length:]
        cipher = autoclass("javax.crypto.Cipher").getInstance("AES/GCM/NoPadding")
        spec = autoclass("javax.crypto.spec.GCMParameterSpec")(128, iv)
        cipher.init(2, self._key(), spec)  # DECRYPT_MODE
        return self._bytes(cipher.doFinal(body))


def default_seal():
    """The Keystore seal on Android; elsewhere None (the secret file is guarded by the file
    system's permissions only, which docs/app.md says)."""
    # python-for-android sets these; the client core does not import Kivy to ask.
    on_android = "ANDROID_ARGUMENT" in os.environ or "ANDROID_PRIVATE" in os.environ
    return KeystoreSeal() if on_android else None


def install_secret(database: Path, seal=None) -> bytes:
    """The per-install random secret, made on first use (file mode 0600)."""
    path = secret_path(database)
    if path.exists():
        raw = path.read_bytes()
        return seal.unseal(raw) if seal else raw
    secret = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(seal.seal(secret) if seal else secret)
        file.flush()
        os.fsync(file.fileno())
    return secret


def store_key(secret: bytes) -> str:
    """SQLCipher's raw key (64 hex digits). The secret is already 256 random bits, so a hash
    binds it to its purpose without a slow derivation at every start."""
    return hashlib.sha256(_KEY_CONTEXT + secret).hexdigest()


def is_plain_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(16) == PLAIN_HEADER
    except FileNotFoundError:
        return False


class Keyring:
    """How to open the store's file: SQLCipher with its key, or plain SQLite as the fallback."""

    def __init__(self, database: Path, module=None, seal=None) -> None:
        self.database = Path(database)
        self.module = module
        self.key = store_key(install_secret(self.database, seal)) if module else None

    @property
    def encrypted(self) -> bool:
        return self.module is not None

    @property
    def dbapi(self):
        return self.module or sqlite3

    def connect(self, path: Path | None = None, **options):
        connection = self.dbapi.connect(str(path or self.database), **options)
        if self.key:
            connection.execute(f"PRAGMA key = \"x'{self.key}'\"")
        return connection

    def creator(self) -> Callable:
        """For SQLAlchemy's ``create_engine(..., creator=...)`` (Alembic's migrations)."""
        return lambda: self.connect(check_same_thread=False)

    def readable(self) -> bool:
        """Does the key open the file? (False: the secret is gone, the file is useless.)"""
        try:
            connection = self.connect()
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                connection.close()
        except self.dbapi.DatabaseError:
            return False
        return True

    def encrypt_plain_store(self) -> None:
        """An app update found a plain store from before encryption: copy it, unsent ops and
        all, into an encrypted file and put that in its place. A crash at any point leaves
        either the plain file or the encrypted one, never neither."""
        target = Path(f"{self.database}.encrypting")
        target.unlink(missing_ok=True)
        plain = self.module.connect(str(self.database), isolation_level=None)
        try:
            plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{self.key}'\"",
                          (str(target),))
            plain.execute("SELECT sqlcipher_export('encrypted')")
            plain.execute("DETACH DATABASE encrypted")
        finally:
            plain.close()  # the last connection: its WAL is checkpointed and removed
        with open(target, "rb") as file:
            os.fsync(file.fileno())
        for suffix in ("-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        os.replace(target, self.database)
        log.info("local store encrypted")
