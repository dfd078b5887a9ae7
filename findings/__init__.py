"""Analysis and findings: narratives, conversations, key practice episodes, contributory factors,
findings, quality warnings, themes, board responses, anonymisation and report rendering."""
