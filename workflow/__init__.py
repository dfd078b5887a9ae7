"""The review lifecycle: regimes, the state machine, guards, clocks, people, persistence and audit."""
