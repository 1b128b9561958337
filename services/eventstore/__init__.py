"""Everything that touches the eventsourcing library's internals and the event store's tables:
recorders, group commit, bulk reads, transcodings, log pages, the latest-version query and the
application's plumbing. An upgrade of the library touches this package only."""
