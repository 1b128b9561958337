"""The translator role: every text one party writes for the other, in each party's language."""
