"""The tablet side: a local store, an outbox and a sync engine (no Kivy here), and the Kivy
app on top of them in ``client.ui``."""
