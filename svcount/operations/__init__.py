"""What is done with counts: the staged protocol, verify, diff, synth and the audit trail."""
