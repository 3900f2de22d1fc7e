//! The in-memory fake world (see the engine tests).
