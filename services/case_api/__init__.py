"""The Case API: REST for shop frontends, merchants and dispute staff."""
