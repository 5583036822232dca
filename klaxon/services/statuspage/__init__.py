"""Status page use cases: public incidents, the snapshot, subscribers."""
