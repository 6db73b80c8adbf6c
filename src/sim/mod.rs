//! Gateway simulators (placeholder).
