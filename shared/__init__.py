"""Code both the server and the tablet import: wire schemas, protocol constants, clock, merge,
due-date and digest rules. Pure: no I/O, no Flask, no Kivy."""
