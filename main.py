"""Entry point of the Android build (buildozer's ``source.main``): the tablet app, with its
defaults (data in the app's private storage, the language last chosen in Settings)."""
from client.ui import main

main()
