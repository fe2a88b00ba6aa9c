"""The authorization matrix: every role × every route × inside and outside its area."""
