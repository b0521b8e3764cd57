"""Files svcount writes and reads back: each writer beside its reader, one seal, one validator."""
